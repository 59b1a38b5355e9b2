"""The forms of the planning pages, filled from the plan and read into the service's inputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from openbid.committee.fields import DayField, WholeNumberField
from openbid.i18n import short_date
from openbid.models import CommitteeMember, Position, Selection, User
from openbid.rules.committee import POSITION_LEVEL_LABELS, PositionLevel
from openbid.rules.eligibility import RANK_NAMES
from openbid.rules.reasons import N_
from openbid.stages import planning
from openbid.workflow import workflows

SCHEDULE_BLANK_ROWS = 3
UNIT_LABELS = {"calendar": N_("calendar days"), "working": N_("working days")}


class NewSelectionForm(FlaskForm):
    """Title, start date and the workflow definition of a new selection."""

    title = StringField(_l("Title"))
    start_date = DayField(_l("Start date"))
    workflow = SelectField(_l("Workflow (regulation version)"), validate_choice=False)


class PositionForm(FlaskForm):
    """A post to fill; the minimum rank starts at the selection's general minimum."""

    name = StringField(_l("Name of the post"))
    unit = StringField(_l("Unit"))
    level = SelectField(_l("Level of the post"), validate_choice=False)
    min_rank = SelectField(_l("Minimum rank"), validate_choice=False)
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
    time = StringField(_l("Time (WIB)"))
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


# --- choices ----------------------------------------------------------------------------


def int_or_none(value: Any) -> int | None:
    """Return value as a whole number, or None when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _level_choices(levels: Iterable[PositionLevel]) -> list[tuple[str, str]]:
    return [(str(int(level)), _(POSITION_LEVEL_LABELS[level])) for level in levels]


def _unit_choices() -> list[tuple[str, str]]:
    return [(unit, _(label)) for unit, label in UNIT_LABELS.items()]


def _rank_choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in RANK_NAMES.items()]


def workflow_choices() -> list[tuple[str, str]]:
    """The definitions a new selection may follow, after "follow the start date"."""
    choices = [("", _("Follow the start date (recommended)"))]
    for definition in workflows().all():
        until = short_date(definition.valid_until) if definition.valid_until else "…"
        choices.append(
            (
                definition.ident,
                _(
                    "%(title)s — for selections starting %(from)s to %(until)s",
                    title=definition.title,
                    **{"from": short_date(definition.valid_from), "until": until},
                ),
            )
        )
    return choices


# --- filled forms -----------------------------------------------------------------------


def position_form(form: PositionForm) -> PositionForm:
    """Give a post's form its choices of level and rank."""
    form.level.choices = _level_choices(planning.POST_LEVELS)
    form.min_rank.choices = _rank_choices()
    return form


def blank_position_form(selection: Selection) -> PositionForm:
    """An empty post form, its minimum rank the selection's general minimum."""
    data = {"min_rank": planning.general_min_rank(selection)}
    return position_form(PositionForm(formdata=None, data=data))


def saved_position_form(position: Position) -> PositionForm:
    """A post's form filled with what is saved."""
    data = {
        "name": position.name,
        "unit": position.unit,
        "level": str(position.level),
        "min_rank": position.min_rank,
        "requirements": position.requirements,
        "competencies": position.competencies,
    }
    return position_form(PositionForm(formdata=None, data=data))


def member_form(form: MemberForm, candidates: Sequence[User]) -> MemberForm:
    """Give a seat's form its choices: the accounts to seat, roles, sides, levels."""
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


def blank_member_form(selection: Selection, seated: Sequence[CommitteeMember]) -> MemberForm:
    """An empty seat form offering the agency's committee accounts not yet seated."""
    return member_form(MemberForm(formdata=None), planning.committee_candidates(selection, seated))


def schedule_form(selection: Selection) -> ScheduleForm:
    """The saved schedule, with spare rows to add stages."""
    rows = [
        {
            "stage": row.get("stage", ""),
            "starts_on": date.fromisoformat(row["starts_on"]) if row.get("starts_on") else None,
            "ends_on": date.fromisoformat(row["ends_on"]) if row.get("ends_on") else None,
            "time": row.get("time", ""),
            "place": row.get("place", ""),
        }
        for row in selection.schedule or []
    ]
    form = ScheduleForm(formdata=None, data={"rows": rows})
    for _i in range(SCHEDULE_BLANK_ROWS):
        form.rows.append_entry()
    return form


