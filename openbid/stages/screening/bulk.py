"""Confirming several rule-clean applications as eligible in one action.

Each application still gets its own verdict through the workflow engine (``pass_screening``,
its guards, its audit event, its ScreeningVerdict), but all of them in one transaction: either
every chosen application passes or none does. Only applications awaiting a verdict whose
rules all hold (so a pass needs no written reason) may be confirmed this way; any other
is named with the reason, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Position,
    Selection,
    User,
)
from openbid.rules.reasons import N_, Reason, Term
from openbid.stages.screening.evaluation import Screened, evaluated_many, screen
from openbid.stages.screening.verdicts import verdict_data
from openbid.workflow import Forbidden, definition_of, fire
from openbid.workflow.access import check_access, role_reason

MAX_PICKS = 200  # a bulk confirmation covers at most this many applications


@dataclass(frozen=True)
class Refusal:
    """One chosen application that cannot be confirmed in bulk, and why."""

    application_id: int
    name: str
    reasons: list[Reason]


class BulkRefused(Exception):
    """Some chosen applications cannot be confirmed in bulk; nothing was recorded."""

    def __init__(self, refusals: list[Refusal]) -> None:
        """Keep every refusal, to name each application with its reasons."""
        super().__init__(f"{len(refusals)} applications refused")
        self.refusals = refusals


def _check_may_decide(selection: Selection, actor: User) -> None:
    """Refuse an actor who may not give a single verdict here, before anything else.

    :raises Forbidden: the role's reason (the definition's roles on ``pass_screening``), or
        the access reasons (another agency, not on this selection's committee).
    """
    machine = definition_of(selection).machine("application")
    transition = machine.find(ApplicationEvent.PASS_SCREENING, ApplicationState.SUBMITTED)
    denied = role_reason(actor, transition) if transition is not None else None
    if denied is not None:
        raise Forbidden(denied)
    check_access(actor, selection, selection, db.session)


def _chosen(selection: Selection, ids: list[int]) -> list[Application]:
    """Return the chosen applications of this selection, in list order (one query)."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(Position.selection_id == selection.id, Application.id.in_(ids))
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.submitted_at, Application.id)
        ).unique()
    )


def refusal_reasons(item: Screened, seen_version: int, state_label: str) -> list[Reason]:
    """Return why one application cannot be confirmed in bulk (none: it can)."""
    application = item.application
    if application.version != seen_version:
        return [
            Reason(
                "screening.bulk_stale",
                N_("It changed since the page was loaded; reload the page and look again."),
            )
        ]
    if application.state != ApplicationState.SUBMITTED:
        return [
            Reason(
                "screening.bulk_decided",
                N_("It already has a verdict (%(state)s)."),
                {"state": Term(state_label)},
            )
        ]
    if not item.rules_passed:
        return [
            Reason(
                "screening.bulk_not_clean",
                N_("Rules not met: %(count)d; give its verdict on its own card, with the reason."),
                {"count": len(item.failures)},
            )
        ]
    return []


def confirm_eligible(selection: Selection, actor: User, picks: Mapping[int, int]) -> int:
    """Pass every chosen application (id → version seen) through the engine, all or none.

    Returns how many were confirmed. Each one fires ``pass_screening`` with its own audit
    event; the transaction commits once, after the last.

    :raises Forbidden: when the actor may not give verdicts on this selection.
    :raises BulkRefused: naming each chosen application that is not rule-clean, already
        decided, changed since the page was loaded, or not in this selection.
    :raises GuardFailed: when the stage is closed (nothing recorded).
    """
    _check_may_decide(selection, actor)
    ids = sorted(picks)[:MAX_PICKS]
    applications = _chosen(selection, ids)
    screenings = screen(selection, applications)
    label = definition_of(selection).machine("application").state_label
    refusals = [
        Refusal(item.application.id, item.application.candidate.name, reasons)
        for item in screenings
        if (
            reasons := refusal_reasons(
                item, picks[item.application.id], label(item.application.state)
            )
        )
    ]
    found = {a.id for a in applications}
    missing = Reason("screening.bulk_missing", N_("There is no such application here."))
    refusals += [Refusal(i, f"#{i}", [missing]) for i in ids if i not in found]
    if refusals:
        raise BulkRefused(refusals)
    try:
        with evaluated_many(screenings):
            for item in screenings:
                application = item.application
                fire(
                    application,
                    ApplicationEvent.PASS_SCREENING,
                    actor,
                    verdict_data(item, True),
                    expected_version=picks[application.id],
                    commit=False,
                )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(screenings)
