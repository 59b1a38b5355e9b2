"""Workspace pages of the planning stage (routes on openbid.committee.blueprint.bp).

A new selection, then its plan: posts, committee, schedule, score weights and pass marks,
registration and eligibility parameters. Everyone on the workspace sees the plan; the
secretariat and the admin edit it while the selection is in draft. Every form re-shows what
was typed with the reasons when the service refuses it (422), and nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)

from openbid import clock
from openbid.auth import roles_required
from openbid.committee.blueprint import bp, load_selection, tab
from openbid.committee.fields import DayField, WholeNumberField, field_errors
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import CommitteeMember, Position, Role, Selection, SelectionEvent, User
from openbid.rules.committee import POSITION_LEVEL_LABELS, PositionLevel
from openbid.rules.eligibility import RANK_NAMES
from openbid.rules.reasons import N_, ValidationFailed
from openbid.rules.scoring import component_label
from openbid.stages import planning
from openbid.stages.announcement import DEFAULT_CLOSING_TIME
from openbid.workflow import available_events, definition_of, workflows
from openbid.workflow.engine import Context
from openbid.workflow.registry import GUARDS

tab("committee.planning", N_("Plan"), 10)

PLANNERS = (Role.SECRETARIAT, Role.ADMIN)
SCHEDULE_BLANK_ROWS = 3
UNIT_LABELS = {"calendar": N_("calendar days"), "working": N_("working days")}


# --- forms ------------------------------------------------------------------------------


class NewSelectionForm(FlaskForm):
    """Title, start date and the workflow definition of a new selection."""

    title = StringField(_l("Title"))
    start_date = DayField(_l("Start date"))
    workflow = SelectField(_l("Workflow (regulation version)"), validate_choice=False)


class PositionForm(FlaskForm):
    """A post to fill."""

    name = StringField(_l("Name of the post"))
    unit = StringField(_l("Unit"))
    level = SelectField(_l("Level of the post"), validate_choice=False)
    min_rank = SelectField(_l("Minimum rank"), validate_choice=False, default="IV/b")
    requirements = TextAreaField(_l("Specific requirements"))
    competencies = TextAreaField(_l("Required competencies"))


class MemberForm(FlaskForm):
    """A committee seat: an existing committee account or a new person."""

    user_id = SelectField(_l("Committee account"), validate_choice=False)
    new_name = StringField(_l("Name of a new person"))
    new_email = StringField(_l("Email of a new person"))
    committee_role = SelectField(_l("Role in the committee"), validate_choice=False)
    is_internal = SelectField(_l("Internal or external"), validate_choice=False)
    position_title = StringField(_l("Position (jabatan)"))
    institution = StringField(_l("Institution"))
    position_level = SelectField(_l("Position level"), validate_choice=False)
    is_bkn_official = BooleanField(_l("BKN official"))


class ScheduleRowForm(Form):
    """One stage of the schedule."""

    stage = StringField(_l("Stage"))
    starts_on = DayField(_l("From"))
    ends_on = DayField(_l("Until"))
    place = StringField(_l("Place"))


class ScheduleForm(FlaskForm):
    """The whole schedule, saved at once."""

    rows = FieldList(FormField(ScheduleRowForm))


class ScoringForm(FlaskForm):
    """Weights (percent) and pass marks per score component."""

    weight_track_record = StringField()
    weight_interview = StringField()
    weight_paper = StringField()
    weight_assessment = StringField()
    pass_track_record = StringField()
    pass_interview = StringField()
    pass_paper = StringField()
    pass_assessment = StringField()


class RegistrationForm(FlaskForm):
    """The registration window, minimum applicants, extensions and the age reference date."""

    registration_length = WholeNumberField(_l("Registration length"))
    registration_unit = SelectField(_l("Counted in"), validate_choice=False)
    closing_time = StringField(_l("Closing time (WIB)"))
    min_applicants = WholeNumberField(_l("Minimum of applicants per post"))
    extension_length = WholeNumberField(_l("Extension length"))
    extension_unit = SelectField(_l("Counted in"), validate_choice=False)
    extension_max_count = WholeNumberField(_l("Extensions allowed"))
    reference_date = DayField(_l("Age reference date"))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _level_choices(levels: Any) -> list[tuple[str, str]]:
    return [(str(int(level)), _(POSITION_LEVEL_LABELS[level])) for level in levels]


def _unit_choices() -> list[tuple[str, str]]:
    return [(unit, _(label)) for unit, label in UNIT_LABELS.items()]


def _rank_choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in RANK_NAMES.items()]


def _prepare_position_form(form: PositionForm) -> PositionForm:
    form.level.choices = _level_choices(planning.POST_LEVELS)
    form.min_rank.choices = _rank_choices()
    return form


def _prepare_member_form(form: MemberForm, candidates: list[User]) -> MemberForm:
    form.user_id.choices = [("", _("— a new person (enter name and email) —"))] + [
        (str(u.id), f"{u.name} · {u.email}") for u in candidates
    ]
    form.committee_role.choices = [
        ("member", _("Member")),
        ("chair", _("Chair")),
        ("secretary", _("Secretary")),
    ]
    form.is_internal.choices = [
        ("0", _("External (academic, professional, another agency)")),
        ("1", _("Internal (an official of this agency)")),
    ]
    form.position_level.choices = _level_choices(PositionLevel)
    return form


# --- page -------------------------------------------------------------------------------


def _can_plan(selection: Selection) -> bool:
    return current_user.role in PLANNERS and selection.state == planning.DRAFT


def _plan_checks(selection: Selection) -> dict[str, list]:
    """Run the plan's guards (posts, committee composition) for the live check."""
    definition = definition_of(selection)
    machine = definition.machine("selection")
    transition = (
        machine.find(SelectionEvent.SUBMIT_FOR_APPROVAL, planning.DRAFT) or machine.transitions[0]
    )
    ctx = Context(
        session=db.session,
        row=selection,
        selection=selection,
        actor=current_user,
        definition=definition,
        machine=machine,
        transition=transition,
        data={},
        params=definition.params(selection.parameters),
    )

    def run(name: str) -> list:
        result = GUARDS.get(name)(ctx)
        return [] if result is None else result if isinstance(result, list) else [result]

    return {"positions": run("has_positions"), "committee": run("committee_composition_valid")}


