"""What the oversight body sees to judge a plan or results: everything on one page.

The plan: posts and their requirements, the committee with the composition checks'
results, the schedule, the methods (score weights and pass marks) and every departure from
the definition's defaults. The results: each post's frozen ranking with the combined scores
and the minutes issued with them. Plus the history of the body's decisions and the days
each gate waited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import (
    Application,
    CommitteeMember,
    IssuedDocument,
    OversightReview,
    Position,
    Selection,
    User,
)
from openbid.rules.reasons import Reason
from openbid.stages.common.committee_exceptions import ExceptionView, committee_exceptions
from openbid.stages.common.guards import committee_composition_valid, has_positions
from openbid.stages.common.shortlists import current_results
from openbid.stages.oversight.queue import service_level
from openbid.stages.oversight.waiting import GateWait, gate_waits
from openbid.workflow.engine import Context
from openbid.workflow.installed import definition_of

# The items a reviewer may write a note on when returning a plan.
NOTE_ITEMS = ("posts", "committee", "schedule", "methods", "other")
RESULT_DOCUMENT_KINDS = ("results_announcement", "plenary_minutes", "top_three_announcement")


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate of a post's frozen ranking."""

    rank: int
    name: str
    combined: Any
    qualified: bool
    shortlisted: bool


@dataclass
class Dossier:
    """Everything the oversight body sees of one selection."""

    selection: Selection
    body_code: str
    posts: list[Position]
    committee: list[CommitteeMember]
    checks: dict[str, list[Reason]]
    schedule: list[dict]
    weights: dict[str, Any]
    pass_marks: dict[str, Any]
    departures: list[tuple[str, Any, Any]]  # (parameter, default, this selection's value)
    waits: list[GateWait]
    reviews: list[OversightReview]
    rankings: dict[int, list[RankedCandidate]] = field(default_factory=dict)
    result_documents: list[IssuedDocument] = field(default_factory=list)
    # The composition rules the agency overrode, with why: for the body to agree or return.
    committee_exceptions: list[ExceptionView] = field(default_factory=list)


def _checks(session: Session, selection: Selection, actor: User) -> dict[str, list[Reason]]:
    """Run the plan's checks (posts, committee composition) as the engine would."""
    definition = definition_of(selection)
    machine = definition.machine("selection")
    ctx = Context(
        session=session,
        row=selection,
        selection=selection,
        actor=actor,
        definition=definition,
        machine=machine,
        transition=machine.transitions[0],
        data={},
        params=definition.params(selection.parameters),
    )
    posts = has_positions(ctx)
    return {"posts": [posts] if posts else [], "committee": committee_composition_valid(ctx)}


def _departures(selection: Selection) -> list[tuple[str, Any, Any]]:
    """Return each parameter the selection overrides: name, default, its value."""
    defaults = definition_of(selection).parameters
    return [
        (name, defaults.get(name), value)
        for name, value in sorted((selection.parameters or {}).items())
    ]


def post_rankings(session: Session, selection: Selection) -> dict[int, list[RankedCandidate]]:
    """Return each post's frozen ranking with names (two queries)."""
    results = current_results(session, selection)
    ids = [e["application_id"] for r in results.values() for e in r.ranking]
    names = dict(
        session.execute(
            sa.select(Application.id, User.name)
            .join(User, User.id == Application.candidate_id)
            .where(Application.id.in_(ids))
        ).all()
    )
    return {
        position_id: [
            RankedCandidate(
                rank=int(e.get("rank") or 0),
                name=names.get(e["application_id"], ""),
                combined=e.get("combined"),
                qualified=bool(e.get("qualified")),
                shortlisted=e["application_id"] in result.shortlist,
            )
            for e in result.ranking
        ]
        for position_id, result in results.items()
    }


def build_dossier(session: Session, selection: Selection, actor: User) -> Dossier:
    """Return what the oversight body sees of the selection."""
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    dossier = Dossier(
        selection=selection,
        body_code=definition.oversight_body,
        posts=list(
            session.scalars(
                sa.select(Position)
                .where(Position.selection_id == selection.id)
                .order_by(Position.id)
            )
        ),
        committee=list(
            session.scalars(
                sa.select(CommitteeMember)
                .where(CommitteeMember.selection_id == selection.id)
                .options(sa.orm.joinedload(CommitteeMember.user))
                .order_by(CommitteeMember.id)
            )
        ),
        checks=_checks(session, selection, actor),
        schedule=list(selection.schedule or []),
        weights=dict(params.get("weights") or {}),
        pass_marks=dict(params.get("pass_marks") or {}),
        departures=_departures(selection),
        waits=gate_waits(session, selection, service_level(session, definition.oversight_body)),
        reviews=review_history(session, selection),
    )
    dossier.committee_exceptions = committee_exceptions(session, selection)
    dossier.rankings = post_rankings(session, selection)
    if dossier.rankings:
        dossier.result_documents = list(
            session.scalars(
                sa.select(IssuedDocument)
                .where(
                    IssuedDocument.selection_id == selection.id,
                    IssuedDocument.kind.in_(RESULT_DOCUMENT_KINDS),
                )
                .order_by(IssuedDocument.id)
            )
        )
    return dossier


def review_history(session: Session, selection: Selection) -> list[OversightReview]:
    """Return the oversight body's decisions on the selection, newest first."""
    return list(
        session.scalars(
            sa.select(OversightReview)
            .where(OversightReview.selection_id == selection.id)
            .options(sa.orm.joinedload(OversightReview.body))
            .order_by(OversightReview.id.desc())
        )
    )


def latest_return(session: Session, selection: Selection) -> OversightReview | None:
    """Return the body's latest decision when it returned the plan (for the secretariat)."""
    latest = session.scalar(
        sa.select(OversightReview)
        .where(OversightReview.selection_id == selection.id, OversightReview.gate == "plan")
        .order_by(OversightReview.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.outcome == "returned" else None
