"""Guards of the interview stage (see openbid.stages)."""

from __future__ import annotations

from openbid.rules.reasons import Reason
from openbid.stages.interview.scoring import missing_scores
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


@guard("all_interviews_scored")
def all_interviews_scored(ctx: Context) -> list[Reason]:
    """Hold when every non-recused member has scored every eligible candidate."""
    return missing_scores(ctx.session, ctx.selection)