def _schedule_form(selection: Selection) -> ScheduleForm:
    rows = [
        {
            "stage": row.get("stage", ""),
            "starts_on": date.fromisoformat(row["starts_on"]) if row.get("starts_on") else None,
            "ends_on": date.fromisoformat(row["ends_on"]) if row.get("ends_on") else None,
            "place": row.get("place", ""),
        }
        for row in selection.schedule or []
    ]
    form = ScheduleForm(formdata=None, data={"rows": rows})
    for _i in range(SCHEDULE_BLANK_ROWS):
        form.rows.append_entry()
    return form


def _scoring_form(params: dict) -> ScoringForm:
    weights = params.get("weights") or {}
    marks = params.get("pass_marks") or {}
    data = {}
    for component in planning.SCORE_COMPONENTS:
        if component in weights:
            data[f"weight_{component}"] = planning.percent_text(weights[component])
        if component in marks:
            data[f"pass_{component}"] = str(marks[component])
    return ScoringForm(formdata=None, data=data)


def _registration_form(params: dict) -> RegistrationForm:
    registration = params.get("registration") or {}
    extension = params.get("extension") or {}
    eligibility = params.get("eligibility") or {}
    reference = eligibility.get("reference_date")
    form = RegistrationForm(
        formdata=None,
        data={
            "registration_length": registration.get("length"),
            "registration_unit": registration.get("unit"),
            "closing_time": registration.get("closing_time") or DEFAULT_CLOSING_TIME,
            "min_applicants": params.get("min_applicants_per_post"),
            "extension_length": extension.get("length"),
            "extension_unit": extension.get("unit"),
            "extension_max_count": extension.get("max_count"),
            "reference_date": date.fromisoformat(reference) if reference else None,
        },
    )
    return _prepare_registration_form(form)


def _prepare_registration_form(form: RegistrationForm) -> RegistrationForm:
    form.registration_unit.choices = _unit_choices()
    form.extension_unit.choices = _unit_choices()
    return form


