"""Committee-composition exceptions: a broken composition rule overridden, with its reason.

The secretariat records one while the plan is a draft, by firing
``record_committee_exception`` (rule code and justification): the transition's audit event
says who and when, and the row below keeps what was excepted. The plan then passes the
composition check for that rule; the oversight body sees the exception in its dossier and
agrees to it by approving the plan (PermenPANRB 15/2019: the PPK forms the committee after
coordinating with the oversight body), or returns the plan with a note on the committee.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session

from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import CommitteeException, Selection, SelectionEvent, User
from openbid.rules.committee import OVERRIDABLE_RULES
from openbid.rules.reasons import N_, Reason, Term
from openbid.stages.common.guards import committee_composition_reasons
from openbid.workflow.engine import Context
from openbid.workflow.installed import definition_of
from openbid.workflow.registry import action, guard

MIN_JUSTIFICATION = 20
MAX_JUSTIFICATION = 2000


def _rule_and_reasons(ctx: Context) -> tuple[str, list[Reason]]:
    """Return the rule asked for and the current reasons of that rule."""
    rule = str(ctx.data.get("rule") or "").strip()
    return rule, [r for r in committee_composition_reasons(ctx) if r.code == rule]


@guard("committee_exception_allowed")
def committee_exception_allowed(ctx: Context) -> list[Reason]:
    """Hold when the rule may be overridden, is broken, not yet excepted, and justified."""
    rule, broken = _rule_and_reasons(ctx)
    reasons = []
    if rule not in OVERRIDABLE_RULES:
        reasons.append(
            Reason(
                "committee_exception.rule",
                N_("Choose one of the composition rules an exception may override."),
            )
        )
    elif not broken:
        reasons.append(
            Reason(
                "committee_exception.not_broken",
                N_("The committee meets the rule “%(rule)s”: no exception is needed."),
                {"rule": Term(OVERRIDABLE_RULES[rule])},
            )
        )
    elif _recorded(ctx.session, ctx.selection.id, rule):
        reasons.append(
            Reason(
                "committee_exception.exists",
                N_("An exception to the rule “%(rule)s” is already recorded."),
                {"rule": Term(OVERRIDABLE_RULES[rule])},
            )
        )
    justification = str(ctx.data.get("reason") or "").strip()
    if justification and not MIN_JUSTIFICATION <= len(justification) <= MAX_JUSTIFICATION:
        reasons.append(
            Reason(
                "committee_exception.justification",
                N_("Explain the exception in %(min)d to %(max)d characters."),
                {"min": MIN_JUSTIFICATION, "max": MAX_JUSTIFICATION},
            )
        )
    return reasons


def _recorded(session: Session, selection_id: int, rule: str) -> bool:
    return (
        session.scalar(
            sa.select(CommitteeException.id).where(
                CommitteeException.selection_id == selection_id, CommitteeException.rule == rule
            )
        )
        is not None
    )


@action("record_committee_exception")
def record_committee_exception(ctx: Context) -> None:
    """Keep the exception with the check's wording at this moment (what was excepted)."""
    rule, broken = _rule_and_reasons(ctx)
    exception = CommitteeException(
        selection_id=ctx.selection.id,
        rule=rule,
        justification=str(ctx.data["reason"]).strip(),
        reasons=_indonesian(broken),
        recorded_by_id=ctx.actor.id,
    )
    ctx.session.add(exception)
    ctx.session.flush()
    ctx.outputs["exception_id"] = exception.id


def _indonesian(reasons: list[Reason]) -> list[str]:
    """Return the reasons' wording in Indonesian, the language of the record."""
    with force_locale("id"):
        return [reason_text(r) for r in reasons]


def broken_overridable_rules(selection: Selection, actor: User) -> dict[str, list[Reason]]:
    """Return each overridable rule the committee breaks and no exception covers yet."""
    definition = definition_of(selection)
    machine = definition.machine("selection")
    event = SelectionEvent.RECORD_COMMITTEE_EXCEPTION
    transition = machine.find(event, selection.state)
    if transition is None:  # not in draft, or a definition without exceptions
        return {}
    ctx = Context(
        session=db.session,
        row=selection,
        selection=selection,
        actor=actor,
        definition=definition,
        machine=machine,
        transition=transition,
        data={},
        params=definition.params(selection.parameters),
    )
    broken: dict[str, list[Reason]] = {}
    for reason in committee_composition_reasons(ctx):
        if reason.code in OVERRIDABLE_RULES and not _recorded(
            ctx.session, ctx.selection.id, reason.code
        ):
            broken.setdefault(reason.code, []).append(reason)
    return broken
