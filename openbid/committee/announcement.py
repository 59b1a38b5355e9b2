"""Workspace pages of the approval and announcement stages (routes on the workspace blueprint).

The Approval tab records the oversight body's letter and the other gates, the election
windows that turn on the Home Affairs Minister's permission, and publishes the
announcement. The Announcement tab shows the registration window in WIB, each post's
applicants against the minimum, the extensions made, and the forms to extend, drop a post
and close registration. Every button comes from ``available_events``: a disabled one shows
its reasons.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import FileField, SelectField, StringField, TextAreaField

from openbid import clock, progress, storage
from openbid.committee.blueprint import bp, load_selection, tab
from openbid.committee.fields import DayField, field_errors, only_required_failed
from openbid.committee.views import OVERVIEW, queue_event
from openbid.extensions import db
from openbid.i18n import reason_text, short_date, short_wib
from openbid.models import (
    ApplicationState,
    Approval,
    Position,
    Role,
    Selection,
    SelectionEvent,
    SelectionState,
)
from openbid.rules.reasons import N_, ValidationFailed
from openbid.stages import announcement as service
from openbid.stages import documents, oversight
from openbid.uploads import read_upload
from openbid.workflow import GuardFailed, available_events, definition_of

tab("committee.approval", N_("Approval"), 15)
tab("committee.announcement", N_("Announcement"), 20)

STAFF = (Role.SECRETARIAT, Role.ADMIN)
UNIT_LABELS = {"calendar": N_("calendar days"), "working": N_("working days")}
# The service's "enter the date" reason for each date field, left out when the field
# already says the typed text is not a date.
MISSING_DATE_CODES = {
    "letter_date": "letter.date",
    "starts_on": "election.from",
    "ends_on": "election.until",
}
# The announcement page's buttons.
STAGE_EVENTS = (
    SelectionEvent.PUBLISH_ANNOUNCEMENT,
    SelectionEvent.REQUEST_EXTENSION,
    SelectionEvent.EXTEND_REGISTRATION,
    SelectionEvent.DROP_POSITION,
    SelectionEvent.CLOSE_REGISTRATION,
)
REQUIRED_BY = {
    "definition": N_("required by the regulation"),
    "selection": N_("required for this selection"),
    "election_window": N_("required: the selection runs inside an election window"),
    "": N_("optional"),
}


class LetterForm(FlaskForm):
    """An approval letter: number, date, subject and the scanned PDF."""

    number = StringField(_l("Letter number"))
    letter_date = DayField(_l("Letter date"))
    subject = StringField(_l("Subject (perihal)"))
    pdf = FileField(_l("Scanned letter (PDF)"))


class ExtensionForm(LetterForm):
    """The reason for an extension and its approval letter."""

    reason = TextAreaField(_l("Reason for the extension"))


class DropForm(FlaskForm):
    """A post to drop and why."""

    position_id = SelectField(_l("Post"), validate_choice=False)
    reason = TextAreaField(_l("Reason"))


class WindowForm(FlaskForm):
    """An election window."""

    starts_on = DayField(_l("From"))
    ends_on = DayField(_l("Until"))
    reason = StringField(_l("What it is"))


def _staff_only(selection_id: int) -> Selection:
    selection = load_selection(selection_id)
    if current_user.role not in STAFF:
        abort(403)
    return selection


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _pdf(form: LetterForm) -> tuple[bytes | None, str, list]:
    """Return the uploaded PDF's bytes (None when no file was chosen), its name and reasons."""
    upload = request.files.get(form.pdf.name)
    if upload is None or not upload.filename:
        return None, "", []
    data, reasons = read_upload(upload, current_app.config["UPLOAD_MAX_BYTES"])
    return data or None, upload.filename[:200], reasons


def _other_reasons(error: ValidationFailed, form: FlaskForm) -> list[str]:
    """Return the service's reasons, minus "enter the date" where the date failed to parse."""
    unparsed = {field.short_name for field in form if field.errors}
    skip = {code for name, code in MISSING_DATE_CODES.items() if name in unparsed}
    return [reason_text(r) for r in error.reasons if r.code not in skip]


