"""API v1 a selection's plan: the registration, extension and eligibility settings, the
schedule, the score weights and pass marks, changing or removing a post and unseating a
member, through the planning stage's own functions.

Each write is the plan page's form as JSON: the same roles (secretariat, admin of the
agency), the same draft-only rule and the same reasons; If-Match holds it to a version read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import marshmallow as ma

from openbid.api.blueprint import actor, bp
from openbid.api.fields import Body, Int, Length, OneOf, Out, Range, Text, derived
from openbid.api.selection_schemas import PositionCreateSchema, SelectionSchema
from openbid.api.selections import etag, if_match, selection_answer, selection_shown
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.extensions import db
from openbid.models import Selection
from openbid.rules.calendar import WINDOW_UNITS
from openbid.stages import planning
from openbid.stages.planning import MAX_SCHEDULE_ROWS, SCORE_COMPONENTS
from openbid.workflow import definition_of

PLAN_KEYS = ("registration", "extension", "min_applicants_per_post", "eligibility", "weights")


class Number(ma.fields.Float):
    """A JSON number (not a string, not a boolean), kept as sent (an int stays an int)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return value


def _count(low: int, high: int) -> Int:
    # Wider than the rules allow: the stage refuses out-of-range values with its own reasons.
    return Int(minimum=low - 100, maximum=high + 100, allow_none=True)


def _unit() -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=OneOf([*WINDOW_UNITS, None]))


def _percent(**kw: Any) -> Number:
    return Number(validate=[Range(min=-1000, max=1000)], **kw)


class RegistrationBody(Body):
    """Registration, extension and eligibility settings; a field left out or null keeps the
    definition's default."""

    registration_length = _count(1, 90)
    registration_unit = _unit()
    closing_time = Text(min_length=None, max_length=10, allow_none=True)
    min_applicants = _count(1, 50)
    extension_length = _count(1, 60)
    extension_unit = _unit()
    extension_max_count = _count(0, 5)
    reference_date = ma.fields.Date(allow_none=True)


class ScheduleRowBody(Body):
    """One stage of the schedule: its dates and place."""

    stage = Text(min_length=None, max_length=200, required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(allow_none=True)
    place = Text(min_length=None, max_length=200)


class ScheduleBody(Body):
    """The whole schedule, replacing the one saved."""

    rows = ma.fields.List(
        ma.fields.Nested(ScheduleRowBody), required=True, validate=Length(max=MAX_SCHEDULE_ROWS)
    )


class ScoringBody(Body):
    """The score weights (percent, adding up to 100) and the pass marks."""

    weights = ma.fields.Nested(
        Body.from_dict({c: _percent(required=True) for c in SCORE_COMPONENTS}, name="PlanWeights"),
        required=True,
    )
    pass_marks = ma.fields.Nested(
        Body.from_dict({c: _percent(allow_none=True) for c in SCORE_COMPONENTS}, name="PassMarks")
    )


def _text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else (None if value is None else str(value))


def _values(values: Any) -> dict[str, Any]:
    return values if isinstance(values, dict) else {}


def _percentages(values: Any, scale: int) -> dict[str, float]:
    return {
        str(k): float(Decimal(str(v)) * scale) for k, v in _values(values).items() if v is not None
    }


class PlanWindowSchema(Out):
    """A registration or extension window: its length, unit, closing time, how many."""

    length = derived(ma.fields.Integer(allow_none=True), lambda w: w.get("length"))
    unit = derived(ma.fields.String(allow_none=True), lambda w: w.get("unit"))
    closing_time = derived(
        ma.fields.String(allow_none=True), lambda w: _text(w.get("closing_time"))
    )
    max_count = derived(ma.fields.Integer(allow_none=True), lambda w: w.get("max_count"))


class ScheduleRowSchema(Out):
    """One stage of the schedule as saved."""

    stage = ma.fields.String(required=True)
    starts_on = ma.fields.String(required=True)
    ends_on = ma.fields.String(allow_none=True)
    place = ma.fields.String()


@dataclass(frozen=True)
class PlanSettings:
    """A selection with its parameters in force: the definition's defaults, its overrides."""

    selection: Selection
    params: dict[str, Any]


def _reference(params: dict[str, Any]) -> str | None:
    eligibility = params.get("eligibility") or {}
    return _text(eligibility.get("reference_date") or eligibility.get("age_reference"))


def _number(kind: type[ma.fields.Field], key: str) -> ma.fields.Field:
    return derived(kind(allow_none=True), lambda p: p.params.get(key))


class PlanSchema(Out):
    """The plan's settings in force, and which of them the selection overrides."""

    selection_id = derived(ma.fields.Integer(required=True), lambda p: p.selection.id)
    version = derived(ma.fields.Integer(required=True), lambda p: p.selection.version)
    registration = derived(
        ma.fields.Nested(PlanWindowSchema, required=True),
        lambda p: _values(p.params.get("registration")),
    )
    extension = derived(
        ma.fields.Nested(PlanWindowSchema, required=True),
        lambda p: _values(p.params.get("extension")),
    )
    min_applicants = _number(ma.fields.Integer, "min_applicants_per_post")
    age_reference = derived(ma.fields.String(allow_none=True), lambda p: _reference(p.params))
    shortlist_size = _number(ma.fields.Integer, "shortlist_size")
    weights = derived(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True),
        lambda p: _percentages(p.params.get("weights"), 100),
    )
    pass_marks = derived(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float()),
        lambda p: _percentages(p.params.get("pass_marks"), 1),
    )
    schedule = derived(
        ma.fields.List(ma.fields.Nested(ScheduleRowSchema), required=True),
        lambda p: list(p.selection.schedule or []),
    )
    overridden = derived(
        ma.fields.List(ma.fields.String()),
        lambda p: sorted(k for k in (p.selection.parameters or {}) if k in PLAN_KEYS),
    )


