"""Guards of the oversight body's events: a gate is decided once per sending, and the
secretariat asks for one extension at a time."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.models import Approval, RegistrationExtension
from openbid.rules.reasons import N_, Reason
from openbid.stages.oversight.requests import extensions_done
from openbid.stages.oversight.waiting import (
    EXTENSION,
    EXTENSION_PURPOSE,
    PLAN,
    REPORT,
    RESULTS,
    decisions_after,
    letters_after,
    sent_moments,
)
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


def _awaiting(ctx: Context, gate: str) -> bool:
    """Return whether gate was sent and the body has not given its word since."""
    sent = sent_moments(ctx.session, [ctx.selection.id], gate)
    if ctx.selection.id not in sent:
        return False
    return ctx.selection.id not in decisions_after(ctx.session, [ctx.selection], gate, sent)


def _unused_extension_letters(ctx: Context) -> int:
    """Return how many extension approvals on file no extension has used yet."""
    used = sa.select(RegistrationExtension.approval_id).where(
        RegistrationExtension.approval_id.is_not(None)
    )
    return ctx.session.scalar(
        sa.select(sa.func.count(Approval.id)).where(
            Approval.selection_id == ctx.selection.id,
            Approval.purpose == EXTENSION_PURPOSE,
            Approval.id.not_in(used),
        )
    )


@guard("extension_not_asked")
def extension_not_asked(ctx: Context) -> Reason | None:
    """Hold unless an extension request already waits or an approval is still unused."""
    if _awaiting(ctx, EXTENSION):
        return Reason(
            "oversight.extension_pending",
            N_("An extension request already waits for the oversight body's word."),
        )
    if _unused_extension_letters(ctx):
        return Reason(
            "oversight.extension_approved",
            N_("An approved extension is on file and not used yet: extend registration."),
        )
    return None


@guard("extension_awaiting_review")
def extension_awaiting_review(ctx: Context) -> Reason | None:
    """Hold while an extension request waits for the body's word."""
    if _awaiting(ctx, EXTENSION):
        return None
    return Reason(
        "oversight.no_extension_request",
        N_("No extension request waits for your word (extensions so far: %(count)d)."),
        {"count": extensions_done(ctx.session, ctx.selection.id)},
    )


@guard("report_awaiting_receipt")
def report_awaiting_receipt(ctx: Context) -> Reason | None:
    """Hold while the final report has been sent and its receipt not acknowledged."""
    if _awaiting(ctx, REPORT):
        return None
    return Reason(
        "oversight.report_received",
        N_("The final report's receipt is already acknowledged, or no report was sent."),
    )