def _committee_candidates(selection: Selection, seated: list[CommitteeMember]) -> list[User]:
    taken = {m.user_id for m in seated}
    users = db.session.scalars(
        sa.select(User)
        .where(
            User.agency_id == selection.agency_id,
            User.role == Role.COMMITTEE,
            User.active.is_(True),
        )
        .order_by(User.name)
    ).all()
    return [u for u in users if u.id not in taken]


def _page(
    selection: Selection,
    *,
    forms: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """Render the planning page; forms and errors replace a section's defaults after a POST."""
    forms = dict(forms or {})
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    positions = db.session.scalars(
        sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
    ).all()
    committee = db.session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.id)
    ).all()
    can_plan = _can_plan(selection)
    if can_plan:
        forms.setdefault("position", _prepare_position_form(PositionForm(formdata=None)))
        forms.setdefault(
            "member",
            _prepare_member_form(
                MemberForm(formdata=None), _committee_candidates(selection, committee)
            ),
        )
        forms.setdefault("schedule", _schedule_form(selection))
        forms.setdefault("scoring", _scoring_form(params))
        forms.setdefault("registration", _registration_form(params))
    events = [
        e
        for e in available_events(selection, current_user)
        if e.name == SelectionEvent.SUBMIT_FOR_APPROVAL
    ]
    return (
        render_template(
            "committee/planning.html",
            selection=selection,
            definition=definition,
            params=params,
            defaults=definition.parameters,
            positions=positions,
            committee=committee,
            checks=_plan_checks(selection),
            can_plan=can_plan,
            forms=forms,
            errors=errors or {},
            notice=notice,
            events=events,
            components=planning.SCORE_COMPONENTS,
            component_label=lambda c: _(component_label(c)),
            level_label=lambda level: _(POSITION_LEVEL_LABELS[PositionLevel(level)]),
            rank_name=lambda code: RANK_NAMES.get(code, ""),
            unit_label=lambda unit: _(UNIT_LABELS.get(unit, unit)),
            percent=planning.percent_text,
            suggestions=planning.SCHEDULE_SUGGESTIONS,
            default_closing_time=DEFAULT_CLOSING_TIME,
        ),
        status,
    )


def _refused(error: ValidationFailed) -> list[str]:
    return [reason_text(r) for r in error.reasons]


def _done(selection: Selection, message: str, anchor: str):
    flash(message, "success")
    return redirect(url_for("committee.planning", selection_id=selection.id, _anchor=anchor), 303)


@bp.route("/<int:selection_id>/plan", endpoint="planning")
def planning_page(selection_id: int):
    """Show the plan: posts, committee and its composition check, schedule, parameters."""
    return _page(load_selection(selection_id))


def _plannable(selection_id: int) -> Selection:
    selection = load_selection(selection_id)
    if current_user.role not in PLANNERS:
        abort(403)
    return selection


# --- new selection ----------------------------------------------------------------------


def _workflow_choices() -> list[tuple[str, str]]:
    choices = [("", _("Follow the start date (recommended)"))]
    for definition in workflows().all():
        until = definition.valid_until.strftime("%d-%m-%Y") if definition.valid_until else "…"
        choices.append(
            (
                definition.ident,
                _(
                    "%(title)s — for selections starting %(from)s to %(until)s",
                    title=definition.title,
                    **{"from": definition.valid_from.strftime("%d-%m-%Y"), "until": until},
                ),
            )
        )
    return choices


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def new_selection():
    """Create a selection: title, start date, the workflow definition (default by date)."""
    form = NewSelectionForm()
    form.workflow.choices = _workflow_choices()
    errors: list[str] = []
    status = 200
    if request.method == "GET":
        form.start_date.data = clock.today_jakarta()
    else:
        errors = [] if form.validate() else field_errors(form)
        # An unreadable start date reaches the service as None: it refuses, writing nothing.
        try:
            selection = planning.start_selection(
                current_user.agency,
                current_user,
                title=form.title.data or "",
                start_date=form.start_date.data,
                workflow=form.workflow.data or None,
            )
        except ValidationFailed as error:
            skip = {"selection.start"} if errors else set()
            errors += [reason_text(r) for r in error.reasons if r.code not in skip]
            status = 422
        else:
            flash(_("The selection was created in draft. Now plan it."), "success")
            return redirect(url_for("committee.planning", selection_id=selection.id), 303)
    default = None
    if form.start_date.data:
        try:
            default = workflows().for_date(form.start_date.data)
        except LookupError:
            default = None
    return (
        render_template(
            "committee/planning_new.html",
            form=form,
            errors=errors,
            definitions=workflows().all(),
            default=default,
        ),
        status,
    )