def plan_of(selection: Selection) -> PlanSettings:
    """Return the plan's settings in force: the definition's defaults with the overrides."""
    return PlanSettings(selection, definition_of(selection).params(selection.parameters))


def _plannable(selection_id: int) -> Selection:
    """Return a selection whose plan the caller may change, checked against If-Match."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    if_match(selection)
    return selection


def _answer(selection_id: int) -> tuple[PlanSettings, dict[str, str]]:
    """Return the plan after a write, read again, with the selection's new ETag."""
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return plan_of(selection), {"ETag": etag(selection)}


@bp.operation(
    "/selections/<int:selection_id>/plan",
    "GET",
    summary="The plan's settings in force: registration, extension, age reference, schedule, "
    "weights",
    tag="plan",
    conditional="read",
)
@bp.response(200, PlanSchema, description="The plan")
def get_plan(selection_id: int) -> Any:
    """Return the plan's settings (staff and committee of the selection)."""
    selection = visible_selection(selection_id)
    return plan_of(selection), {"ETag": etag(selection)}


@bp.operation(
    "/selections/<int:selection_id>/plan/registration",
    "PUT",
    summary="Set registration length and unit, minimum applicants, extensions and the age "
    "reference date; a field left out or null keeps the definition's default (secretariat, admin)",
    tag="plan",
    body=True,
    conditional="write",
)
@bp.arguments(RegistrationBody)
@bp.response(200, PlanSchema, description="The plan after the change")
def put_registration(body: dict[str, Any], selection_id: int) -> Any:
    """Save the registration settings through ``planning.save_registration``."""
    selection = _plannable(selection_id)
    planning.save_registration(selection, actor(), planning.RegistrationInput(**body))
    return _answer(selection_id)


@bp.operation(
    "/selections/<int:selection_id>/plan/schedule",
    "PUT",
    summary="Replace the schedule: each stage with its dates and place (secretariat, admin)",
    tag="plan",
    body=True,
    conditional="write",
)
@bp.arguments(ScheduleBody)
@bp.response(200, PlanSchema, description="The plan after the change")
def put_schedule(body: dict[str, Any], selection_id: int) -> Any:
    """Save the schedule through ``planning.save_schedule``."""
    selection = _plannable(selection_id)
    rows = [
        planning.ScheduleInput(
            stage=row["stage"],
            starts_on=row["starts_on"],
            ends_on=row.get("ends_on"),
            place=row.get("place", ""),
        )
        for row in body["rows"]
    ]
    planning.save_schedule(selection, actor(), rows)
    return _answer(selection_id)


@bp.operation(
    "/selections/<int:selection_id>/plan/scoring",
    "PUT",
    summary="Set the score weights (percent, adding up to 100) and pass marks (secretariat, admin)",
    tag="plan",
    body=True,
    conditional="write",
)
@bp.arguments(ScoringBody)
@bp.response(200, PlanSchema, description="The plan after the change")
def put_scoring(body: dict[str, Any], selection_id: int) -> Any:
    """Save the weights and pass marks through ``planning.save_scoring``."""
    selection = _plannable(selection_id)
    weights = {k: Decimal(str(v)) for k, v in body["weights"].items()}
    marks = {k: Decimal(str(v)) for k, v in (body.get("pass_marks") or {}).items() if v is not None}
    planning.save_scoring(selection, actor(), weights=weights, pass_marks=marks)
    return _answer(selection_id)


def _selection_answer(selection_id: int) -> Any:
    """Return the selection after a write, read again, with its new ETag."""
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return selection_answer(selection_shown(selection), selection)


@bp.operation(
    "/selections/<int:selection_id>/positions/<int:position_id>",
    "PUT",
    summary="Change a post of a draft selection (secretariat, admin)",
    tag="plan",
    body=True,
    conditional="write",
)
@bp.arguments(PositionCreateSchema)
@bp.response(200, SelectionSchema, description="The selection with the post changed")
def put_position(body: dict, selection_id: int, position_id: int) -> Any:
    """Change a post through ``planning.update_position`` (the post's page)."""
    selection = _plannable(selection_id)
    planning.update_position(selection, actor(), position_id, planning.PositionInput(**body))
    return _selection_answer(selection_id)


@bp.operation(
    "/selections/<int:selection_id>/positions/<int:position_id>",
    "DELETE",
    summary="Remove a post nobody has applied to from a draft selection (secretariat, admin)",
    tag="plan",
    conditional="write",
)
@bp.response(200, SelectionSchema, description="The selection without the post")
def delete_position(selection_id: int, position_id: int) -> Any:
    """Remove a post through ``planning.remove_position``."""
    selection = _plannable(selection_id)
    planning.remove_position(selection, actor(), position_id)
    return _selection_answer(selection_id)


@bp.operation(
    "/selections/<int:selection_id>/committee/<int:member_id>",
    "DELETE",
    summary="Unseat a committee member of a draft selection; the account stays (secretariat, "
    "admin)",
    tag="plan",
    conditional="write",
)
@bp.response(200, SelectionSchema, description="The selection without the member")
def delete_member(selection_id: int, member_id: int) -> Any:
    """Unseat a member through ``planning.remove_member``."""
    selection = _plannable(selection_id)
    planning.remove_member(selection, actor(), member_id)
    return _selection_answer(selection_id)
