"""Workspace pages of the appointment stage (routes on openbid.committee.blueprint.bp).

The frozen ranking and three best per post; the secretariat records the override letters and
the oversight body's word on the results, corrects assessment figures and revises a post's
three best; the PPK picks one of the three per post.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qsl

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, StringField, TextAreaField

from openbid import storage
from openbid.auth import roles_required
from openbid.committee.blueprint import bp, load_application, load_selection, tab
from openbid.documents import formatting
from openbid.extensions import db
from openbid.models import Approval, Position, Role, Selection, SelectionEvent
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import appointment as service
from openbid.uploads import read_upload
from openbid.workflow import GuardFailed, available_events

tab("committee.appointment", N_("Appointment"), 60)


class LetterForm(FlaskForm):
    """An approval letter: who signed, number, date, subject, notes (the PDF is optional)."""

    authority = StringField()
    letter_number = StringField()
    letter_date = StringField()
    subject = StringField()
    notes = TextAreaField()


class ReasonForm(FlaskForm):
    """A written reason (a revision of the three best)."""

    reason = TextAreaField()


class CorrectionForm(FlaskForm):
    """A correction of one assessment figure, with its reason."""

    field = StringField()
    value = StringField()
    reason = TextAreaField()


class PickForm(FlaskForm):
    """The PPK's pick: the application's version as the page showed it."""

    version = HiddenField()


def _page(
    selection: Selection, errors: dict | None = None, values: dict | None = None, status: int = 200
):
    board = service.build_board(selection)
    filters = _back_filters() if request.method == "POST" else service.filters_from(request.args)
    events = [
        e for e in available_events(selection, current_user) if e.name == SelectionEvent.COMPLETE
    ]
    return (
        render_template(
            "committee/appointment.html",
            selection=selection,
            board=board,
            listing=service.ranking_page(board, filters),
            statuses=service.STATUSES,
            events=events,
            errors=errors or {},
            fmt_nip=formatting.nip,
            values=values or {},
            correctable=service.CORRECTABLE_FIELDS,
            tie_break_text=", ".join(_(term) for term in board.tie_break),
            can_manage=current_user.role == Role.SECRETARIAT
            and selection.state == service.APPOINTMENT_STATE,
            can_pick=current_user.role == Role.PPK and selection.state == service.APPOINTMENT_STATE,
        ),
        status,
    )


def _position(selection: Selection, position_id: int) -> Position:
    """Return a post of this selection.

    :raises NotFound: 404 for a post of another selection.
    """
    position = db.session.get(Position, position_id)
    if position is None or position.selection_id != selection.id:
        abort(404)
    return position


def _letter_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _upload() -> tuple[bytes | None, list[Reason]]:
    """Return the optional PDF of the form, or why it cannot be read."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, []
    data, reasons = read_upload(upload, current_app.config["UPLOAD_MAX_BYTES"])
    return (None if reasons else data), reasons


def _letter_values(form: LetterForm) -> dict:
    return {
        name: getattr(form, name).data or ""
        for name in ("authority", "letter_number", "letter_date", "subject", "notes")
    }


def _back_filters():
    """Return the list's filters and page a form was sent from (none without ``back``)."""
    return service.filters_from(MultiDict(parse_qsl(request.form.get("back", ""))))


def _done(selection_id: int, message: str, anchor: str = "") -> object:
    """Flash the message and return to the page, its filters and the part acted on."""
    flash(message, "success")
    return redirect(
        url_for(
            "committee.appointment",
            selection_id=selection_id,
            **_back_filters().args(),
            _anchor=anchor or None,
        ),
        303,
    )


@bp.route("/<int:selection_id>/appointment")
def appointment(selection_id: int):
    """Show each post's frozen ranking and three best, the approvals, and the PPK's pick."""
    return _page(load_selection(selection_id))


