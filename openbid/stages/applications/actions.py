"""Actions of the application stage (see openbid.stages).

``snapshot_profile`` runs on the application's ``submit``. ``notify_candidates`` is the hook
for publishing a stage's results: wired at the end of the selection's ``close_screening``,
``close_interview`` and ``complete`` (after the actions that move the applications), it emails
each candidate whose result changed since the previous notice, and marks the results as
published for the portal with the audit event ``candidates_notified``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from openbid import audit, mail
from openbid.models import (
    Application,
    ApplicationState,
    AuditEvent,
    Position,
    Selection,
    SelectionState,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.applications.notices import (
    IMMEDIATE_EVENTS,
    NOTICE_FALLBACK_SUBJECT,
    NOTIFIED_EVENT,
    OUTCOME_SUBJECTS,
    OWN_EVENTS,
    result_reason,
)
from openbid.stages.applications.profile import profile_snapshot
from openbid.stages.applications.submission import documents_of, profile_of, received_at
from openbid.workflow.definition import MachineDef
from openbid.workflow.engine import Context
from openbid.workflow.registry import action


@action("snapshot_profile", audit_free=True)
def snapshot_profile(ctx: Context) -> None:
    """Copy the candidate's profile and current documents into the application; stamp the time."""
    application: Application = ctx.row
    profile = profile_of(application)
    if profile is None:  # profile_complete guards this; never submit without a snapshot
        raise ValidationFailed(
            Reason("application.profile_incomplete", N_("Complete your profile first."))
        )
    snapshot = profile_snapshot(profile, application.candidate)
    snapshot["documents"] = [
        {
            "doc_type": doc.doc_type,
            "document_id": doc.id,
            "sha256": doc.file.sha256,
            "original_name": doc.original_name,
        }
        for doc in documents_of(application).values()
    ]
    application.profile_snapshot = snapshot
    application.submitted_at = received_at()
    ctx.outputs["submitted_at"] = application.submitted_at


@action("notify_candidates")
def notify_candidates(ctx: Context) -> None:
    """Email every candidate whose result changed since the last notice; mark it published."""
    session = ctx.session
    selection = ctx.selection
    app_machine = ctx.definition.machine("application")
    ends = ctx.transition.dest in ctx.machine.final
    latest = _unpublished_results(session, selection)
    ids = set(latest)
    if ends:
        # The selection ends: whoever is still in a live state hears how it ended for them.
        ids |= _live_applications(session, selection, app_machine)
    sent: dict[str, list[int]] = defaultdict(list)
    for application in _with_candidates(session, ids):
        state = application.state
        if ends and state not in app_machine.final:
            # Still shortlisted (or eligible) when the selection completes: not appointed.
            state = (
                ApplicationState.NOT_APPOINTED
                if ctx.transition.dest == SelectionState.COMPLETED
                else "status"
            )
        reason = result_reason(application, latest.get(application.id))
        _queue_notice(session, application, selection, app_machine, state, reason)
        sent[state].append(application.id)
    audit.append(
        session,
        event=NOTIFIED_EVENT,
        actor=ctx.actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={"trigger": ctx.transition.trigger, "notified": dict(sent)},
    )
    ctx.outputs["candidates_notified"] = sum(len(v) for v in sent.values())


def _unpublished_results(session: Session, selection: Selection) -> dict[int, AuditEvent]:
    """Return each application's latest result event since the last notice, by application id."""
    chain = audit.chain_for(selection.id)
    last_notice = session.scalar(
        sa.select(sa.func.max(AuditEvent.seq)).where(
            AuditEvent.chain == chain, AuditEvent.event == NOTIFIED_EVENT
        )
    )
    events = session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.chain == chain,
            AuditEvent.seq > (last_notice or 0),
            AuditEvent.subject_type == "application",
            AuditEvent.to_state.is_not(None),
            AuditEvent.event.not_in(OWN_EVENTS | IMMEDIATE_EVENTS),
        )
        .order_by(AuditEvent.seq)
    ).all()
    latest: dict[int, AuditEvent] = {}
    for event in events:
        latest[event.subject_id] = event
    return latest


def _live_applications(session: Session, selection: Selection, app_machine: MachineDef) -> set[int]:
    """Return the ids of the selection's applications neither in a draft nor in a final state."""
    return set(
        session.scalars(
            sa.select(Application.id)
            .join(Position)
            .where(
                Position.selection_id == selection.id,
                Application.state.not_in([*app_machine.final, app_machine.initial]),
            )
        )
    )


def _with_candidates(session: Session, ids: Collection[int]) -> Sequence[Application]:
    """Return the applications with their candidates and posts, in id order."""
    return session.scalars(
        sa.select(Application)
        .where(Application.id.in_(ids))
        .options(joinedload(Application.candidate), joinedload(Application.position))
        .order_by(Application.id)
    ).all()


def _queue_notice(
    session: Session,
    application: Application,
    selection: Selection,
    app_machine: MachineDef,
    outcome: str,
    reason: str,
) -> None:
    """Queue the result email telling the candidate the outcome (in the caller's transaction)."""
    mail.queue_template(
        session,
        application.candidate,
        "portal/email/result.txt",
        OUTCOME_SUBJECTS.get(outcome, NOTICE_FALLBACK_SUBJECT),
        outcome=outcome,
        state_label=app_machine.state_label(application.state),
        application=application,
        position=application.position,
        selection=selection,
        reason=reason,
        link=mail.absolute_url("portal.application_detail", application_id=application.id),
    )
