"""Guards of the oversight body's events: a gate is decided once per sending."""

from __future__ import annotations

from openbid.models import Approval
from openbid.rules.reasons import N_, Reason
from openbid.stages.oversight.waiting import PLAN, RESULTS, letters_after, sent_moments
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


def _already_decided(ctx: Context, gate: str) -> Approval | None:
    """Return the letter already on file for gate since the dossier was last sent."""
    sent = sent_moments(ctx.session, [ctx.selection.id], gate)
    return letters_after(ctx.session, [ctx.selection], gate, sent).get(ctx.selection.id)


def _decided_reason(letter: Approval) -> Reason:
    return Reason(
        "oversight.decided",
        N_("A letter is already on file for this step (number %(number)s)."),
        {"number": letter.letter_number},
    )


@guard("plan_awaiting_review")
def plan_awaiting_review(ctx: Context) -> Reason | None:
    """Hold while the plan has no oversight letter since it was sent for approval."""
    letter = _already_decided(ctx, PLAN)
    return _decided_reason(letter) if letter is not None else None


@guard("results_awaiting_review")
def results_awaiting_review(ctx: Context) -> Reason | None:
    """Hold while the results have no recommendation on file."""
    letter = _already_decided(ctx, RESULTS)
    return _decided_reason(letter) if letter is not None else None
