"""API v1 for the oversight body (role ``oversight``): its queue, its decisions on a plan or
on the results, and its monitoring; the same roles, scope and reasons as its pages.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from openbid.api.blueprint import actor, bp, iso
from openbid.api.schemas.base import ID, obj
from openbid.api.spec import api_route
from openbid.api.visibility import require, visible_selection
from openbid.extensions import db
from openbid.models import Role
from openbid.stages import oversight

NOTE = {"type": "string", "maxLength": 2000}
DECISION_REQUEST = obj({"notes": NOTE, "expected_version": ID})
RETURN_REQUEST = obj(
    {
        "reason": {"type": "string", "minLength": 1, "maxLength": 2000},
        "notes": obj(dict.fromkeys(oversight.NOTE_ITEMS, NOTE)),
        "expected_version": ID,
    },
    ["reason"],
)
QUEUE_ITEM = {
    "type": "object",
    "properties": {
        "selection_id": {"type": "integer"},
        "agency": {"type": "string"},
        "title": {"type": "string"},
        "gate": {"type": "string", "enum": list(oversight.GATES)},
        "sent_on": {"type": "string", "format": "date"},
        "waited_working_days": {"type": "integer"},
        "overdue": {"type": "boolean"},
    },
}
DECISION = {
    "type": "object",
    "properties": {
        "event": {"type": "string"},
        "state": {"type": "string"},
        "documents": {"type": "array", "items": {"type": "integer"}},
    },
}
MONITORING_ROW = {
    "type": "object",
    "properties": {
        "selection_id": {"type": "integer"},
        "agency": {"type": "string"},
        "state": {"type": "string"},
        "waited_working_days": {"type": "object"},
        "letters": {"type": "object"},
        "overrides": {"type": "object"},
        "decree": {"type": "string"},
    },
}


@api_route(
    bp,
    "/oversight/queue",
    "GET",
    summary="What waits for the caller's oversight body, longest waiting first (oversight)",
    tag="oversight",
    responses={200: ("The queue", {"type": "array", "items": QUEUE_ITEM})},
)
def get_oversight_queue():
    """Return the queue of the caller's body."""
    require(Role.OVERSIGHT)
    body = oversight.reviewer_body(actor())
    return jsonify(
        [
            {
                "selection_id": item.selection.id,
                "agency": item.agency.name,
                "title": item.selection.title,
                "gate": item.gate,
                "sent_on": iso(item.sent_on),
                "waited_working_days": item.waited,
                "overdue": item.overdue,
            }
            for item in oversight.review_queue(db.session, body)
        ]
    )


def _decision(result: Any) -> Any:
    return jsonify(
        {
            "event": result.event,
            "state": result.to_state,
            "documents": list(result.outputs.get("documents", [])),
        }
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/oversight/approve",
    "POST",
    summary="Give the oversight body's letter on the plan: recommendation or Pertek (oversight)",
    tag="oversight",
    body=DECISION_REQUEST,
    responses={200: ("The event fired and the letter issued", DECISION)},
)
def post_oversight_approve(selection_id: int, body: dict):
    """Approve the plan through the engine; the letter satisfies the gate."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return _decision(
        oversight.approve_plan(
            selection,
            actor(),
            notes=body.get("notes", ""),
            expected_version=body.get("expected_version"),
        )
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/oversight/return",
    "POST",
    summary="Return the plan to draft with a reason and a note per item (oversight)",
    tag="oversight",
    body=RETURN_REQUEST,
    responses={200: ("The event fired", DECISION)},
)
def post_oversight_return(selection_id: int, body: dict):
    """Return the plan through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return _decision(
        oversight.return_plan(
            selection,
            actor(),
            reason=body["reason"],
            notes=body.get("notes") or {},
            expected_version=body.get("expected_version"),
        )
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/oversight/recommend",
    "POST",
    summary="Give the oversight body's recommendation on the three best (oversight)",
    tag="oversight",
    body=DECISION_REQUEST,
    responses={200: ("The event fired and the letter issued", DECISION)},
)
def post_oversight_recommend(selection_id: int, body: dict):
    """Recommend the results through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return _decision(
        oversight.recommend_results(
            selection,
            actor(),
            notes=body.get("notes", ""),
            expected_version=body.get("expected_version"),
        )
    )


@api_route(
    bp,
    "/oversight/monitoring",
    "GET",
    summary="Every selection the caller's body supervises, with waiting days (oversight)",
    tag="oversight",
    responses={200: ("One row per selection", {"type": "array", "items": MONITORING_ROW})},
)
def get_oversight_monitoring():
    """Return the monitoring rows of the caller's body."""
    require(Role.OVERSIGHT)
    data = oversight.monitoring(db.session, oversight.reviewer_body(actor()))
    return jsonify(
        [
            {
                "selection_id": row.selection.id,
                "agency": row.selection.agency.name,
                "state": row.selection.state,
                "waited_working_days": row.waits,
                "letters": row.sources,
                "overrides": dict(row.overrides),
                "decree": row.decree,
            }
            for row in data.rows
        ]
    )
