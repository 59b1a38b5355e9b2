"""The oversight body's pages: the queue of what waits for it, a selection's dossier with
the decisions, and the monitoring view across its agencies (with CSV export).

A reviewer sees only the selections its body supervises; any other answers 404. A decision
that issues a letter goes through the job queue (``progress``); the others fire at once.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid import clock, progress
from openbid.auth import require_roles
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Role, Selection, SelectionEvent, SelectionState
from openbid.oversight.charts import monitoring_charts
from openbid.rules.reasons import ValidationFailed
from openbid.rules.scoring import component_label
from openbid.stages import oversight as service
from openbid.workflow import GuardFailed, StaleState, definition_of

bp = Blueprint("oversight", __name__, url_prefix="/oversight")
DOSSIER = "oversight.dossier"  # where a letter's job shows its progress


@bp.before_request
def _gate() -> None:
    require_roles(Role.OVERSIGHT)
    if current_user.oversight_body is None:
        abort(403)


def _selection(selection_id: int) -> Selection:
    """Return a selection the reviewer's body supervises.

    :raises NotFound: for any other (404: its existence is not disclosed).
    """
    selection = service.reviewable(db.session, current_user, selection_id)
    if selection is None:
        abort(404)
    return selection


@bp.route("/")
def queue():
    """Show what waits for the body's word, longest waiting first."""
    body = current_user.oversight_body
    items = service.review_queue(db.session, body)
    return render_template("oversight/queue.html", body=body, items=items)


def _waiting_on(dossier: service.Dossier, gate: str) -> bool:
    """Return whether the dossier's gate waits for the body's word."""
    return any(w.gate == gate and w.decided_on is None for w in dossier.waits)


@bp.route("/selections/<int:selection_id>")
def dossier(selection_id: int):
    """Show everything the body needs to judge the selection, with the decision forms."""
    selection = _selection(selection_id)
    data = service.build_dossier(db.session, selection, current_user)
    return render_template(
        "oversight/dossier.html",
        body=current_user.oversight_body,
        dossier=data,
        selection=selection,
        definition=definition_of(selection),
        note_items=service.NOTE_ITEMS,
        may_review_plan=selection.state == SelectionState.APPROVAL,
        may_review_results=selection.state == SelectionState.APPOINTMENT,
        may_review_extension=selection.state == SelectionState.ANNOUNCEMENT
        and _waiting_on(data, service.EXTENSION),
        may_acknowledge_report=selection.state == SelectionState.COMPLETED
        and _waiting_on(data, service.REPORT),
        extension_request=service.extension_request(db.session, selection),
        final_report=service.final_report(db.session, selection),
        job=progress.job_view(selection, own_only=True),
        component_label=lambda c: _(component_label(c)),
    )


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _back(selection_id: int, reasons=()):
    for item in reasons:
        flash(reason_text(item), "error")
    return redirect(url_for(DOSSIER, selection_id=selection_id), 303)


def _decide(selection_id: int, decide, done: str):
    """Run one decision, flash its outcome or its reasons, and go back to the dossier."""
    selection = _selection(selection_id)
    try:
        decide(selection, _version())
    except (GuardFailed, ValidationFailed, StaleState) as error:
        return _back(selection_id, error.reasons)
    flash(done, "success")
    return _back(selection_id)


def _letter(selection_id: int, event: str, notes_field: str = "notes"):
    """Queue a decision that issues the body's letter, after checking its remarks."""
    selection = _selection(selection_id)
    version = _version()
    try:
        data = service.remarks(request.form.get(notes_field, ""))
    except ValidationFailed as error:
        return _back(selection_id, error.reasons)
    return progress.queue_event(selection, event, data, version, page=DOSSIER)


@bp.route("/selections/<int:selection_id>/approve", methods=["POST"])
def approve(selection_id: int):
    """Give the body's letter on the plan (recommendation or Pertek), through a job."""
    return _letter(selection_id, SelectionEvent.APPROVE_PLAN)


@bp.route("/selections/<int:selection_id>/return", methods=["POST"])
def return_plan(selection_id: int):
    """Return the plan to the agency with a reason and notes per item."""
    reason = request.form.get("reason", "")
    notes = {item: request.form.get(f"note_{item}", "") for item in service.NOTE_ITEMS}
    return _decide(
        selection_id,
        lambda s, v: service.return_plan(
            s, current_user, reason=reason, notes=notes, expected_version=v
        ),
        _("The plan was returned to the agency with your notes."),
    )


@bp.route("/selections/<int:selection_id>/recommend", methods=["POST"])
def recommend(selection_id: int):
    """Give the body's recommendation on the three best, through a job."""
    return _letter(selection_id, SelectionEvent.RECOMMEND_RESULTS)


@bp.route("/selections/<int:selection_id>/extension/approve", methods=["POST"])
def approve_extension(selection_id: int):
    """Give the body's letter approving the extension asked for, through a job."""
    return _letter(selection_id, SelectionEvent.APPROVE_EXTENSION)


@bp.route("/selections/<int:selection_id>/extension/refuse", methods=["POST"])
def refuse_extension(selection_id: int):
    """Refuse the extension asked for, with a reason."""
    reason = request.form.get("reason", "")
    return _decide(
        selection_id,
        lambda s, v: service.refuse_extension(s, current_user, reason=reason, expected_version=v),
        _("The extension was refused; the agency sees your reason."),
    )


@bp.route("/selections/<int:selection_id>/report/acknowledge", methods=["POST"])
def acknowledge_report(selection_id: int):
    """Acknowledge receipt of the agency's final report."""
    notes = request.form.get("notes", "")
    return _decide(
        selection_id,
        lambda s, v: service.acknowledge_report(s, current_user, notes=notes, expected_version=v),
        _("The final report's receipt was recorded."),
    )


@bp.route("/selections/<int:selection_id>/jobs/<int:job_id>/retry", methods=["POST"])
def retry_job(selection_id: int, job_id: int):
    """Run a failed letter job again."""
    return progress.retry(_selection(selection_id), job_id, page=DOSSIER)


@bp.route("/monitoring")
def monitoring():
    """Show selections by stage and agency, waiting per gate, overrides and decrees."""
    data = service.monitoring(db.session, current_user.oversight_body)
    return render_template(
        "oversight/monitoring.html",
        body=current_user.oversight_body,
        data=data,
        charts=monitoring_charts(data),
        gates=service.GATES,
    )


@bp.route("/monitoring.csv")
def monitoring_csv():
    """Download the monitoring rows as CSV."""
    data = service.monitoring(db.session, current_user.oversight_body)
    stamp = clock.today_jakarta().isoformat()
    return Response(
        service.monitoring_csv(data),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="monitoring-{data.body.code}-{stamp}.csv"'
        },
    )