def scoring_form(params: dict) -> ScoringForm:
    """The weights (as percent) and pass marks in force."""
    weights = params.get("weights") or {}
    marks = params.get("pass_marks") or {}
    data = {}
    for component in planning.SCORE_COMPONENTS:
        if component in weights:
            data[f"weight_{component}"] = planning.percent_text(weights[component])
        if component in marks:
            data[f"pass_{component}"] = str(marks[component])
    return ScoringForm(formdata=None, data=data)


def registration_form(form: RegistrationForm) -> RegistrationForm:
    """Give the registration form its choices of units."""
    form.registration_unit.choices = _unit_choices()
    form.extension_unit.choices = _unit_choices()
    return form


def saved_registration_form(params: dict) -> RegistrationForm:
    """The registration settings in force (the definition's, with the selection's overrides)."""
    registration = params.get("registration") or {}
    extension = params.get("extension") or {}
    eligibility = params.get("eligibility") or {}
    reference = eligibility.get("reference_date")
    data = {
        "registration_length": registration.get("length"),
        "registration_unit": registration.get("unit"),
        "closing_time": registration.get("closing_time"),
        "min_applicants": params.get("min_applicants_per_post"),
        "extension_length": extension.get("length"),
        "extension_unit": extension.get("unit"),
        "extension_max_count": extension.get("max_count"),
        "reference_date": date.fromisoformat(reference) if reference else None,
    }
    return registration_form(RegistrationForm(formdata=None, data=data))


# --- read into the service's inputs ------------------------------------------------------


def position_input(form: PositionForm) -> planning.PositionInput:
    """The post as typed; a rank not sent at all is the selection's general minimum."""
    return planning.PositionInput(
        name=form.name.data or "",
        unit=form.unit.data or "",
        level=int_or_none(form.level.data),
        min_rank=form.min_rank.data,
        requirements=form.requirements.data or "",
        competencies=form.competencies.data or "",
    )


def member_input(form: MemberForm) -> planning.MemberInput:
    """The seat as typed."""
    return planning.MemberInput(
        committee_role=form.committee_role.data or "",
        is_internal=form.is_internal.data == "1",
        position_title=form.position_title.data or "",
        position_level=int_or_none(form.position_level.data),
        institution=form.institution.data or "",
        is_bkn_official=bool(form.is_bkn_official.data),
        user_id=int_or_none(form.user_id.data),
        new_name=form.new_name.data or "",
        new_email=form.new_email.data or "",
    )


def _blank(row: ScheduleRowForm) -> bool:
    """Return whether a schedule row was left empty (the spare rows of the form)."""
    typed = [row.stage.data, row.time.data, row.place.data]
    typed += [f.raw_data[0] if f.raw_data else "" for f in (row.starts_on, row.ends_on)]
    return not any((text or "").strip() for text in typed)


def schedule_input(form: ScheduleForm) -> list[planning.ScheduleInput]:
    """The schedule's rows as typed; empty rows are left out."""
    return [
        planning.ScheduleInput(
            stage=row.stage.data or "",
            starts_on=row.starts_on.data,
            ends_on=row.ends_on.data,
            place=row.place.data or "",
            time=row.time.data or "",
        )
        for row in (entry.form for entry in form.rows.entries)
        if not _blank(row)
    ]


def registration_input(form: RegistrationForm) -> planning.RegistrationInput:
    """The settings as typed; an empty field keeps the definition's default."""
    return planning.RegistrationInput(
        registration_length=form.registration_length.data,
        registration_unit=form.registration_unit.data or None,
        closing_time=form.closing_time.data or None,
        min_applicants=form.min_applicants.data,
        extension_length=form.extension_length.data,
        extension_unit=form.extension_unit.data or None,
        extension_max_count=form.extension_max_count.data,
        reference_date=form.reference_date.data,
    )
