"""The oversight body's pages: the queue of what waits for it, a selection's dossier with
the decisions, and the monitoring view across its agencies (with CSV export).

A reviewer sees only the selections its body supervises; any other answers 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid import clock
from openbid.auth import require_roles
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Role, Selection, SelectionState
from openbid.oversight.charts import monitoring_charts
from openbid.rules.reasons import ValidationFailed
from openbid.rules.scoring import component_label
from openbid.stages import oversight as service
from openbid.workflow import GuardFailed, definition_of

bp = Blueprint("oversight", __name__, url_prefix="/oversight")


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
        component_label=lambda c: _(component_label(c)),
    )


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _decide(selection_id: int, decide, done: str):
    """Run one decision, flash its outcome or its reasons, and go back to the dossier."""
    selection = _selection(selection_id)
    try:
        decide(selection, _version())
    except (GuardFailed, ValidationFailed) as error:
        for item in error.reasons:
            flash(reason_text(item), "error")
        return redirect(url_for("oversight.dossier", selection_id=selection_id), 303)
    flash(done, "success")
    return redirect(url_for("oversight.dossier", selection_id=selection_id), 303)


@bp.route("/selections/<int:selection_id>/approve", methods=["POST"])
def approve(selection_id: int):
    """Give the body's letter on the plan (recommendation or Pertek)."""
    notes = request.form.get("notes", "")
    return _decide(
        selection_id,
        lambda s, v: service.approve_plan(s, current_user, notes=notes, expected_version=v),
        _("The letter was issued and recorded; the agency may publish."),
    )


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
    """Give the body's recommendation on the three best."""
    notes = request.form.get("notes", "")
    return _decide(
        selection_id,
        lambda s, v: service.recommend_results(s, current_user, notes=notes, expected_version=v),
        _("The recommendation on the results was issued and recorded."),
    )


@bp.route("/monitoring")
def monitoring():
    """Show selections by stage and agency, waiting per gate, overrides and decrees."""
    data = service.monitoring(db.session, current_user.oversight_body)
    return render_template(
        "oversight/monitoring.html",
        body=current_user.oversight_body,
        data=data,
        charts=monitoring_charts(data),
        plan=service.PLAN,
        results=service.RESULTS,
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