def _letter_values(form: LetterForm) -> dict:
    return {
        "letter_number": form.number.data or "",
        "letter_date": form.letter_date.data,
        "subject": form.subject.data or "",
    }


def _events(selection: Selection, *names: str) -> dict[str, object]:
    return {e.name: e for e in available_events(selection, current_user) if e.name in names}


# --- approval ---------------------------------------------------------------------------


def _gate_waits(selection: Selection) -> list:
    """Return the oversight gates' working days waited, for the approval page."""
    level = oversight.service_level(db.session, definition_of(selection).oversight_body)
    return oversight.gate_waits(db.session, selection, level)


def _approval_page(
    selection: Selection,
    *,
    errors: dict[str, list[str]] | None = None,
    forms: dict[str, FlaskForm] | None = None,
    status: int = 200,
):
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    today = clock.today_jakarta()
    statuses = service.gate_statuses(db.session, selection, definition, params, today)
    preview = None
    if selection.state in service.LETTER_STATES:
        try:
            preview = service.registration_window(db.session, selection, params, clock.now())
        except ValueError:
            preview = None
    can_edit = current_user.role in STAFF and selection.state in service.LETTER_STATES
    forms = dict(forms or {})
    if can_edit:
        for status_ in statuses:
            forms.setdefault(f"gate:{status_.code}", LetterForm(formdata=None, prefix=status_.code))
        forms.setdefault("window", WindowForm(formdata=None))
    return (
        render_template(
            "committee/announcement_approval.html",
            selection=selection,
            definition=definition,
            statuses=statuses,
            windows=list(enumerate(service.election_windows(params))),
            preview=preview,
            today=today,
            can_edit=can_edit,
            forms=forms,
            errors=errors or {},
            events=_events(
                selection, SelectionEvent.PUBLISH_ANNOUNCEMENT, SelectionEvent.SUBMIT_FOR_APPROVAL
            ),
            waits=_gate_waits(selection),
            required_by=lambda key: _(REQUIRED_BY.get(key, key)),
            unit_label=lambda unit: _(UNIT_LABELS.get(unit, unit)),
            wib=short_wib,
            day=short_date,
        ),
        status,
    )


@bp.route("/<int:selection_id>/approval")
def approval(selection_id: int):
    """Show the approval gates, their letters, the election windows and the publish button."""
    return _approval_page(load_selection(selection_id))


@bp.route("/<int:selection_id>/approval/gates/<code>", methods=["POST"])
def record_gate(selection_id: int, code: str):
    """Record the letter of one approval gate."""
    selection = _staff_only(selection_id)
    form = LetterForm(prefix=code)
    errors = field_errors(form) if not form.validate() else []
    pdf, filename, upload_reasons = _pdf(form)
    errors += [reason_text(r) for r in upload_reasons]
    if not upload_reasons and only_required_failed(form, {"letter_date"}):
        try:
            service.record_gate_letter(
                selection,
                current_user,
                gate=code,
                pdf=pdf,
                filename=filename,
                **_letter_values(form),
            )
        except ValidationFailed as error:
            errors += _other_reasons(error, form)
    if errors:
        return _approval_page(
            selection, errors={f"gate:{code}": errors}, forms={f"gate:{code}": form}, status=422
        )
    flash(_("The letter was recorded."), "success")
    return redirect(url_for("committee.approval", selection_id=selection.id), 303)


@bp.route("/<int:selection_id>/approval/required-gates", methods=["POST"])
def required_gates(selection_id: int):
    """Mark which optional gates this selection requires."""
    selection = _staff_only(selection_id)
    codes = request.form.getlist("required")
    try:
        service.set_required_gates(selection, current_user, codes)
    except ValidationFailed as error:
        return _approval_page(
            selection, errors={"gates": [reason_text(r) for r in error.reasons]}, status=422
        )
    flash(_("The required letters were saved."), "success")
    return redirect(url_for("committee.approval", selection_id=selection.id), 303)


