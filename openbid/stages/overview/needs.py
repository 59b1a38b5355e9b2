"""What needs a person now: the next step of each running selection, worded by the page.

Each ``Need`` names its kind (the page words it), the selection, the page that does it and
the numbers the words need. Every count comes from one grouped query over all the
selections at once, so a home page asks the database the same number of times for one
selection or fifty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import (
    Application,
    ApplicationState,
    Approval,
    AssessmentResult,
    CommitteeMember,
    ConflictDeclaration,
    InterviewScore,
    Position,
    Selection,
    SelectionState,
)
from openbid.workflow import definition_of

# Where each kind of step is done (an endpoint of the committee area, by selection).
PAGES = {
    "plan": "committee.planning",
    "record_letter": "committee.approval",
    "publish": "committee.approval",
    "registration_open": "committee.announcement",
    "close_registration": "committee.announcement",
    "screen": "committee.screening",
    "close_screening": "committee.screening",
    "assess": "committee.assessment",
    "close_assessment": "committee.assessment",
    "scores_missing": "committee.interview",
    "close_interview": "committee.interview",
    "score": "committee.interview",
    "awaiting_pick": "committee.appointment",
    "pick": "committee.appointment",
    "complete": "committee.selection_detail",
}


@dataclass(frozen=True)
class Need:
    """One thing to do (or to wait for) in a selection, and where to do it."""

    kind: str
    selection: Selection
    params: dict[str, Any] = field(default_factory=dict)
    due: datetime | date | None = None

    @property
    def endpoint(self) -> str:
        """Return the endpoint of the page where this is done."""
        return PAGES[self.kind]


def ids_in(selections: Sequence[Selection], *states: SelectionState) -> list[int]:
    return [s.id for s in selections if s.state in states]


def state_counts(session: Session, ids: list[int]) -> Counter[tuple[int, str]]:
    """Return how many applications in open posts each (selection, state) has."""
    if not ids:
        return Counter()
    rows = session.execute(
        sa.select(Position.selection_id, Application.state, sa.func.count(Application.id))
        .join(Position, Position.id == Application.position_id)
        .where(Position.selection_id.in_(ids), Position.dropped_at.is_(None))
        .group_by(Position.selection_id, Application.state)
    )
    return Counter({(sid, state): n for sid, state, n in rows})


def without_results(session: Session, ids: list[int]) -> Counter[int]:
    """Return how many eligible candidates of each selection have no assessment result."""
    if not ids:
        return Counter()
    rows = session.execute(
        sa.select(Position.selection_id, sa.func.count(Application.id))
        .join(Position, Position.id == Application.position_id)
        .outerjoin(AssessmentResult, AssessmentResult.application_id == Application.id)
        .where(
            Position.selection_id.in_(ids),
            Position.dropped_at.is_(None),
            Application.state == ApplicationState.ELIGIBLE,
            AssessmentResult.id.is_(None),
        )
        .group_by(Position.selection_id)
    )
    return Counter(dict(rows.all()))


def _per_selection(session: Session, model: Any, ids: list[int]) -> Counter[int]:
    """Count the interview scores or recusals on eligible candidates, per selection."""
    rows = session.execute(
        sa.select(Position.selection_id, sa.func.count(model.id))
        .join(Application, Application.id == model.application_id)
        .join(Position, Position.id == Application.position_id)
        .where(
            Position.selection_id.in_(ids),
            Position.dropped_at.is_(None),
            Application.state == ApplicationState.ELIGIBLE,
        )
        .group_by(Position.selection_id)
    )
    return Counter(dict(rows.all()))


def missing_scores(session: Session, ids: list[int], states: Counter) -> dict[int, int]:
    """Return how many interview scores each selection still waits for (recusals excused)."""
    if not ids:
        return {}
    seats = Counter(
        dict(
            session.execute(
                sa.select(CommitteeMember.selection_id, sa.func.count(CommitteeMember.id))
                .where(CommitteeMember.selection_id.in_(ids))
                .group_by(CommitteeMember.selection_id)
            ).all()
        )
    )
    scores = _per_selection(session, InterviewScore, ids)
    recusals = _per_selection(session, ConflictDeclaration, ids)
    return {
        sid: seats[sid] * states[(sid, ApplicationState.ELIGIBLE)] - scores[sid] - recusals[sid]
        for sid in ids
    }


def letters_on_file(session: Session, ids: list[int]) -> set[tuple[int, str]]:
    """Return the (selection, purpose) of every letter on file."""
    if not ids:
        return set()
    return set(
        session.execute(
            sa.select(Approval.selection_id, Approval.purpose).where(Approval.selection_id.in_(ids))
        ).all()
    )


def missing_letters(selection: Selection, letters: set[tuple[int, str]]) -> list[str]:
    """Return the labels of the required approval gates with no letter on file."""
    definition = definition_of(selection)
    marked = set(definition.params(selection.parameters).get("required_gates") or [])
    return [
        str(gate.get("label") or gate["code"])
        for gate in definition.approval_gates
        if (gate.get("required") or str(gate["code"]) in marked)
        and (selection.id, f"gate:{gate['code']}") not in letters
    ]


def open_posts(session: Session, ids: list[int]) -> list[Position]:
    """Return the open posts of the selections that no one has been appointed to yet."""
    if not ids:
        return []
    appointed = (
        sa.select(Application.position_id)
        .where(Application.state == ApplicationState.APPOINTED)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            sa.select(Position)
            .where(
                Position.selection_id.in_(ids),
                Position.dropped_at.is_(None),
                Position.id.not_in(appointed),
            )
            .order_by(Position.selection_id, Position.id)
        )
    )


def stage_due(selection: Selection) -> date | None:
    """Return the planned last day of the selection's current stage, if the plan has one."""
    for row in selection.schedule or []:
        if row.get("stage") == selection.state and row.get("ends_on"):
            try:
                return date.fromisoformat(str(row["ends_on"]))
            except ValueError:
                return None
    return None