# --- posts ------------------------------------------------------------------------------


def _position_input(form: PositionForm) -> planning.PositionInput:
    return planning.PositionInput(
        name=form.name.data or "",
        unit=form.unit.data or "",
        level=_int_or_none(form.level.data),
        min_rank=form.min_rank.data or "",
        requirements=form.requirements.data or "",
        competencies=form.competencies.data or "",
    )


@bp.route("/<int:selection_id>/plan/positions", methods=["POST"])
def add_position(selection_id: int):
    """Add a post to the plan."""
    selection = _plannable(selection_id)
    form = _prepare_position_form(PositionForm())
    try:
        position = planning.add_position(selection, current_user, _position_input(form))
    except ValidationFailed as error:
        return _page(
            selection, forms={"position": form}, errors={"position": _refused(error)}, status=422
        )
    return _done(selection, _("Post added: %(name)s.", name=position.name), "posts")


@bp.route("/<int:selection_id>/plan/positions/<int:position_id>", methods=["GET", "POST"])
def edit_position(selection_id: int, position_id: int):
    """Show and save the form of one post."""
    selection = _plannable(selection_id)
    position = db.session.get(Position, position_id)
    if position is None or position.selection_id != selection.id:
        abort(404)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = _prepare_position_form(PositionForm())
        try:
            planning.update_position(selection, current_user, position_id, _position_input(form))
        except ValidationFailed as error:
            errors, status = _refused(error), 422
        else:
            return _done(selection, _("Post saved: %(name)s.", name=position.name), "posts")
    else:
        form = _prepare_position_form(
            PositionForm(
                formdata=None,
                data={
                    "name": position.name,
                    "unit": position.unit,
                    "level": str(position.level),
                    "min_rank": position.min_rank,
                    "requirements": position.requirements,
                    "competencies": position.competencies,
                },
            )
        )
    return (
        render_template(
            "committee/planning_position.html",
            selection=selection,
            position=position,
            form=form,
            errors=errors,
            can_plan=_can_plan(selection),
        ),
        status,
    )


@bp.route("/<int:selection_id>/plan/positions/<int:position_id>/remove", methods=["POST"])
def remove_position(selection_id: int, position_id: int):
    """Remove a post from the plan."""
    selection = _plannable(selection_id)
    try:
        planning.remove_position(selection, current_user, position_id)
    except ValidationFailed as error:
        return _page(selection, errors={"posts": _refused(error)}, status=422)
    return _done(selection, _("The post was removed."), "posts")


# --- committee --------------------------------------------------------------------------


@bp.route("/<int:selection_id>/plan/committee", methods=["POST"])
def seat_member(selection_id: int):
    """Seat an existing committee account or a new person on the committee."""
    selection = _plannable(selection_id)
    seated = db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.selection_id == selection.id)
    ).all()
    form = _prepare_member_form(MemberForm(), _committee_candidates(selection, seated))
    data = planning.MemberInput(
        committee_role=form.committee_role.data or "",
        is_internal=form.is_internal.data == "1",
        position_title=form.position_title.data or "",
        position_level=_int_or_none(form.position_level.data),
        institution=form.institution.data or "",
        is_bkn_official=bool(form.is_bkn_official.data),
        user_id=_int_or_none(form.user_id.data),
        new_name=form.new_name.data or "",
        new_email=form.new_email.data or "",
    )
    try:
        result = planning.seat_member(selection, current_user, data)
    except ValidationFailed as error:
        return _page(
            selection, forms={"member": form}, errors={"member": _refused(error)}, status=422
        )
    name = result.member.user.name
    if result.initial_password:
        # Shown once, on this page only (not flashed into the session cookie).
        notice = _(
            "%(name)s now has a committee account (%(email)s). Give them this initial"
            " password in person: %(password)s — they can change it with “Forgot password”.",
            name=name,
            email=result.member.user.email,
            password=result.initial_password,
        )
        return _page(selection, notice=notice)
    return _done(selection, _("%(name)s now sits on the committee.", name=name), "committee")


