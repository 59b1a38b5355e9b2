"""Guards of the screening stage (see openbid.stages)."""

from __future__ import annotations

from openbid.models import ApplicationState, SelectionState
from openbid.rules.eligibility import is_eligible
from openbid.rules.reasons import N_, Reason
from openbid.stages.common.posts import open_post_counts
from openbid.stages.screening.evaluation import evaluate
from openbid.stages.screening.verdicts import verdict_reason_problem
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


@guard("screening_open")
def screening_open(ctx: Context) -> Reason | None:
    """Hold while the selection is in administrative screening."""
    if ctx.selection.state == SelectionState.ADMINISTRATIVE_SCREENING:
        return None
    return Reason(
        "screening.closed",
        N_("Administrative screening is not open; verdicts can no longer be given or changed."),
    )


@guard("verdict_reasoned")
def verdict_reasoned(ctx: Context) -> Reason | None:
    """Hold when a fail, or a pass against the rules' result, comes with a written reason."""
    passed = ctx.transition.dest == ApplicationState.ELIGIBLE
    reason = str(ctx.data.get("reason") or "")
    if reason.strip():
        return None
    rules_passed = is_eligible(evaluate(ctx.row))
    return verdict_reason_problem(passed, rules_passed, reason)


@guard("eligible_in_every_post")
def eligible_in_every_post(ctx: Context) -> list[Reason]:
    """Hold when every post still being filled has at least one eligible application."""
    rows = open_post_counts(ctx.session, ctx.selection.id, ApplicationState.ELIGIBLE)
    return [
        Reason(
            "screening.no_eligible",
            N_(
                "No applicant for %(post)s passed administrative screening; the post cannot"
                " go on to the competency assessment."
            ),
            {"post": name},
        )
        for name, count in rows
        if not count
    ]
