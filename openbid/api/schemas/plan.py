"""Schemas of a selection's plan settings: registration, schedule, score weights."""

from __future__ import annotations

from openbid.api.schemas.base import DATE, obj
from openbid.rules.calendar import WINDOW_UNITS
from openbid.stages.planning import MAX_SCHEDULE_ROWS, SCORE_COMPONENTS

UNIT = {"type": ["string", "null"], "enum": [*WINDOW_UNITS, None]}
PERCENT = {"type": "number", "minimum": -1000, "maximum": 1000}


def _count(low: int, high: int) -> dict:
    # Wider than the rules allow: the stage refuses out-of-range values with its own reasons.
    return {"type": ["integer", "null"], "minimum": low - 100, "maximum": high + 100}


REGISTRATION_REQUEST = obj(
    {
        "registration_length": _count(1, 90),
        "registration_unit": UNIT,
        "closing_time": {"type": ["string", "null"], "maxLength": 10},
        "min_applicants": _count(1, 50),
        "extension_length": _count(1, 60),
        "extension_unit": UNIT,
        "extension_max_count": _count(0, 5),
        "reference_date": {"type": ["string", "null"], "format": "date"},
    }
)
SCHEDULE_ROW = obj(
    {
        "stage": {"type": "string", "maxLength": 200},
        "starts_on": DATE,
        "ends_on": {"type": ["string", "null"], "format": "date"},
        "place": {"type": "string", "maxLength": 200},
    },
    ["stage", "starts_on"],
)
SCHEDULE_REQUEST = obj(
    {"rows": {"type": "array", "items": SCHEDULE_ROW, "maxItems": MAX_SCHEDULE_ROWS}},
    ["rows"],
)
SCORING_REQUEST = obj(
    {
        "weights": obj(dict.fromkeys(SCORE_COMPONENTS, PERCENT), list(SCORE_COMPONENTS)),
        "pass_marks": obj(
            {
                c: {"type": ["number", "null"], "minimum": -1000, "maximum": 1000}
                for c in SCORE_COMPONENTS
            }
        ),
    },
    ["weights"],
)
_WINDOW = {
    "type": "object",
    "properties": {
        "length": {"type": ["integer", "null"]},
        "unit": {"type": ["string", "null"]},
        "closing_time": {"type": ["string", "null"]},
        "max_count": {"type": ["integer", "null"]},
    },
}
_PERCENTAGES = {"type": "object", "additionalProperties": {"type": "number"}}
PLAN = {
    "type": "object",
    "required": ["selection_id", "version", "registration", "extension", "schedule", "weights"],
    "properties": {
        "selection_id": {"type": "integer"},
        "version": {"type": "integer"},
        "registration": _WINDOW,
        "extension": _WINDOW,
        "min_applicants": {"type": ["integer", "null"]},
        "age_reference": {"type": ["string", "null"]},
        "shortlist_size": {"type": ["integer", "null"]},
        "weights": _PERCENTAGES,
        "pass_marks": _PERCENTAGES,
        "schedule": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["stage", "starts_on"],
                "properties": {
                    "stage": {"type": "string"},
                    "starts_on": {"type": "string"},
                    "ends_on": {"type": ["string", "null"]},
                    "place": {"type": "string"},
                },
            },
        },
        "overridden": {"type": "array", "items": {"type": "string"}},
    },
}
