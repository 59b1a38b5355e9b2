"""What the appointment page shows: each post's frozen ranking, its letters and the pick.

Built in a fixed number of queries, whatever the number of posts and candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationState,
    Approval,
    Position,
    Selection,
    ShortlistResult,
)
from openbid.rules.reasons import N_, Reason, Term, percent_text
from openbid.rules.scoring import component_label
from openbid.stages.appointment.approvals import RESULT_RECOMMENDATION, result_letter
from openbid.stages.appointment.checks import APPOINTMENT_STATE
from openbid.stages.appointment.conditions import (
    recommendation_reasons,
    short_reason,
    stored_reason,
)
from openbid.stages.appointment.freezing import RANKED_STATES
from openbid.stages.appointment.ranking import (
    PostRanking,
    applications_in,
    open_positions,
    rank_posts,
    scoring_params,
    shortlist_size,
)
from openbid.stages.common.shortlists import OVERRIDE_PREFIX, override_purpose
from openbid.workflow import GuardFailed, definition_of

# The candidates the page shows: ranked, and after the pick.
BOARD_STATES = (*RANKED_STATES, ApplicationState.APPOINTED, ApplicationState.NOT_APPOINTED)


# A weight as the page lists it: (component code, label, weight in percent, pass mark or None).
WeightShown = tuple[str, Term, str, Decimal | None]


@dataclass
class RankedRow:
    """One row of a frozen ranking, with the candidate's current state."""

    entry: dict[str, Any]
    application: Application | None
    reasons: list[Reason]
    in_shortlist: bool

    @property
    def state(self) -> str:
        """Return the application's current state ('' if it is gone)."""
        return self.application.state if self.application is not None else ""


@dataclass
class PostBoard:
    """One post on the appointment page."""

    position: Position
    result: ShortlistResult | None
    rows: list[RankedRow]
    shortlist: list[RankedRow]
    short: bool
    override: Approval | None
    appointee: Application | None
    history: list[ShortlistResult]
    # Why the PPK cannot pick in this post now (empty: the buttons work).
    pick_reasons: list[Reason]
    # The data changed since the freeze: a revision would give another ranking.
    stale: bool


@dataclass
class AppointmentBoard:
    """Everything the appointment page shows."""

    selection: Selection
    posts: list[PostBoard]
    # In the weights' order.
    weights: list[WeightShown]
    tie_break: list[Term]
    size: int
    recommendations: list[Approval]
    recommendation_reasons: list[Reason]
    letter: Term
    oversight_body: str
    frozen: bool = field(default=False)


def ids_in(ranking: list[dict[str, Any]]) -> list[int]:
    """Return the application ids of a ranking, sorted."""
    return sorted(e["application_id"] for e in ranking)


@dataclass
class _Page:
    """What every post's part of the page is built from, read once for the whole page."""

    selection: Selection
    size: int
    applications: list[Application]
    by_id: dict[int, Application]
    overrides: dict[str, Approval]
    recommendation_reasons: list[Reason]
    ranked_now: dict[int, PostRanking]


def _results(session: Session, selection: Selection) -> Sequence[ShortlistResult]:
    """Return every frozen result of the selection, each post's newest revision first."""
    return session.scalars(
        sa.select(ShortlistResult)
        .where(ShortlistResult.selection_id == selection.id)
        .order_by(ShortlistResult.position_id, ShortlistResult.revision.desc())
    ).all()


def _letters(session: Session, selection: Selection) -> Sequence[Approval]:
    """Return the selection's overrides and words on the results, oldest first."""
    return session.scalars(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id)
        .where(
            sa.or_(
                Approval.purpose == RESULT_RECOMMENDATION,
                Approval.purpose.like(f"{OVERRIDE_PREFIX}%"),
            )
        )
        .order_by(Approval.recorded_at, Approval.id)
    ).all()


def _ranked_now(
    session: Session,
    positions: list[Position],
    applications: list[Application],
    params: Mapping[str, Any],
) -> dict[int, PostRanking]:
    """Return each post's ranking on today's data, to tell whether a revision would change it.

    Empty when the weights cannot be used (the page says so through its weights).
    """
    ranked = [a for a in applications if a.state in RANKED_STATES]
    try:
        return {p.position.id: p for p in rank_posts(session, positions, ranked, params)}
    except GuardFailed:
        return {}


