"""Actions of the screening stage (see openbid.stages)."""

from __future__ import annotations

from openbid.models import ApplicationState
from openbid.stages.screening.verdicts import write_verdict
from openbid.workflow.engine import Context
from openbid.workflow.registry import action


@action("record_screening_verdict", audit_free=True)
def record_screening_verdict(ctx: Context) -> None:
    """Write the application's ScreeningVerdict: the rules' results and the committee's word."""
    passed = ctx.transition.dest == ApplicationState.ELIGIBLE
    verdict = write_verdict(ctx.row, ctx.actor, passed, str(ctx.data.get("reason") or "").strip())
    ctx.outputs["screening_verdict_id"] = verdict.id
    ctx.outputs["screening_verdict"] = verdict  # for the answer: no query for what was written
