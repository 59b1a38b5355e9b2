"""Actions of the appointment stage (see openbid.stages)."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.models import Application, ApplicationEvent, ApplicationState, Position
from openbid.stages.appointment.freezing import freeze_shortlists
from openbid.workflow.engine import Context, fire
from openbid.workflow.registry import action


@action("freeze_shortlist")
def freeze_shortlist(ctx: Context) -> None:
    """Rank every open post, freeze its three best and move each candidate to match."""
    results = freeze_shortlists(ctx.session, ctx.selection, ctx.actor, ctx.params)
    ctx.outputs["shortlists"] = {r.position_id: list(r.shortlist) for r in results}


@action("settle_shortlists")
def settle_shortlists(ctx: Context) -> None:
    """Mark the three best who were not picked as not appointed, in the same transaction."""
    remaining = ctx.session.scalars(
        sa.select(Application)
        .join(Position)
        .where(
            Position.selection_id == ctx.selection.id,
            Application.state == ApplicationState.SHORTLISTED,
        )
        .order_by(Application.id)
    ).all()
    for application in remaining:
        fire(application, ApplicationEvent.NOT_APPOINT, ctx.actor, {}, commit=False)
    ctx.outputs["not_appointed"] = [a.id for a in remaining]
