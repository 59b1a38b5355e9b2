"""The draft stage: a new selection, its posts, committee, schedule and parameters.

Every edit is allowed only while the selection is in draft, validates everything before
writing, locks the selection row (so it cannot race the event that sends the plan for
approval), writes with its audit event and commits: nothing is ever half-written.

Parameters are stored in ``Selection.parameters`` as overrides of the definition's
defaults: a value equal to the default is not stored, so the overrides say exactly what
this selection changed.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from openbid import audit
from openbid.extensions import db
from openbid.models import (
    Agency,
    Application,
    CommitteeMember,
    CommitteeRole,
    Position,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.calendar import WINDOW_UNITS, parse_closing_time
from openbid.rules.committee import PositionLevel
from openbid.rules.eligibility import InvalidRank, normalize_rank
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.rules.reasons import percent_text as reasons_percent_text
from openbid.rules.scoring import COMPONENT_LABELS, Weights, component_label
from openbid.stages.announcement import DEFAULT_CLOSING_TIME, day_text
from openbid.stages.planning import selections
from openbid.workflow import Forbidden, WorkflowDefinition, definition_of, workflows

PLAN_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})
DRAFT = SelectionState.DRAFT
SCORE_COMPONENTS = tuple(COMPONENT_LABELS)  # track_record, interview, paper, assessment
# Posts filled by open selection are JPT posts; lower levels are for committee members.
POST_LEVELS = (PositionLevel.JPT_PRATAMA, PositionLevel.JPT_MADYA, PositionLevel.JPT_UTAMA)
MAX_SCHEDULE_ROWS = 30
# Stage names as announcements print them; offered as suggestions for the schedule.
SCHEDULE_SUGGESTIONS = (
    "Pengumuman dan pendaftaran",
    "Seleksi administrasi",
    "Pengumuman hasil seleksi administrasi",
    "Penelusuran rekam jejak",
    "Penilaian kompetensi (assessment center)",
    "Penulisan dan presentasi makalah",
    "Wawancara akhir",
    "Tes kesehatan dan kejiwaan",
    "Pengumuman hasil akhir (tiga besar)",
)


def _forbid_unless_planner(agency_id: int, actor: User) -> None:
    """Refuse anyone but the agency's secretariat or admin.

    :raises Forbidden: for another role or another agency.
    """
    if actor.role not in PLAN_ROLES:
        raise Forbidden(
            Reason(
                "access.role",
                N_("Your role (%(role)s) may not do this; allowed: %(allowed)s."),
                {"role": str(actor.role), "allowed": "admin, secretariat"},
            )
        )
    if actor.agency_id != agency_id:
        raise Forbidden(
            Reason("access.other_agency", N_("This selection belongs to another agency."))
        )


def lock_draft(selection: Selection, actor: User) -> Selection:
    """Check the actor may plan, lock the selection row and check it is still in draft.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: when the selection has left draft.
    """
    _forbid_unless_planner(selection.agency_id, actor)
    locked = db.session.scalars(
        sa.select(Selection)
        .where(Selection.id == selection.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.state != DRAFT:
        label = definition_of(locked).machine("selection").state_label(locked.state)
        raise ValidationFailed(
            Reason(
                "selection.locked",
                N_("This can only be changed while the selection is in draft (now: %(state)s)."),
                {"state": Term(label)},
            )
        )
    return locked


def _text(value: str | None) -> str:
    return (value or "").strip()


def _too_long(code: str, label: str, value: str, limit: int) -> list[Reason]:
    if len(value) <= limit:
        return []
    return [
        Reason(
            code,
            N_("The %(field)s is longer than %(limit)d characters."),
            {"field": Term(label), "limit": limit},
        )
    ]


# --- a new selection --------------------------------------------------------------------


def start_selection(
    agency: Agency,
    actor: User,
    *,
    title: str,
    start_date: date | None,
    workflow: str | WorkflowDefinition | None = None,
) -> Selection:
    """Create a draft selection; the definition follows the start date unless one is chosen.

    ``workflow`` is a definition or its ident ``"key@version"``; a chosen definition must
    apply on the start date (KASN's until 30 October 2023, BKN's from the day after).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: on an empty or long title, no start date, or a definition that
        is not installed or does not apply on the start date.
    """
    _forbid_unless_planner(agency.id, actor)
    title = _text(title)
    reasons = []
    if not title:
        reasons.append(Reason("selection.title", N_("Enter a title for the selection.")))
    reasons += _too_long("selection.title_long", N_("title"), title, 300)
    definition = None
    if start_date is None:
        reasons.append(Reason("selection.start", N_("Enter the start date of the selection.")))
    elif isinstance(workflow, WorkflowDefinition):
        definition = workflow
    elif workflow:
        key, _, version = str(workflow).partition("@")
        try:
            definition = workflows().get(key, int(version))
        except (LookupError, ValueError):
            reasons.append(
                Reason(
                    "selection.workflow",
                    N_("The workflow %(workflow)s is not installed."),
                    {"workflow": str(workflow)},
                )
            )
    else:
        try:
            definition = workflows().for_date(start_date)
        except LookupError:
            reasons.append(
                Reason(
                    "selection.no_workflow",
                    N_("No installed workflow applies to a selection starting on %(date)s."),
                    {"date": day_text(start_date)},
                )
            )
    if definition is not None and start_date is not None and not definition.applies_on(start_date):
        until = definition.valid_until
        reasons.append(
            Reason(
                "selection.workflow_period",
                N_(
                    "The workflow %(workflow)s applies to selections starting from %(from)s"
                    " to %(until)s; this one starts on %(date)s."
                ),
                {
                    "workflow": definition.title,
                    "from": day_text(definition.valid_from),
                    "until": day_text(until) if until else "—",
                    "date": day_text(start_date),
                },
            )
        )
    if reasons:
        raise ValidationFailed(reasons)
    return selections.create_selection(
        agency, actor, title=title, start_date=start_date, definition=definition
    )


# --- posts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionInput:
    """What a planner enters for a post."""

    name: str
    unit: str
    level: int | None = int(PositionLevel.JPT_PRATAMA)
    min_rank: str = "IV/b"
    requirements: str = ""
    competencies: str = ""


def _check_position(
    selection: Selection, data: PositionInput, editing: Position | None
) -> tuple[list[Reason], dict[str, Any]]:
    name, unit = _text(data.name), _text(data.unit)
    reasons = []
    if not name:
        reasons.append(Reason("position.name", N_("Enter the name of the post.")))
    if not unit:
        reasons.append(Reason("position.unit", N_("Enter the unit of the post.")))
    reasons += _too_long("position.name_long", N_("name of the post"), name, 200)
    reasons += _too_long("position.unit_long", N_("unit"), unit, 200)
    if data.level not in {int(level) for level in POST_LEVELS}:
        reasons.append(
            Reason(
                "position.level",
                N_("Choose the level of the post: JPT Pratama, JPT Madya or JPT Utama."),
            )
        )
    rank = ""
    try:
        rank = normalize_rank(_text(data.min_rank))
    except InvalidRank as error:
        reasons.append(error.reason)
    requirements, competencies = _text(data.requirements), _text(data.competencies)
    reasons += _too_long(
        "position.requirements_long", N_("list of requirements"), requirements, 5000
    )
    reasons += _too_long(
        "position.competencies_long", N_("list of competencies"), competencies, 5000
    )
    if name:
        clash = db.session.scalar(
            sa.select(Position.id).where(
                Position.selection_id == selection.id,
                sa.func.lower(Position.name) == name.lower(),
                Position.id != (editing.id if editing else -1),
            )
        )
        if clash is not None:
            reasons.append(
                Reason(
                    "position.duplicate",
                    N_("This selection already has a post named %(name)s."),
                    {"name": name},
                )
            )
    values = {
        "name": name,
        "unit": unit,
        "level": data.level,
        "min_rank": rank,
        "requirements": requirements,
        "competencies": competencies,
    }
    return reasons, values


def _position_of(selection: Selection, position_id: int) -> Position:
    position = db.session.get(Position, position_id)
    if position is None or position.selection_id != selection.id:
        raise ValidationFailed(
            Reason("position.missing", N_("That post is not part of this selection; reload."))
        )
    return position


def add_position(selection: Selection, actor: User, data: PositionInput) -> Position:
    """Add a post to a draft selection.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or an empty, long, duplicate or unknown field.
    """
    selection = lock_draft(selection, actor)
    reasons, values = _check_position(selection, data, None)
    if reasons:
        raise ValidationFailed(reasons)
    position = selections.create_position(selection, actor, commit=False, **values)
    db.session.commit()
    return position


def update_position(
    selection: Selection, actor: User, position_id: int, data: PositionInput
) -> Position:
    """Change a post of a draft selection; audit the fields that changed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, an unknown post, or a bad field.
    """
    selection = lock_draft(selection, actor)
    position = _position_of(selection, position_id)
    reasons, values = _check_position(selection, data, position)
    if reasons:
        raise ValidationFailed(reasons)
    changes = {
        field: [getattr(position, field), value]
        for field, value in values.items()
        if getattr(position, field) != value
    }
    if not changes:
        return position
    for field, (_old, new) in changes.items():
        setattr(position, field, new)
    audit.append(
        db.session,
        event="position_updated",
        actor=actor,
        subject_type="position",
        subject_id=position.id,
        selection_id=selection.id,
        payload={"name": position.name, "changes": changes},
    )
    db.session.commit()
    return position


def remove_position(selection: Selection, actor: User, position_id: int) -> None:
    """Remove a post from a draft selection (only while nobody has applied to it).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, an unknown post, or a post with applications.
    """
    selection = lock_draft(selection, actor)
    position = _position_of(selection, position_id)
    applications = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.position_id == position.id)
    )
    if applications:
        raise ValidationFailed(
            Reason(
                "position.has_applications",
                N_("%(post)s already has applications; it cannot be removed."),
                {"post": position.name},
            )
        )
    payload = {"name": position.name, "unit": position.unit}
    db.session.delete(position)
    db.session.flush()
    audit.append(
        db.session,
        event="position_removed",
        actor=actor,
        subject_type="position",
        subject_id=position_id,
        selection_id=selection.id,
        payload=payload,
    )
    db.session.commit()


# --- committee --------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    """A seat on the committee: an existing committee user, or a new person to create."""

    committee_role: str
    is_internal: bool
    position_title: str
    position_level: int | None
    institution: str = ""
    is_bkn_official: bool = False
    user_id: int | None = None
    new_name: str = ""
    new_email: str = ""


@dataclass(frozen=True)
class SeatResult:
    """The new seat; for a newly created account, the initial password to hand over once."""

    member: CommitteeMember
    initial_password: str | None


def _check_member(selection: Selection, data: MemberInput) -> tuple[list[Reason], Any]:
    reasons = []
    try:
        role = CommitteeRole(data.committee_role)
    except ValueError:
        role = None
        reasons.append(Reason("committee.role_choice", N_("Choose chair, secretary or member.")))
    title = _text(data.position_title)
    if not title:
        reasons.append(Reason("committee.title", N_("Enter the member's position (jabatan).")))
    reasons += _too_long("committee.title_long", N_("position"), title, 200)
    reasons += _too_long(
        "committee.institution_long", N_("institution"), _text(data.institution), 200
    )
    if data.position_level not in {int(level) for level in PositionLevel}:
        reasons.append(Reason("committee.level", N_("Choose the position level of the member.")))
    member = None
    if data.user_id:
        member = db.session.get(User, data.user_id)
        if (
            member is None
            or member.agency_id != selection.agency_id
            or member.role != Role.COMMITTEE
        ):
            reasons.append(
                Reason(
                    "committee.user",
                    N_("Choose a committee account of this agency, or enter a new person."),
                )
            )
            member = None
        else:
            seated = db.session.scalar(
                sa.select(CommitteeMember.id).where(
                    CommitteeMember.selection_id == selection.id,
                    CommitteeMember.user_id == member.id,
                )
            )
            if seated is not None:
                reasons.append(
                    Reason(
                        "committee.duplicate",
                        N_("%(name)s already sits on this committee."),
                        {"name": member.name},
                    )
                )
    else:
        name, email = _text(data.new_name), _text(data.new_email)
        if not name:
            reasons.append(
                Reason(
                    "committee.new_name",
                    N_("Choose an existing account or enter the new member's name."),
                )
            )
        reasons += _too_long("committee.name_long", N_("name"), name, 200)
        if not email:
            reasons.append(
                Reason("committee.new_email", N_("Enter the new member's email address."))
            )
        else:
            try:
                email = validate_email(email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                reasons.append(
                    Reason(
                        "committee.email_invalid",
                        N_("%(email)s is not a valid email address."),
                        {"email": email},
                    )
                )
            else:
                taken = db.session.scalar(
                    sa.select(User.id).where(sa.func.lower(User.email) == email)
                )
                if taken is not None:
                    reasons.append(
                        Reason(
                            "committee.email_taken",
                            N_(
                                "%(email)s already has an account; choose it from the list instead."
                            ),
                            {"email": email},
                        )
                    )
        member = (name, email)
    return reasons, (role, member)


def seat_member(selection: Selection, actor: User, data: MemberInput) -> SeatResult:
    """Seat a committee member on a draft selection, creating their account if new.

    A new account gets the committee role in the selection's agency and a random initial
    password, returned once so the secretariat can hand it over.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a bad, duplicate or missing field.
    """
    selection = lock_draft(selection, actor)
    reasons, (role, member) = _check_member(selection, data)
    if reasons:
        raise ValidationFailed(reasons)
    password = None
    if not isinstance(member, User):
        name, email = member
        password = secrets.token_urlsafe(12)
        member = User(
            email=email,
            name=name,
            role=Role.COMMITTEE,
            agency_id=selection.agency_id,
            position_title=_text(data.position_title),
        )
        member.set_password(password)
        db.session.add(member)
        db.session.flush()
        audit.append(
            db.session,
            event="user_created",
            actor=actor,
            subject_type="user",
            subject_id=member.id,
            selection_id=selection.id,
            payload={"email": email, "name": name, "role": Role.COMMITTEE},
        )
    seat = selections.add_committee_member(
        selection,
        actor,
        member,
        committee_role=role,
        is_internal=data.is_internal,
        position_title=_text(data.position_title),
        position_level=int(data.position_level),
        institution=_text(data.institution),
        is_bkn_official=data.is_bkn_official,
        commit=False,
    )
    db.session.commit()
    return SeatResult(seat, password)


def remove_member(selection: Selection, actor: User, member_id: int) -> None:
    """Remove a member from a draft selection's committee (their account stays).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a seat that is not on this committee.
    """
    selection = lock_draft(selection, actor)
    seat = db.session.get(CommitteeMember, member_id)
    if seat is None or seat.selection_id != selection.id:
        raise ValidationFailed(
            Reason("committee.missing", N_("That member is not on this committee; reload."))
        )
    payload = {"user_id": seat.user_id, "name": seat.user.name}
    db.session.delete(seat)
    db.session.flush()
    audit.append(
        db.session,
        event="committee_member_removed",
        actor=actor,
        subject_type="committee_member",
        subject_id=member_id,
        selection_id=selection.id,
        payload=payload,
    )
    db.session.commit()


# --- schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleInput:
    """A row of the schedule as entered; ends_on None means a one-day stage."""

    stage: str
    starts_on: date | None
    ends_on: date | None = None
    place: str = ""


def check_schedule(selection: Selection, rows: Sequence[ScheduleInput]) -> list[Reason]:
    """Return what is wrong with schedule rows: names, dates, and their order."""
    reasons = []
    if len(rows) > MAX_SCHEDULE_ROWS:
        reasons.append(
            Reason(
                "schedule.too_many",
                N_("The schedule has %(count)d rows; at most %(limit)d are allowed."),
                {"count": len(rows), "limit": MAX_SCHEDULE_ROWS},
            )
        )
    previous: tuple[int, date] | None = None
    for number, row in enumerate(rows, start=1):
        stage = _text(row.stage)
        if not stage:
            reasons.append(
                Reason("schedule.stage", N_("Row %(row)d: enter the stage."), {"row": number})
            )
        elif len(stage) > 200:
            reasons.append(
                Reason(
                    "schedule.stage_long",
                    N_("Row %(row)d: the stage is longer than 200 characters."),
                    {"row": number},
                )
            )
        if len(_text(row.place)) > 200:
            reasons.append(
                Reason(
                    "schedule.place_long",
                    N_("Row %(row)d: the place is longer than 200 characters."),
                    {"row": number},
                )
            )
        if row.starts_on is None:
            reasons.append(
                Reason(
                    "schedule.start",
                    N_("Row %(row)d: enter the start date."),
                    {"row": number},
                )
            )
            continue
        if row.ends_on is not None and row.ends_on < row.starts_on:
            reasons.append(
                Reason(
                    "schedule.end_before_start",
                    N_("Row %(row)d ends on %(end)s, before it starts on %(start)s."),
                    {"row": number, "start": day_text(row.starts_on), "end": day_text(row.ends_on)},
                )
            )
        if row.starts_on < selection.start_date:
            reasons.append(
                Reason(
                    "schedule.before_selection",
                    N_(
                        "Row %(row)d starts on %(start)s, before the selection's start date"
                        " %(selection_start)s."
                    ),
                    {
                        "row": number,
                        "start": day_text(row.starts_on),
                        "selection_start": day_text(selection.start_date),
                    },
                )
            )
        if previous is not None and row.starts_on < previous[1]:
            reasons.append(
                Reason(
                    "schedule.order",
                    N_(
                        "Row %(row)d starts on %(start)s, before row %(previous)d"
                        " (%(previous_start)s); list the stages in date order."
                    ),
                    {
                        "row": number,
                        "start": day_text(row.starts_on),
                        "previous": previous[0],
                        "previous_start": day_text(previous[1]),
                    },
                )
            )
        previous = (number, row.starts_on)
    return reasons


def save_schedule(selection: Selection, actor: User, rows: Sequence[ScheduleInput]) -> None:
    """Replace the schedule of a draft selection with rows (in date order).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a row without stage or start date, an end
        before its start, or rows out of date order.
    """
    selection = lock_draft(selection, actor)
    reasons = check_schedule(selection, rows)
    if reasons:
        raise ValidationFailed(reasons)
    schedule = [
        {
            "stage": _text(row.stage),
            "starts_on": row.starts_on.isoformat(),
            "ends_on": (row.ends_on or row.starts_on).isoformat(),
            **({"place": _text(row.place)} if _text(row.place) else {}),
        }
        for row in rows
    ]
    before = list(selection.schedule or [])
    if schedule == before:
        return
    selection.schedule = schedule
    audit.append(
        db.session,
        event="schedule_updated",
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={"before": before, "after": schedule},
    )
    db.session.commit()


# --- parameters -------------------------------------------------------------------------


def _set_override(
    overrides: dict[str, Any], defaults: Mapping[str, Any], key: str, value: Any
) -> None:
    """Store value as an override of defaults[key] unless it equals the default."""
    if value is None or value == defaults.get(key):
        overrides.pop(key, None)
    else:
        overrides[key] = value


def _set_nested(
    parameters: dict[str, Any],
    defaults: Mapping[str, Any],
    group: str,
    key: str,
    value: Any,
) -> None:
    """Store value as parameters[group][key] unless it equals the definition default."""
    section = dict(parameters.get(group) or {})
    _set_override(section, dict(defaults.get(group) or {}), key, value)
    if section:
        parameters[group] = section
    else:
        parameters.pop(group, None)


def _commit_parameters(
    selection: Selection, actor: User, parameters: dict[str, Any], event: str
) -> bool:
    before = copy.deepcopy(selection.parameters or {})
    if parameters == before:
        return False
    selection.parameters = parameters
    changed = sorted(
        key for key in set(before) | set(parameters) if before.get(key) != parameters.get(key)
    )
    audit.append(
        db.session,
        event=event,
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={
            "before": {key: before.get(key) for key in changed},
            "after": {key: parameters.get(key) for key in changed},
        },
    )
    db.session.commit()
    return True


def _percent(value: Decimal | int | str | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _number(value: Decimal) -> int | float:
    """Return a Decimal as the JSON number the definitions use (0.35, 65, 67.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def save_scoring(
    selection: Selection,
    actor: User,
    *,
    weights: Mapping[str, Decimal | int | str | None],
    pass_marks: Mapping[str, Decimal | int | str | None],
) -> bool:
    """Set the score weights (percent per component, summing to 100) and pass marks.

    A pass mark left empty means the component has none. Returns whether anything changed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, a weight that is missing, negative or not a
        number, weights not adding up to 100%, or a pass mark outside 0-100.
    """
    selection = lock_draft(selection, actor)
    definition = definition_of(selection)
    reasons = []
    percentages: dict[str, Decimal] = {}
    for component in SCORE_COMPONENTS:
        try:
            value = _percent(weights.get(component))
        except ValueError:
            value = None
            reasons.append(
                Reason(
                    "scoring.weight_number",
                    N_("The weight of %(component)s must be a number of percent, e.g. 35."),
                    {"component": component_label(component)},
                )
            )
        else:
            if value is None:
                reasons.append(
                    Reason(
                        "scoring.weight_missing",
                        N_("Enter the weight of %(component)s (0 if it does not count)."),
                        {"component": component_label(component)},
                    )
                )
        if value is not None:
            percentages[component] = value
    if not reasons:
        reasons += Weights.from_percentages(percentages).check()
    marks: dict[str, Decimal] = {}
    for component in SCORE_COMPONENTS:
        try:
            mark = _percent(pass_marks.get(component))
        except ValueError:
            mark = Decimal(-1)
        if mark is None:
            continue
        if not Decimal(0) <= mark <= Decimal(100):
            reasons.append(
                Reason(
                    "scoring.pass_mark",
                    N_("The pass mark of %(component)s must be a score from 0 to 100."),
                    {"component": component_label(component)},
                )
            )
            continue
        marks[component] = mark
    if reasons:
        raise ValidationFailed(reasons)
    parameters = copy.deepcopy(selection.parameters or {})
    defaults = definition.parameters
    fractions = {c: _number(percentages[c] / 100) for c in SCORE_COMPONENTS}
    default_weights = {c: defaults.get("weights", {}).get(c) for c in SCORE_COMPONENTS}
    same = all(
        default_weights[c] is not None
        and Decimal(str(default_weights[c])) == Decimal(str(fractions[c]))
        for c in SCORE_COMPONENTS
    )
    if same:
        parameters.pop("weights", None)
    else:
        parameters["weights"] = fractions
    chosen_marks = {c: _number(m) for c, m in marks.items()}
    _set_override(parameters, defaults, "pass_marks", chosen_marks)
    if chosen_marks == {} and not defaults.get("pass_marks"):
        parameters.pop("pass_marks", None)
    return _commit_parameters(selection, actor, parameters, "scoring_updated")


@dataclass(frozen=True)
class RegistrationInput:
    """Registration, extension and eligibility settings; None keeps the definition default."""

    registration_length: int | None = None
    registration_unit: str | None = None
    closing_time: str | None = None
    min_applicants: int | None = None
    extension_length: int | None = None
    extension_unit: str | None = None
    extension_max_count: int | None = None
    reference_date: date | None = None


def _check_range(reasons: list[Reason], value: int | None, low: int, high: int, label: str) -> None:
    if value is not None and not low <= value <= high:
        reasons.append(
            Reason(
                "parameters.range",
                N_("The %(field)s must be a whole number from %(low)d to %(high)d."),
                {"field": Term(label), "low": low, "high": high},
            )
        )


def save_registration(selection: Selection, actor: User, data: RegistrationInput) -> bool:
    """Set the registration window, minimum applicants, extensions and age reference date.

    Returns whether anything changed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a value out of range, an unknown unit, a bad
        closing time, or an age reference date far from the selection's start.
    """
    selection = lock_draft(selection, actor)
    reasons: list[Reason] = []
    _check_range(reasons, data.registration_length, 1, 90, N_("registration length"))
    _check_range(reasons, data.min_applicants, 1, 50, N_("minimum of applicants per post"))
    _check_range(reasons, data.extension_length, 1, 60, N_("extension length"))
    _check_range(reasons, data.extension_max_count, 0, 5, N_("number of extensions allowed"))
    for unit in (data.registration_unit, data.extension_unit):
        if unit is not None and unit not in WINDOW_UNITS:
            reasons.append(
                Reason("parameters.unit", N_("Count the days as calendar days or working days."))
            )
    closing = _text(data.closing_time) or None
    if closing is not None:
        try:
            parsed = parse_closing_time(closing)
        except ValueError:
            parsed = None
        if parsed is None or parsed.hour > 23 or parsed.minute > 59:
            reasons.append(
                Reason(
                    "parameters.closing_time",
                    N_("Enter the closing time as hours and minutes, e.g. 23:59 or 16:00."),
                )
            )
        else:
            closing = f"{parsed.hour:02d}:{parsed.minute:02d}"
    if data.reference_date is not None:
        low = selection.start_date - timedelta(days=366)
        high = selection.start_date + timedelta(days=366)
        if not low <= data.reference_date <= high:
            reasons.append(
                Reason(
                    "parameters.reference_date",
                    N_(
                        "The age reference date %(date)s is more than a year away from the"
                        " selection's start date %(start)s."
                    ),
                    {
                        "date": day_text(data.reference_date),
                        "start": day_text(selection.start_date),
                    },
                )
            )
    if reasons:
        raise ValidationFailed(reasons)
    definition = definition_of(selection)
    defaults = dict(definition.parameters)
    defaults.setdefault("registration", {})
    defaults = {
        **defaults,
        "registration": {"closing_time": DEFAULT_CLOSING_TIME, **defaults["registration"]},
    }
    parameters = copy.deepcopy(selection.parameters or {})
    _set_nested(parameters, defaults, "registration", "length", data.registration_length)
    _set_nested(parameters, defaults, "registration", "unit", data.registration_unit)
    _set_nested(parameters, defaults, "registration", "closing_time", closing)
    _set_override(parameters, defaults, "min_applicants_per_post", data.min_applicants)
    _set_nested(parameters, defaults, "extension", "length", data.extension_length)
    _set_nested(parameters, defaults, "extension", "unit", data.extension_unit)
    _set_nested(parameters, defaults, "extension", "max_count", data.extension_max_count)
    fixed = data.reference_date.isoformat() if data.reference_date else None
    _set_nested(parameters, defaults, "eligibility", "reference_date", fixed)
    # The definition's age_reference is "registration_close" or a fixed date; set both keys
    # so every reader (screening, the announcement's text) sees the same date.
    _set_nested(parameters, defaults, "eligibility", "age_reference", fixed)
    return _commit_parameters(selection, actor, parameters, "parameters_updated")


def percent_text(fraction: float | int | str | Decimal) -> str:
    """Return a weight stored as a fraction as percent text: 0.35 -> "35", 0.125 -> "12.5"."""
    return reasons_percent_text(Decimal(str(fraction)))
