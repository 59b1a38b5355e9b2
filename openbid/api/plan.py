"""API v1 a selection's plan: the registration, extension and eligibility settings, the
schedule, the score weights and pass marks, changing or removing a post and unseating a
member, through the planning stage's own functions.

Each write is the plan page's form as JSON: the same roles (secretariat, admin of the
agency), the same draft-only rule and the same reasons; If-Match holds it to a version read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from openbid.api import schemas as s
from openbid.api.blueprint import actor, bp
from openbid.api.selections import if_match, selection_answer, selection_shown
from openbid.api.spec import api_route
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.extensions import db
from openbid.models import Selection
from openbid.stages import planning
from openbid.workflow import definition_of

PLAN_KEYS = ("registration", "extension", "min_applicants_per_post", "eligibility", "weights")


def _text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else (None if value is None else str(value))


def _window(values: Any) -> dict[str, Any]:
    values = values if isinstance(values, dict) else {}
    return {
        "length": values.get("length"),
        "unit": values.get("unit"),
        "closing_time": _text(values.get("closing_time")),
        "max_count": values.get("max_count"),
    }


def _percentages(values: Any, scale: int) -> dict[str, float]:
    values = values if isinstance(values, dict) else {}
    return {str(k): float(Decimal(str(v)) * scale) for k, v in values.items() if v is not None}


def plan_json(selection: Selection) -> dict[str, Any]:
    """Serialise the plan's settings in force: the definition's defaults with the overrides."""
    params = definition_of(selection).params(selection.parameters)
    eligibility = params.get("eligibility") or {}
    reference = eligibility.get("reference_date") or eligibility.get("age_reference")
    return {
        "selection_id": selection.id,
        "version": selection.version,
        "registration": _window(params.get("registration")),
        "extension": _window(params.get("extension")),
        "min_applicants": params.get("min_applicants_per_post"),
        "age_reference": _text(reference),
        "shortlist_size": params.get("shortlist_size"),
        "weights": _percentages(params.get("weights"), 100),
        "pass_marks": _percentages(params.get("pass_marks"), 1),
        "schedule": [dict(row) for row in selection.schedule or []],
        "overridden": sorted(k for k in (selection.parameters or {}) if k in PLAN_KEYS),
    }


def _plannable(selection_id: int) -> Selection:
    """Return a selection whose plan the caller may change, checked against If-Match."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    if_match(selection)
    return selection


def _answer(selection_id: int) -> Any:
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return selection_answer(plan_json(selection), selection, of_selection=False)


@api_route(
    bp,
    "/selections/<int:selection_id>/plan",
    "GET",
    summary="The plan's settings in force: registration, extension, age reference, schedule, "
    "weights",
    tag="plan",
    conditional="read",
    responses={200: ("The plan", s.PLAN)},
)
def get_plan(selection_id: int):
    """Return the plan's settings (staff and committee of the selection)."""
    selection = visible_selection(selection_id)
    return selection_answer(plan_json(selection), selection, of_selection=False)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@api_route(
    bp,
    "/selections/<int:selection_id>/plan/registration",
    "PUT",
    summary="Set registration length and unit, minimum applicants, extensions and the age "
    "reference date; a field left out or null keeps the definition's default (secretariat, admin)",
    tag="plan",
    body=s.REGISTRATION_REQUEST,
    conditional="write",
    responses={200: ("The plan after the change", s.PLAN)},
)
def put_registration(selection_id: int, body: dict):
    """Save the registration settings through ``planning.save_registration``."""
    selection = _plannable(selection_id)
    data = planning.RegistrationInput(
        **{k: v for k, v in body.items() if k != "reference_date"},
        reference_date=_date(body.get("reference_date")),
    )
    planning.save_registration(selection, actor(), data)
    return _answer(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/plan/schedule",
    "PUT",
    summary="Replace the schedule: each stage with its dates and place (secretariat, admin)",
    tag="plan",
    body=s.SCHEDULE_REQUEST,
    conditional="write",
    responses={200: ("The plan after the change", s.PLAN)},
)
def put_schedule(selection_id: int, body: dict):
    """Save the schedule through ``planning.save_schedule``."""
    selection = _plannable(selection_id)
    rows = [
        planning.ScheduleInput(
            stage=row["stage"],
            starts_on=_date(row["starts_on"]),
            ends_on=_date(row.get("ends_on")),
            place=row.get("place", ""),
        )
        for row in body["rows"]
    ]
    planning.save_schedule(selection, actor(), rows)
    return _answer(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/plan/scoring",
    "PUT",
    summary="Set the score weights (percent, adding up to 100) and pass marks (secretariat, admin)",
    tag="plan",
    body=s.SCORING_REQUEST,
    conditional="write",
    responses={200: ("The plan after the change", s.PLAN)},
)
def put_scoring(selection_id: int, body: dict):
    """Save the weights and pass marks through ``planning.save_scoring``."""
    selection = _plannable(selection_id)
    weights = {k: Decimal(str(v)) for k, v in body["weights"].items()}
    marks = {k: Decimal(str(v)) for k, v in (body.get("pass_marks") or {}).items() if v is not None}
    planning.save_scoring(selection, actor(), weights=weights, pass_marks=marks)
    return _answer(selection_id)


def _selection_answer(selection_id: int) -> Any:
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return selection_answer(selection_shown(selection), selection)


@api_route(
    bp,
    "/selections/<int:selection_id>/positions/<int:position_id>",
    "PUT",
    summary="Change a post of a draft selection (secretariat, admin)",
    tag="plan",
    body=s.POSITION_CREATE,
    conditional="write",
    responses={
        200: ("The selection with the post changed", {"$ref": "#/components/schemas/Selection"})
    },
)
def put_position(selection_id: int, position_id: int, body: dict):
    """Change a post through ``planning.update_position`` (the post's page)."""
    selection = _plannable(selection_id)
    planning.update_position(selection, actor(), position_id, planning.PositionInput(**body))
    return _selection_answer(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/positions/<int:position_id>",
    "DELETE",
    summary="Remove a post nobody has applied to from a draft selection (secretariat, admin)",
    tag="plan",
    conditional="write",
    responses={200: ("The selection without the post", {"$ref": "#/components/schemas/Selection"})},
)
def delete_position(selection_id: int, position_id: int):
    """Remove a post through ``planning.remove_position``."""
    selection = _plannable(selection_id)
    planning.remove_position(selection, actor(), position_id)
    return _selection_answer(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/committee/<int:member_id>",
    "DELETE",
    summary="Unseat a committee member of a draft selection; the account stays (secretariat, "
    "admin)",
    tag="plan",
    conditional="write",
    responses={
        200: ("The selection without the member", {"$ref": "#/components/schemas/Selection"})
    },
)
def delete_member(selection_id: int, member_id: int):
    """Unseat a member through ``planning.remove_member``."""
    selection = _plannable(selection_id)
    planning.remove_member(selection, actor(), member_id)
    return _selection_answer(selection_id)