@bp.route("/<int:selection_id>/appointment/<int:position_id>/override", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def record_override(selection_id: int, position_id: int):
    """Record the approval to proceed with fewer than three qualified in a post."""
    selection = load_selection(selection_id)
    position = _position(selection, position_id)
    return _letter(
        selection,
        f"override-{position_id}",
        lambda form, pdf: service.record_override_letter(
            position,
            current_user,
            authority=form.authority.data or "",
            letter_number=form.letter_number.data or "",
            letter_date=_letter_date(form.letter_date.data),
            subject=form.subject.data or "",
            notes=form.notes.data or "",
            pdf=pdf,
        ),
        _("The override for %(post)s is recorded.", post=position.name),
        f"p{position_id}",
    )


@bp.route("/<int:selection_id>/appointment/recommendation", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def record_recommendation(selection_id: int):
    """Record the oversight body's word on the results (KASN recommendation, BKN validation)."""
    selection = load_selection(selection_id)
    return _letter(
        selection,
        "recommendation",
        lambda form, pdf: service.record_result_letter(
            selection,
            current_user,
            letter_number=form.letter_number.data or "",
            letter_date=_letter_date(form.letter_date.data),
            subject=form.subject.data or "",
            notes=form.notes.data or "",
            pdf=pdf,
        ),
        _("The letter is recorded."),
        "recommendation",
    )


def _letter(
    selection: Selection,
    key: str,
    record: Callable[[LetterForm, bytes | None], object],
    done: str,
    anchor: str,
):
    """Record a letter with its uploaded PDF; the page again with the reasons when refused."""
    form = LetterForm()
    pdf, reasons = _upload()
    try:
        if reasons:
            raise ValidationFailed(reasons)
        record(form, pdf)
    except ValidationFailed as error:
        db.session.rollback()
        return _page(selection, {key: error.reasons}, {key: _letter_values(form)}, 422)
    return _done(selection.id, done, anchor)


@bp.route("/<int:selection_id>/appointment/<int:position_id>/revise", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def revise(selection_id: int, position_id: int):
    """Recompute a post's ranking and freeze it as a new revision, with the reason."""
    selection = load_selection(selection_id)
    position = _position(selection, position_id)
    form = ReasonForm()
    key = f"revise-{position_id}"
    try:
        result = service.revise_shortlist(position, current_user, form.reason.data or "")
    except (ValidationFailed, GuardFailed) as error:
        db.session.rollback()
        return _page(
            selection, {key: error.reasons}, {key: {"reason": form.reason.data or ""}}, 422
        )
    return _done(
        selection_id,
        _(
            "Revision %(revision)d of the three best of %(post)s is frozen.",
            revision=result.revision,
            post=position.name,
        ),
        f"p{position_id}",
    )


@bp.route("/<int:selection_id>/appointment/<int:position_id>/correct", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def correct(selection_id: int, position_id: int):
    """Correct one assessment figure of a candidate of the post, with the reason."""
    selection = load_selection(selection_id)
    position = _position(selection, position_id)
    form = CorrectionForm()
    key = f"correct-{position_id}"
    values = {
        key: {
            "application_id": request.form.get("application_id", ""),
            "field": form.field.data or "",
            "value": form.value.data or "",
            "reason": form.reason.data or "",
        }
    }
    try:
        application_id = int(request.form.get("application_id", ""))
    except ValueError:
        return _page(
            selection,
            {key: [Reason("appointment.choose_candidate", N_("Choose the candidate."))]},
            values,
            422,
        )
    application = load_application(selection, application_id)
    if application.position_id != position.id:
        abort(404)
    try:
        service.correct_assessment(
            application,
            current_user,
            field=form.field.data or "",
            value=form.value.data,
            reason=form.reason.data or "",
        )
    except ValidationFailed as error:
        db.session.rollback()
        return _page(selection, {key: error.reasons}, values, 422)
    return _done(
        selection_id,
        _(
            "The correction for %(name)s is recorded; revise the three best of %(post)s to"
            " apply it.",
            name=application.candidate.name,
            post=position.name,
        ),
        f"p{position_id}",
    )


@bp.route("/<int:selection_id>/appointment/pick/<int:application_id>", methods=["POST"])
@roles_required(Role.PPK)
def pick(selection_id: int, application_id: int):
    """Appoint one of a post's three best, as the PPK."""
    selection = load_selection(selection_id)
    application = load_application(selection, application_id)
    form = PickForm()
    try:
        expected = int(form.version.data or "")
    except ValueError:
        abort(400)
    key = f"pick-{application.position_id}"
    try:
        service.appoint(application, current_user, expected_version=expected)
    except GuardFailed as error:
        db.session.rollback()
        return _page(selection, {key: error.reasons}, None, 422)
    return _done(
        selection_id,
        _(
            "%(name)s is appointed to %(post)s.",
            name=application.candidate.name,
            post=application.position.name,
        ),
        f"p{application.position_id}",
    )


@bp.route("/<int:selection_id>/appointment/letters/<int:approval_id>")
def letter(selection_id: int, approval_id: int):
    """Return the PDF of an override or a result recommendation of this selection."""
    selection = load_selection(selection_id)
    approval = db.session.get(Approval, approval_id)
    if (
        approval is None
        or approval.selection_id != selection.id
        or approval.file is None
        or not (
            approval.purpose == service.RESULT_RECOMMENDATION
            or approval.purpose.startswith(service.OVERRIDE_PREFIX)
        )
    ):
        abort(404)
    response = current_app.response_class(storage.read(approval.file), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="letter-{approval.id}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
