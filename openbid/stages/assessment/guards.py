"""Guards of the assessment stage (see openbid.stages)."""

from __future__ import annotations

from collections import defaultdict

from openbid.models import Position, SelectionState
from openbid.rules.reasons import N_, Reason
from openbid.stages.assessment.candidates import candidates, missing_components
from openbid.stages.assessment.fields import FIELD_LABELS, FIELDS
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard

# Eliminating a candidate makes sense while the candidates are still being assessed or
# interviewed; before that the screening verdict decides, after that the ranking does.
ELIMINATION_STAGES = (SelectionState.COMPETENCY_ASSESSMENT, SelectionState.INTERVIEW)


@guard("elimination_open")
def elimination_open(ctx: Context) -> Reason | None:
    """Hold while the selection is in the competency assessment or the interview."""
    if ctx.selection.state in ELIMINATION_STAGES:
        return None
    return Reason(
        "assessment.elimination_closed",
        N_("A candidate can be eliminated only during the competency assessment or the interview."),
    )


@guard("all_assessments_entered")
def all_assessments_entered(ctx: Context) -> list[Reason]:
    """Hold when every eligible candidate of an open post has every result entered."""
    missing: dict[str, list[str]] = defaultdict(list)
    for item in candidates(ctx.selection):
        position: Position = item.application.position
        if not position.is_open:
            continue
        for name in missing_components(item.result, ctx.params):
            missing[name].append(f"{item.application.candidate.name} ({position.name})")
    return [
        Reason(
            "assessment.missing",
            N_(
                "No %(component)s yet for %(count)d candidates: %(candidates)s. Enter it, or"
                " eliminate a candidate who did not take part."
            ),
            {
                "component": FIELD_LABELS[name],
                "count": len(names),
                "candidates": "; ".join(names),
            },
        )
        for name, names in sorted(missing.items(), key=lambda pair: FIELDS.index(pair[0]))
    ]
