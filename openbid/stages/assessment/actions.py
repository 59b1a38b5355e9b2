"""Actions of the assessment stage (see openbid.stages)."""

from __future__ import annotations

from openbid.models import ApplicationEvent
from openbid.stages.assessment.candidates import candidates
from openbid.workflow.engine import Context, fire
from openbid.workflow.registry import action


@action("eliminate_unfit")
def eliminate_unfit(ctx: Context) -> None:
    """Eliminate every candidate the health or psychological test found unfit.

    Done here, when the assessment closes, rather than left to the ranking: an unfit
    candidate may not hold the post whatever the scores, so interviewing them would waste
    the committee's time and hide the outcome from the candidate until the very end. The
    application's state and its audit event say plainly why they stopped.
    """
    eliminated = []
    for item in candidates(ctx.selection):
        result = item.result
        if result is None:
            continue
        unfit = [
            label
            for label, fit in (("health", result.health_fit), ("psychological", result.psych_fit))
            if fit is False
        ]
        if not unfit:
            continue
        fire(
            item.application,
            ApplicationEvent.ELIMINATE,
            ctx.actor,
            {"reason": f"unfit ({' and '.join(unfit)})", "code": "unfit_" + "_".join(unfit)},
            commit=False,
        )
        eliminated.append(item.application.id)
    ctx.outputs["eliminated_unfit"] = eliminated
