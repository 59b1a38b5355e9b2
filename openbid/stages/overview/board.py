"""The public board: open selections, the selections under way, and published documents.

Only what an agency has made public appears: a selection from its announcement on (never a
draft or a plan awaiting approval), and documents of the public kinds (announcements and
result announcements; minutes, decrees and reports stay with the staff and auditors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from openbid.models import (
    Application,
    IssuedDocument,
    Position,
    Selection,
    SelectionState,
)
from openbid.stages.documents import general_requirements, required_documents
from openbid.stages.overview.selections import UNPUBLISHED_STATES
from openbid.workflow import definition_of

# The documents an agency publishes for everyone, as the regulation asks of open selection.
PUBLIC_KINDS = (
    "announcement",
    "extension_notice",
    "screening_announcement",
    "results_announcement",
    "top_three_announcement",
)
# How many documents the board and the feed list, newest first (the registry keeps all).
BOARD_DOCUMENTS = 100


@dataclass(frozen=True)
class OpenPost:
    """A post taking applications: its name, unit, own requirements and applicants so far."""

    position: Position
    requirements: list[str]
    applicants: int


@dataclass(frozen=True)
class OpenSelection:
    """A selection taking applications now, with what every applicant must meet and bring."""

    selection: Selection
    posts: list[OpenPost]
    general: list[str]
    documents: list[str]
    announcement: IssuedDocument | None


@dataclass(frozen=True)
class Board:
    """What the public board shows."""

    open: list[OpenSelection]
    under_way: list[Selection]
    documents: list[IssuedDocument]
    selections: dict[int, Selection]  # each document's selection, by id


def post_requirements(position: Position) -> list[str]:
    """Return a post's own requirements as lines (its text, competencies and minimum rank)."""
    lines = [
        raw.strip().lstrip("-•*").strip()
        for raw in (position.requirements or "").splitlines()
        if raw.strip().lstrip("-•*").strip()
    ]
    if position.competencies and position.competencies.strip():
        lines.append(position.competencies.strip())
    return lines


def _applicant_counts(session: Session, position_ids: list[int]) -> dict[int, int]:
    if not position_ids:
        return {}
    rows = session.execute(
        sa.select(Application.position_id, sa.func.count(Application.id))
        .where(Application.position_id.in_(position_ids), Application.submitted_at.is_not(None))
        .group_by(Application.position_id)
    )
    return dict(rows.all())


def published_selection_ids() -> Any:
    """Return a subquery of the selections made public (announced or later)."""
    return sa.select(Selection.id).where(Selection.state.not_in(UNPUBLISHED_STATES))


def public_documents(session: Session, limit: int = BOARD_DOCUMENTS) -> list[IssuedDocument]:
    """Return the newest published documents of the public kinds, with their selections."""
    return list(
        session.scalars(
            sa.select(IssuedDocument)
            .where(
                IssuedDocument.kind.in_(PUBLIC_KINDS),
                IssuedDocument.selection_id.in_(published_selection_ids()),
            )
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
            .limit(limit)
        )
    )


def public_document(session: Session, code: str) -> IssuedDocument | None:
    """Return the published document of a public kind with this verification code, or None."""
    return session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.verification_code == code,
            IssuedDocument.kind.in_(PUBLIC_KINDS),
            IssuedDocument.selection_id.in_(published_selection_ids()),
        )
    )


def _open_selections(session: Session, now: datetime) -> list[Selection]:
    return list(
        session.scalars(
            sa.select(Selection)
            .where(
                Selection.state == SelectionState.ANNOUNCEMENT,
                Selection.registration_opens_at <= now,
                Selection.registration_closes_at > now,
            )
            .options(joinedload(Selection.agency), selectinload(Selection.positions))
            .order_by(Selection.registration_closes_at, Selection.id)
        )
    )


def _open_entry(
    selection: Selection, counts: dict[int, int], announcements: dict[int, IssuedDocument]
) -> OpenSelection:
    params = definition_of(selection).params(selection.parameters)
    assert selection.registration_closes_at is not None  # noqa: S101 - open means it has one
    return OpenSelection(
        selection=selection,
        posts=[
            OpenPost(p, post_requirements(p), counts.get(p.id, 0))
            for p in selection.positions
            if p.is_open
        ],
        general=general_requirements(params, selection.registration_closes_at),
        documents=required_documents(params),
        announcement=announcements.get(selection.id),
    )


def selections_of(session: Session, documents: list[IssuedDocument]) -> dict[int, Selection]:
    """Return the selections (with their agencies) of documents, by id, in one query."""
    ids = {d.selection_id for d in documents if d.selection_id is not None}
    if not ids:
        return {}
    rows = session.scalars(
        sa.select(Selection).where(Selection.id.in_(ids)).options(joinedload(Selection.agency))
    )
    return {s.id: s for s in rows}


def public_board(session: Session, now: datetime) -> Board:
    """Return the open selections, those under way, and the newest public documents."""
    open_rows = _open_selections(session, now)
    documents = public_documents(session)
    counts = _applicant_counts(session, [p.id for s in open_rows for p in s.positions])
    announcements: dict[int, IssuedDocument] = {}
    for document in reversed(documents):  # oldest first: the latest extension wins
        if document.kind in ("announcement", "extension_notice") and document.selection_id:
            announcements[document.selection_id] = document
    open_ids = {s.id for s in open_rows}
    under_way = session.scalars(
        sa.select(Selection)
        .where(Selection.state.not_in(UNPUBLISHED_STATES))
        .options(joinedload(Selection.agency))
        .order_by(Selection.start_date.desc(), Selection.id.desc())
        .limit(BOARD_DOCUMENTS)
    )
    return Board(
        open=[_open_entry(s, counts, announcements) for s in open_rows],
        under_way=[s for s in under_way if s.id not in open_ids],
        documents=documents,
        selections=selections_of(session, documents),
    )