def _rows(current: ShortlistResult | None, apps: dict[int, Application]) -> list[RankedRow]:
    """Return the rows of the post's current frozen ranking (none before the freeze)."""
    if current is None:
        return []
    chosen = set(current.shortlist)
    return [
        RankedRow(
            entry=entry,
            application=apps.get(entry["application_id"]),
            reasons=[stored_reason(r) for r in entry.get("reasons", [])],
            in_shortlist=entry["application_id"] in chosen,
        )
        for entry in current.ranking
    ]


def _pick_reasons(
    page: _Page,
    position: Position,
    current: ShortlistResult | None,
    appointee: Application | None,
    override: Approval | None,
) -> list[Reason]:
    """Return why the PPK cannot pick in this post now (empty: the buttons work)."""
    if appointee is not None:
        return [
            Reason(
                "appointment.filled",
                N_("%(post)s is filled: %(name)s was appointed."),
                {"post": position.name, "name": appointee.candidate.name},
            )
        ]
    reasons: list[Reason] = []
    if page.selection.state == APPOINTMENT_STATE:
        if current is not None and len(current.shortlist) < page.size and override is None:
            reasons.append(short_reason(position, len(current.shortlist), page.size))
        reasons.extend(page.recommendation_reasons)
    return reasons


def _stale(current: ShortlistResult | None, now: PostRanking | None) -> bool:
    """Return whether today's data ranks the same candidates differently than the freeze."""
    return bool(
        current is not None
        and now is not None
        and ids_in(current.ranking) == ids_in(now.ranking)
        and (now.ranking != current.ranking or now.shortlist != current.shortlist)
    )


def _post_board(page: _Page, position: Position, history: list[ShortlistResult]) -> PostBoard:
    """Return one post's part of the page; history is its frozen results, newest first."""
    current = next((r for r in history if r.superseded_at is None), None)
    rows = _rows(current, page.by_id)
    appointee = next(
        (
            a
            for a in page.applications
            if a.position_id == position.id and a.state == ApplicationState.APPOINTED
        ),
        None,
    )
    override = page.overrides.get(override_purpose(position.id))
    return PostBoard(
        position=position,
        result=current,
        rows=rows,
        shortlist=[row for row in rows if row.in_shortlist],
        short=current is not None and len(current.shortlist) < page.size,
        override=override,
        appointee=appointee,
        history=[r for r in history if r.superseded_at is not None],
        pick_reasons=_pick_reasons(page, position, current, appointee, override),
        stale=_stale(current, page.ranked_now.get(position.id)),
    )


def _scoring_shown(params: Mapping[str, Any]) -> tuple[list[WeightShown], list[Term]]:
    """Return the weights (code, label, percent, pass mark) and tie-break the page lists.

    Both are empty when the selection's weights cannot be used.
    """
    try:
        scoring = scoring_params(params)
    except GuardFailed:
        return [], []
    weights = [
        (name, component_label(name), percent_text(w), scoring.pass_marks.get(name))
        for name, w in scoring.weights.values.items()
    ]
    return weights, [component_label(name) for name in scoring.tie_break_components]


def build_board(selection: Selection) -> AppointmentBoard:
    """Return the appointment page's data in a fixed number of queries."""
    session = db.session
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    positions = open_positions(session, selection)
    all_results = _results(session, selection)
    applications = applications_in(session, [p.id for p in positions], BOARD_STATES)
    approvals = _letters(session, selection)
    rec_reasons = recommendation_reasons(session, selection) if all_results else []
    page = _Page(
        selection=selection,
        size=shortlist_size(params),
        applications=applications,
        by_id={a.id: a for a in applications},
        overrides={a.purpose: a for a in approvals if a.purpose.startswith(OVERRIDE_PREFIX)},
        recommendation_reasons=rec_reasons,
        ranked_now=_ranked_now(session, positions, applications, params),
    )
    posts = [
        _post_board(page, p, [r for r in all_results if r.position_id == p.id]) for p in positions
    ]
    weights, tie_break = _scoring_shown(params)
    return AppointmentBoard(
        selection=selection,
        posts=posts,
        weights=weights,
        tie_break=tie_break,
        size=page.size,
        recommendations=[a for a in approvals if a.purpose == RESULT_RECOMMENDATION],
        recommendation_reasons=rec_reasons,
        letter=result_letter(selection),
        oversight_body=definition.oversight_body,
        frozen=bool(all_results),
    )
