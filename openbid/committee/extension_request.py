"""The secretariat's side of an extension decided in openbid: ask the oversight body for it,
then extend registration on its approval (the notice is issued by a tracked job, whose
progress the overview shows)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid.committee.blueprint import bp, load_selection
from openbid.committee.views import queue_event
from openbid.i18n import reason_text
from openbid.models import Role, SelectionEvent
from openbid.rules.reasons import ValidationFailed
from openbid.stages import oversight
from openbid.workflow import GuardFailed, StaleState

STAFF = (Role.SECRETARIAT, Role.ADMIN)


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _back(selection_id: int):
    return redirect(
        url_for("committee.announcement", selection_id=selection_id) + "#extensions", 303
    )


@bp.route("/<int:selection_id>/announcement/extension/request", methods=["POST"])
def request_extension(selection_id: int):
    """Ask the oversight body to approve extending registration for the short posts."""
    selection = load_selection(selection_id)
    if current_user.role not in STAFF:
        abort(403)
    try:
        oversight.request_extension(
            selection,
            current_user,
            reason=request.form.get("reason", ""),
            expected_version=_version(),
        )
    except (GuardFailed, ValidationFailed, StaleState) as error:
        for item in error.reasons:
            flash(reason_text(item), "error")
        return _back(selection_id)
    flash(_("The extension request was sent to the oversight body."), "success")
    return _back(selection_id)


@bp.route("/<int:selection_id>/announcement/extension/apply", methods=["POST"])
def apply_extension(selection_id: int):
    """Extend registration on the approval given in openbid; the notice is issued by a job."""
    selection = load_selection(selection_id)
    if current_user.role not in STAFF:
        abort(403)
    reason = request.form.get("reason", "").strip()
    data = {"reason": reason[:2000]} if reason else {}
    return queue_event(
        selection,
        SelectionEvent.EXTEND_REGISTRATION,
        data,
        _version(),
        "committee.announcement",
    )