@bp.route("/<int:selection_id>/approval/election-windows", methods=["POST"])
def add_window(selection_id: int):
    """Add an election window."""
    selection = _staff_only(selection_id)
    form = WindowForm()
    errors = field_errors(form) if not form.validate() else []
    if only_required_failed(form, {"starts_on", "ends_on"}):
        try:
            service.add_election_window(
                selection,
                current_user,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                reason=form.reason.data or "",
            )
        except ValidationFailed as error:
            errors += _other_reasons(error, form)
    if errors:
        return _approval_page(
            selection, errors={"window": errors}, forms={"window": form}, status=422
        )
    flash(_("The election window was added."), "success")
    return redirect(
        url_for("committee.approval", selection_id=selection.id, _anchor="windows"), 303
    )


@bp.route("/<int:selection_id>/approval/election-windows/<int:index>/remove", methods=["POST"])
def remove_window(selection_id: int, index: int):
    """Remove an election window."""
    selection = _staff_only(selection_id)
    try:
        service.remove_election_window(selection, current_user, index)
    except ValidationFailed as error:
        return _approval_page(
            selection, errors={"window": [reason_text(r) for r in error.reasons]}, status=422
        )
    flash(_("The election window was removed."), "success")
    return redirect(
        url_for("committee.approval", selection_id=selection.id, _anchor="windows"), 303
    )


@bp.route("/<int:selection_id>/letters/<int:approval_id>")
def letter_file(selection_id: int, approval_id: int):
    """Send the scanned PDF of an approval letter of this selection."""
    selection = load_selection(selection_id)
    approval_row = db.session.get(Approval, approval_id)
    if (
        approval_row is None
        or approval_row.selection_id != selection.id
        or approval_row.file is None
    ):
        abort(404)
    safe = "".join(c if c.isalnum() else "-" for c in approval_row.letter_number)[:60]
    return send_file(
        io.BytesIO(storage.read(approval_row.file)),
        mimetype="application/pdf",
        download_name=f"{approval_row.purpose.replace(':', '-')}-{safe}.pdf",
    )


def _fire_and_return(selection: Selection, action, back: str, onward: str, done: str):
    """Run a service that fires an event: on refusal flash its reasons and go back."""
    try:
        action()
    except GuardFailed as error:
        for reason in error.reasons:
            flash(reason_text(reason), "error")
        return redirect(url_for(back, selection_id=selection.id), 303)
    flash(done, "success")
    return redirect(url_for(onward, selection_id=selection.id), 303)


@bp.route("/<int:selection_id>/approval/publish", methods=["POST"])
def publish(selection_id: int):
    """Publish the announcement and open registration, in a job (it issues the
    announcement): the answer is the overview's progress area."""
    selection = _staff_only(selection_id)
    return queue_event(
        selection, SelectionEvent.PUBLISH_ANNOUNCEMENT, {}, _version(), "committee.approval"
    )


# --- announcement -----------------------------------------------------------------------


def _announcement_forms(forms: dict[str, FlaskForm], short: list[Position]) -> dict[str, FlaskForm]:
    """Return the forms to extend registration and to drop one of the short posts."""
    forms.setdefault("extension", ExtensionForm(formdata=None))
    drop = forms.setdefault("drop", DropForm(formdata=None, prefix="drop"))
    drop.position_id.choices = [("", _("— choose a post —"))] + [(str(p.id), p.name) for p in short]
    return forms


