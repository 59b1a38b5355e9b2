"""Applicants per post: the minimum a post needs at closing, the counts, the posts short of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import Application, ApplicationState, Position, Selection
from openbid.stages.common.posts import application_counts  # noqa: F401 - exported


def min_applicants(params: Mapping[str, Any]) -> int:
    """Return the minimum of submitted applications a post needs at closing."""
    return int(params["min_applicants_per_post"])


def submitted_counts(session: Session, selection_id: int) -> dict[int, int]:
    """Return {position id: submitted applications} for every post, in one query."""
    counted = sa.func.count(Application.id).filter(Application.state == ApplicationState.SUBMITTED)
    rows = session.execute(
        sa.select(Position.id, counted)
        .outerjoin(Application, Application.position_id == Position.id)
        .where(Position.selection_id == selection_id)
        .group_by(Position.id)
    ).all()
    return dict(rows)


def short_positions(
    session: Session, selection: Selection, params: Mapping[str, Any]
) -> list[tuple[Position, int]]:
    """Return the open posts below the minimum of submitted applications, with their count."""
    minimum = min_applicants(params)
    counts = submitted_counts(session, selection.id)
    positions = session.scalars(
        sa.select(Position)
        .where(Position.selection_id == selection.id, Position.dropped_at.is_(None))
        .order_by(Position.id)
    ).all()
    return [(p, counts.get(p.id, 0)) for p in positions if counts.get(p.id, 0) < minimum]
