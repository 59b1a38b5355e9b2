"""The frozen three best of each post, and the overrides that let a post stay short.

The appointment stage freezes, revises and overrides them; the shared guard that checks
every post is filled (``appointees_chosen``) reads them too, so they live below both.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import Approval, Selection, ShortlistResult

OVERRIDE_PREFIX = "shortlist_override:"


def override_purpose(position_id: int) -> str:
    """Return the Approval purpose of a shortlist override for a post."""
    return f"{OVERRIDE_PREFIX}{position_id}"


def current_results(session: Session, selection: Selection) -> dict[int, ShortlistResult]:
    """Return the current (not superseded) frozen result of each post, by position id."""
    rows = session.scalars(
        sa.select(ShortlistResult).where(
            ShortlistResult.selection_id == selection.id, ShortlistResult.superseded_at.is_(None)
        )
    ).all()
    return {row.position_id: row for row in rows}


def current_result(session: Session, position_id: int) -> ShortlistResult | None:
    """Return the current frozen result of one post, or None before the freeze."""
    return session.scalar(
        sa.select(ShortlistResult).where(
            ShortlistResult.position_id == position_id, ShortlistResult.superseded_at.is_(None)
        )
    )


def vacant_by_approval(session: Session, selection: Selection) -> set[int]:
    """Return the open posts where nobody qualified and an override lets them stay vacant."""
    results = current_results(session, selection)
    empty = {pid for pid, result in results.items() if not result.shortlist}
    if not empty:
        return set()
    approved = set(
        session.scalars(
            sa.select(Approval.purpose).where(
                Approval.selection_id == selection.id,
                Approval.purpose.in_([override_purpose(pid) for pid in empty]),
            )
        )
    )
    return {pid for pid in empty if override_purpose(pid) in approved}
