"""Actions of the approval and announcement stages (see openbid.stages).

Applications are moved by firing their own ``close`` event inside the selection's
transaction (``commit=False``), so each closing has its audit event and a failure rolls
the whole selection event back.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from openbid import audit, clock
from openbid.i18n import short_wib
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Position,
    RegistrationExtension,
)
from openbid.rules.reasons import N_, Reason
from openbid.stages.announcement.extensions import unlinked_extension_approval
from openbid.stages.announcement.posts import short_positions
from openbid.stages.announcement.registration import REASON_MISSED_DEADLINE, REASON_POST_DROPPED
from openbid.stages.announcement.window import extended_close, registration_window
from openbid.workflow.engine import Context, GuardFailed, fire
from openbid.workflow.registry import action


def _close_applications(ctx: Context, applications: Iterable[Application], reason: str) -> int:
    """Fire ``close`` on each application inside the current transaction; return how many."""
    closed = 0
    for application in applications:
        fire(application, ApplicationEvent.CLOSE, ctx.actor, {"reason": reason}, commit=False)
        closed += 1
    return closed


def _applications(ctx: Context, states: Iterable[str], position_id: int | None = None):
    stmt = (
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == ctx.selection.id, Application.state.in_(list(states)))
        .order_by(Application.id)
    )
    if position_id is not None:
        stmt = stmt.where(Application.position_id == position_id)
    return ctx.session.scalars(stmt).all()


@action("open_registration")
def open_registration(ctx: Context) -> None:
    """Open registration now and set its closing moment from the definition's window."""
    now = clock.now()
    window = registration_window(ctx.session, ctx.selection, ctx.params, now)
    if window.closes_at <= now:
        raise GuardFailed(
            Reason(
                "announcement.window_empty",
                N_(
                    "Published now, registration would close at %(closes)s, which has already"
                    " passed; change the closing time or the length of the window."
                ),
                {"closes": short_wib(window.closes_at)},
            )
        )
    ctx.selection.registration_opens_at = window.opens_at
    ctx.selection.registration_closes_at = window.closes_at
    ctx.outputs["registration"] = window
    audit.append(
        ctx.session,
        event="registration_opened",
        actor=ctx.actor,
        subject_type="selection",
        subject_id=ctx.selection.id,
        selection_id=ctx.selection.id,
        payload={
            "opens_at": window.opens_at,
            "closes_at": window.closes_at,
            "length": window.length,
            "unit": window.unit,
            "closing_time": window.closing_time,
        },
    )


@action("extend_registration_window")
def extend_registration_window(ctx: Context) -> None:
    """Record the next extension for the short posts, link its approval, move the close."""
    selection = ctx.selection
    approval = unlinked_extension_approval(ctx.session, selection.id)
    if approval is None:  # the guard checked it; a concurrent extension may have used it
        raise GuardFailed(
            Reason(
                "announcement.extension_unapproved",
                N_("Record the %(authority)s approval letter for this extension first."),
                {"authority": ctx.definition.oversight_body},
            )
        )
    done = ctx.session.scalar(
        sa.select(sa.func.count(RegistrationExtension.id)).where(
            RegistrationExtension.selection_id == selection.id
        )
    )
    short = short_positions(ctx.session, selection, ctx.params)
    previous = selection.registration_closes_at
    new_close = extended_close(ctx.session, selection, ctx.params, clock.now())
    extension = RegistrationExtension(
        selection_id=selection.id,
        number=done + 1,
        previous_closes_at=previous,
        new_closes_at=new_close,
        reason=str(ctx.data["reason"]).strip(),
        position_ids=[position.id for position, _count in short],
        approval_id=approval.id,
    )
    ctx.session.add(extension)
    selection.registration_closes_at = new_close
    ctx.session.flush()
    ctx.outputs["extension"] = extension
    audit.append(
        ctx.session,
        event="registration_extended",
        actor=ctx.actor,
        subject_type="registration_extension",
        subject_id=extension.id,
        selection_id=selection.id,
        payload={
            "number": extension.number,
            "previous_closes_at": previous,
            "new_closes_at": new_close,
            "position_ids": extension.position_ids,
            "applicants": {str(p.id): n for p, n in short},
            "approval_id": approval.id,
            "letter_number": approval.letter_number,
        },
    )


@action("drop_position_record")
def drop_position_record(ctx: Context) -> None:
    """Mark the post dropped with its reason and close its unfinished applications."""
    position = ctx.session.get(Position, int(ctx.data["position_id"]))
    position.dropped_at = clock.now()
    position.drop_reason = str(ctx.data["reason"]).strip()
    closed = _close_applications(
        ctx,
        _applications(ctx, (ApplicationState.DRAFT, ApplicationState.SUBMITTED), position.id),
        REASON_POST_DROPPED,
    )
    ctx.outputs["closed_applications"] = closed
    audit.append(
        ctx.session,
        event="position_dropped",
        actor=ctx.actor,
        subject_type="position",
        subject_id=position.id,
        selection_id=ctx.selection.id,
        payload={
            "position": position.name,
            "reason": position.drop_reason,
            "closed_applications": closed,
        },
    )


@action("close_unsubmitted_applications")
def close_unsubmitted_applications(ctx: Context) -> None:
    """Close the applications still in draft at closing: they missed the deadline."""
    ctx.outputs["closed_applications"] = _close_applications(
        ctx, _applications(ctx, (ApplicationState.DRAFT,)), REASON_MISSED_DEADLINE
    )


@action("close_open_applications")
def close_open_applications(ctx: Context) -> None:
    """Close every application that can still be closed, with the cancellation's reason."""
    machine = ctx.definition.machine("application")
    closable = [
        s for s in machine.state_names if machine.find(ApplicationEvent.CLOSE, s) is not None
    ]
    ctx.outputs["closed_applications"] = _close_applications(
        ctx, _applications(ctx, closable), str(ctx.data["reason"]).strip()
    )
