"""Workspace pages of the interview stage (routes on openbid.committee.blueprint.bp).

Members score candidates and declare conflicts of interest here; everyone else sees the
progress in counts. What a viewer may see is decided by stages.interview.build_board; the
template checks it once more, so a member never receives another member's score for a
candidate before submitting their own.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from openbid.auth import roles_required
from openbid.committee.blueprint import bp, load_application, load_selection, tab
from openbid.documents import formatting
from openbid.extensions import db
from openbid.models import Role, Selection, SelectionEvent
from openbid.rules.reasons import N_, ValidationFailed
from openbid.stages import interview as service
from openbid.workflow import available_events

tab("committee.interview", N_("Interview"), 50)


class ScoreForm(FlaskForm):
    """A member's score for one candidate (checked by the service)."""

    score = StringField()
    notes = TextAreaField()
    # "1" once the member has seen the confirmation step; without it nothing is written.
    confirm = HiddenField()


class ConflictForm(FlaskForm):
    """A member's declaration of a conflict of interest with one candidate."""

    reason = TextAreaField()


def _page(selection: Selection, errors: dict | None = None, values: dict | None = None, status=200):
    board = service.build_board(selection, current_user)
    events = [
        e
        for e in available_events(selection, current_user)
        if e.name == SelectionEvent.CLOSE_INTERVIEW
    ]
    return (
        render_template(
            "committee/interview.html",
            selection=selection,
            board=board,
            events=events,
            errors=errors or {},
            fmt_nip=formatting.nip,
            values=values or {},
        ),
        status,
    )


@bp.route("/<int:selection_id>/interview")
def interview(selection_id: int):
    """Show the interview: a member's score and conflict forms, or everyone's progress."""
    return _page(load_selection(selection_id))


@bp.route("/<int:selection_id>/interview/<int:application_id>/score", methods=["POST"])
@roles_required(Role.COMMITTEE)
def submit_score(selection_id: int, application_id: int):
    """Show what a score would record for confirmation; record it, final, once confirmed."""
    selection = load_selection(selection_id)
    application = load_application(selection, application_id)
    form = ScoreForm()
    score, notes = form.score.data or "", form.notes.data or ""
    try:
        if form.confirm.data != "1":
            preview = service.preview_score(current_user, application, score, notes)
            return render_template(
                "committee/interview_confirm.html", selection=selection, preview=preview
            )
        service.submit_score(current_user, application, score, notes)
    except ValidationFailed as error:
        db.session.rollback()
        key = f"score-{application_id}"
        return _page(selection, {key: error.reasons}, {key: {"score": score, "notes": notes}}, 422)
    flash(_("Your score for %(name)s is recorded.", name=application.candidate.name), "success")
    return redirect(
        url_for("committee.interview", selection_id=selection_id, _anchor=f"c{application_id}"),
        303,
    )


@bp.route("/<int:selection_id>/interview/<int:application_id>/conflict", methods=["POST"])
@roles_required(Role.COMMITTEE)
def declare_conflict(selection_id: int, application_id: int):
    """Record the member's conflict of interest with one candidate (a recusal)."""
    selection = load_selection(selection_id)
    application = load_application(selection, application_id)
    form = ConflictForm()
    try:
        service.declare_conflict(current_user, application, form.reason.data or "")
    except ValidationFailed as error:
        db.session.rollback()
        key = f"conflict-{application_id}"
        return _page(
            selection, {key: error.reasons}, {key: {"reason": form.reason.data or ""}}, 422
        )
    flash(
        _(
            "Your conflict of interest with %(name)s is recorded; you are recused from"
            " scoring them.",
            name=application.candidate.name,
        ),
        "success",
    )
    return redirect(
        url_for("committee.interview", selection_id=selection_id, _anchor=f"c{application_id}"),
        303,
    )
