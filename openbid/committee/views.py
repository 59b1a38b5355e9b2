"""Selection pages of the workspace; every state change goes through the workflow engine."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid import progress
from openbid.committee.blueprint import bp, load_selection, tab
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    AuditEvent,
    CommitteeMember,
    Position,
    Selection,
    SelectionEvent,
)
from openbid.rules.reasons import N_
from openbid.stages import documents
from openbid.stages.common import posts
from openbid.workflow import GuardFailed, available_events, definition_of, fire
from openbid.workflow.diagram import render_svg

OVERVIEW = "committee.selection_detail"
tab(OVERVIEW, N_("Overview"), 0)

# Events that need more than a reason (a letter, a post) are done on their stage's page;
# the overview links there instead of offering a button that cannot carry that input.
EVENT_PAGES = {
    SelectionEvent.EXTEND_REGISTRATION: "committee.announcement",
    SelectionEvent.DROP_POSITION: "committee.announcement",
}


def _visited_states(selection_id: int) -> set[str]:
    """Return the states the selection has been in, from its audit chain."""
    return set(
        db.session.scalars(
            sa.select(AuditEvent.to_state)
            .where(
                AuditEvent.selection_id == selection_id,
                AuditEvent.subject_type == "selection",
                AuditEvent.to_state.is_not(None),
            )
            .distinct()
        )
    )


@bp.route("/<int:selection_id>")
def selection_detail(selection_id: int):
    """Show a selection: stage, diagram, deadlines, counts, committee, and event buttons."""
    selection = load_selection(selection_id)
    definition = definition_of(selection)
    machine = definition.machine("selection")
    positions = db.session.scalars(
        sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
    ).all()
    committee = db.session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.id)
    ).all()
    counts = posts.application_counts(db.session, selection.id)
    verdict_totals: dict[str, int] = {}
    for per_state in counts.values():
        for state, count in per_state.items():
            verdict_totals[state] = verdict_totals.get(state, 0) + count
    diagram = render_svg(
        machine, selection.state, visited=_visited_states(selection.id), translate=_
    )
    return render_template(
        "committee/selection_detail.html",
        selection=selection,
        definition=definition,
        machine=machine,
        application_machine=definition.machine("application"),
        positions=positions,
        committee=committee,
        counts=counts,
        totals=verdict_totals,
        diagram=diagram,
        # An exception is recorded from the plan's committee section, rule by rule.
        events=[
            e
            for e in available_events(selection, current_user)
            if e.name != SelectionEvent.RECORD_COMMITTEE_EXCEPTION
        ],
        event_pages=EVENT_PAGES,
        job=progress.job_view(selection),
    )


@bp.route("/<int:selection_id>/events/<event>", methods=["POST"])
def fire_event(selection_id: int, event: str):
    """Fire an event on the selection through the engine, then show the selection again.

    An event whose transition issues documents is handed to the job queue: the page then
    shows its progress, and its result or why it failed (with a retry button).
    """
    selection = load_selection(selection_id)
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    data = {}
    reason = request.form.get("reason", "").strip()
    if reason:
        data["reason"] = reason[:2000]
    transition = definition_of(selection).machine("selection").find(event, selection.state)
    if transition is not None and documents.issues_documents(transition):
        return queue_event(selection, event, data, expected)
    try:
        result = fire(selection, event, current_user, data, expected_version=expected)
    except GuardFailed as error:
        for item in error.reasons:
            flash(reason_text(item), "error")
        return redirect(url_for("committee.selection_detail", selection_id=selection_id), 303)
    transition = definition_of(selection).machine("selection").find(event, result.from_state)
    flash(_("Done: %(action)s.", action=_(transition.label)), "success")
    return redirect(url_for("committee.selection_detail", selection_id=selection_id), 303)


def queue_event(
    selection: Selection,
    event: str,
    data: dict,
    expected: int,
    back: str = "committee.selection_detail",
):
    """Hand an event that issues documents to the job queue and answer with the overview's
    progress area; a refusal known at once goes ``back`` to the page that asked.

    :raises Forbidden: 403 when the user's role may not fire the event.
    """
    return progress.queue_event(selection, event, data, expected, page=OVERVIEW, back=back)


@bp.route("/<int:selection_id>/jobs/<int:job_id>/retry", methods=["POST"])
def retry_job(selection_id: int, job_id: int):
    """Run a failed event job again (its documents, or the event itself if it never fired)."""
    return progress.retry(load_selection(selection_id), job_id, page=OVERVIEW)
