"""Which selections a dashboard is about, and which one its charts show."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import CommitteeMember, Selection, SelectionState

# Selections still running: each may need someone now.
CLOSED_STATES = (SelectionState.COMPLETED, SelectionState.CANCELLED)
# Before publication a selection has no applicants: nothing to chart yet.
UNPUBLISHED_STATES = (SelectionState.DRAFT, SelectionState.APPROVAL)


def agency_selections(session: Session, agency_id: int) -> list[Selection]:
    """Return every selection of an agency, newest first."""
    return list(
        session.scalars(
            sa.select(Selection)
            .where(Selection.agency_id == agency_id)
            .order_by(Selection.start_date.desc(), Selection.id.desc())
        )
    )


def member_selections(session: Session, user_id: int) -> list[Selection]:
    """Return the selections whose committee the user sits on, newest first."""
    return list(
        session.scalars(
            sa.select(Selection)
            .join(CommitteeMember, CommitteeMember.selection_id == Selection.id)
            .where(CommitteeMember.user_id == user_id)
            .order_by(Selection.start_date.desc(), Selection.id.desc())
        )
    )


def running(selections: Sequence[Selection]) -> list[Selection]:
    """Return the selections not yet completed or cancelled."""
    return [s for s in selections if s.state not in CLOSED_STATES]


def focus(selections: Sequence[Selection], requested: int | None) -> Selection | None:
    """Return the selection the charts show: the one asked for, else the newest published."""
    published = [s for s in selections if s.state not in UNPUBLISHED_STATES]
    for selection in published:
        if selection.id == requested:
            return selection
    return published[0] if published else None