@bp.route("/<int:selection_id>/plan/committee/<int:member_id>/remove", methods=["POST"])
def remove_member(selection_id: int, member_id: int):
    """Remove a member from the committee."""
    selection = _plannable(selection_id)
    try:
        planning.remove_member(selection, current_user, member_id)
    except ValidationFailed as error:
        return _page(selection, errors={"committee": _refused(error)}, status=422)
    return _done(selection, _("The member was removed from the committee."), "committee")


# --- schedule, scoring, registration ----------------------------------------------------


def _blank(row: ScheduleRowForm) -> bool:
    """Return whether a schedule row was left empty (the spare rows of the form)."""
    typed = [row.stage.data, row.place.data]
    typed += [f.raw_data[0] if f.raw_data else "" for f in (row.starts_on, row.ends_on)]
    return not any((text or "").strip() for text in typed)


@bp.route("/<int:selection_id>/plan/schedule", methods=["POST"])
def save_schedule(selection_id: int):
    """Save the whole schedule; empty rows are left out."""
    selection = _plannable(selection_id)
    form = ScheduleForm()
    errors = field_errors(form) if not form.validate() else []
    rows = []
    for entry in form.rows.entries:
        row = entry.form
        if _blank(row):
            continue
        rows.append(
            planning.ScheduleInput(
                stage=row.stage.data or "",
                starts_on=row.starts_on.data,
                ends_on=row.ends_on.data,
                place=row.place.data or "",
            )
        )
    if not errors:
        try:
            planning.save_schedule(selection, current_user, rows)
        except ValidationFailed as error:
            errors = _refused(error)
    if errors:
        form.rows.append_entry()
        return _page(selection, forms={"schedule": form}, errors={"schedule": errors}, status=422)
    return _done(selection, _("The schedule was saved."), "schedule")


@bp.route("/<int:selection_id>/plan/scoring", methods=["POST"])
def save_scoring(selection_id: int):
    """Save the score weights and pass marks."""
    selection = _plannable(selection_id)
    form = ScoringForm()
    weights = {c: form[f"weight_{c}"].data for c in planning.SCORE_COMPONENTS}
    marks = {c: form[f"pass_{c}"].data for c in planning.SCORE_COMPONENTS}
    try:
        planning.save_scoring(selection, current_user, weights=weights, pass_marks=marks)
    except ValidationFailed as error:
        return _page(
            selection, forms={"scoring": form}, errors={"scoring": _refused(error)}, status=422
        )
    return _done(selection, _("The score weights and pass marks were saved."), "scoring")


@bp.route("/<int:selection_id>/plan/registration", methods=["POST"])
def save_registration(selection_id: int):
    """Save the registration, extension and eligibility parameters."""
    selection = _plannable(selection_id)
    form = _prepare_registration_form(RegistrationForm())
    errors = field_errors(form) if not form.validate() else []
    if not errors:
        data = planning.RegistrationInput(
            registration_length=form.registration_length.data,
            registration_unit=form.registration_unit.data or None,
            closing_time=form.closing_time.data or None,
            min_applicants=form.min_applicants.data,
            extension_length=form.extension_length.data,
            extension_unit=form.extension_unit.data or None,
            extension_max_count=form.extension_max_count.data,
            reference_date=form.reference_date.data,
        )
        try:
            planning.save_registration(selection, current_user, data)
        except ValidationFailed as error:
            errors = _refused(error)
    if errors:
        return _page(
            selection,
            forms={"registration": form},
            errors={"registration": errors},
            status=422,
        )
    return _done(selection, _("The registration settings were saved."), "registration")