def _announcement_page(
    selection: Selection,
    *,
    errors: dict[str, list[str]] | None = None,
    forms: dict[str, FlaskForm] | None = None,
    status: int = 200,
):
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    positions = db.session.scalars(
        sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
    ).all()
    per_post = service.application_counts(db.session, selection.id)
    minimum = service.min_applicants(params)
    length, unit, closing = service.registration_settings(params)
    ext_length, ext_unit, ext_max = service.extension_settings(params)
    closes_at = selection.registration_closes_at
    can_act = current_user.role in STAFF and selection.state == SelectionState.ANNOUNCEMENT
    forms = dict(forms or {})
    if can_act:
        short = [
            p
            for p in positions
            if p.is_open and per_post.get(p.id, {}).get(ApplicationState.SUBMITTED, 0) < minimum
        ]
        forms = _announcement_forms(forms, short)
    return (
        render_template(
            "committee/announcement.html",
            selection=selection,
            definition=definition,
            positions=positions,
            per_post=per_post,
            minimum=minimum,
            extensions=service.registration_extensions(db.session, selection.id),
            names={p.id: p.name for p in positions},
            window={"length": length, "unit": unit, "closing": closing},
            extension={"length": ext_length, "unit": ext_unit, "max": ext_max},
            is_open=bool(closes_at and clock.now() < closes_at),
            events=_events(selection, *STAGE_EVENTS),
            waits=_gate_waits(selection),
            can_act=can_act,
            forms=forms,
            errors=errors or {},
            wib=short_wib,
            unit_label=lambda u: _(UNIT_LABELS.get(u, u)),
        ),
        status,
    )


@bp.route("/<int:selection_id>/announcement")
def announcement(selection_id: int):
    """Show the registration window, applicants per post, extensions and the stage's buttons."""
    return _announcement_page(load_selection(selection_id))


@bp.route("/<int:selection_id>/announcement/extend", methods=["POST"])
def extend(selection_id: int):
    """Record the extension's approval letter and extend registration, in one transaction."""
    selection = _staff_only(selection_id)
    version = _version()
    form = ExtensionForm()
    errors = field_errors(form) if not form.validate() else []
    pdf, filename, upload_reasons = _pdf(form)
    errors += [reason_text(r) for r in upload_reasons]
    if not upload_reasons and only_required_failed(form, {"letter_date"}):
        try:
            fired = service.extend_registration(
                selection,
                current_user,
                reason=form.reason.data or "",
                pdf=pdf,
                filename=filename,
                expected_version=version,
                **_letter_values(form),
            )
        except ValidationFailed as error:
            errors += _other_reasons(error, form)
        except GuardFailed as error:
            errors += [reason_text(r) for r in error.reasons]
    if errors:
        selection = load_selection(selection_id)
        return _announcement_page(
            selection, errors={"extension": errors}, forms={"extension": form}, status=422
        )
    # The notice was numbered in the transaction; its job shows on the overview.
    job = documents.track_fired(selection, current_user, fired)
    return progress.job_answer(selection, job, page=OVERVIEW, back="committee.announcement")


@bp.route("/<int:selection_id>/announcement/drop", methods=["POST"])
def drop(selection_id: int):
    """Drop a post still short of applicants."""
    selection = _staff_only(selection_id)
    version = _version()
    form = DropForm(prefix="drop")
    try:
        service.drop_position(
            selection,
            current_user,
            position_id=form.position_id.data or "",
            reason=form.reason.data or "",
            expected_version=version,
        )
    except (ValidationFailed, GuardFailed) as error:
        selection = load_selection(selection_id)
        return _announcement_page(
            selection,
            errors={"drop": [reason_text(r) for r in error.reasons]},
            forms={"drop": form},
            status=422,
        )
    flash(_("The post was dropped and its applications closed."), "success")
    return redirect(url_for("committee.announcement", selection_id=selection.id), 303)


@bp.route("/<int:selection_id>/announcement/close", methods=["POST"])
def close(selection_id: int):
    """Close registration and start administrative screening."""
    selection = _staff_only(selection_id)
    version = _version()
    return _fire_and_return(
        selection,
        lambda: service.close_registration(selection, current_user, expected_version=version),
        "committee.announcement",
        "committee.announcement",
        _("Registration is closed; administrative screening has started."),
    )
