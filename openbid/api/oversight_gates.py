"""API v1 for the oversight body's later gates: an extension of registration asked by the
secretariat and approved (a letter, issued by a job: 202 with the job) or refused by the
body, and the receipt of the final report; the same roles, scope and reasons as the pages.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from openbid.api import schemas as s
from openbid.api.blueprint import actor, bp
from openbid.api.jobs import queued_event
from openbid.api.schemas.base import ID, obj
from openbid.api.spec import api_route
from openbid.api.visibility import require, visible_selection
from openbid.models import Role, SelectionEvent
from openbid.stages import oversight

NOTE = {"type": "string", "maxLength": 2000}
REASON = {"type": "string", "minLength": 1, "maxLength": 2000}
NOTES_REQUEST = obj({"notes": NOTE, "expected_version": ID})
REASON_REQUEST = obj({"reason": REASON, "expected_version": ID}, ["reason"])
DECISION = {
    "type": "object",
    "properties": {
        "event": {"type": "string"},
        "state": {"type": "string"},
        "documents": {"type": "array", "items": {"type": "integer"}},
    },
}


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
    "/selections/<int:selection_id>/oversight/extension/request",
    "POST",
    summary="Ask the oversight body to approve an extension of registration (secretariat)",
    tag="oversight",
    body=REASON_REQUEST,
    responses={200: ("The event fired", DECISION)},
)
def post_extension_request(selection_id: int, body: dict):
    """Send the extension request, with the short posts, through the engine."""
    selection = visible_selection(selection_id)
    require(Role.SECRETARIAT)
    return _decision(
        oversight.request_extension(
            selection,
            actor(),
            reason=body["reason"],
            expected_version=body.get("expected_version"),
        )
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/oversight/extension/approve",
    "POST",
    summary="Approve the extension asked for: the body's letter, issued by a job (oversight)",
    tag="oversight",
    body=NOTES_REQUEST,
    responses={202: ("The decision was queued; its job issues the letter", s.JOB)},
)
def post_extension_approve(selection_id: int, body: dict):
    """Queue the approval; the job fires it and issues the letter."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    notes = body.get("notes", "")
    oversight.check_note_lengths({"other": notes})
    return queued_event(
        selection,
        {
            "event": SelectionEvent.APPROVE_EXTENSION,
            "data": {"notes": notes.strip()},
            "expected_version": body.get("expected_version"),
        },
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/oversight/extension/refuse",
    "POST",
    summary="Refuse the extension asked for, with a reason (oversight)",
    tag="oversight",
    body=REASON_REQUEST,
    responses={200: ("The event fired", DECISION)},
)
def post_extension_refuse(selection_id: int, body: dict):
    """Refuse the extension through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return _decision(
        oversight.refuse_extension(
            selection,
            actor(),
            reason=body["reason"],
            expected_version=body.get("expected_version"),
        )
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/oversight/report/acknowledge",
    "POST",
    summary="Acknowledge receipt of the agency's final report (oversight)",
    tag="oversight",
    body=NOTES_REQUEST,
    responses={200: ("The event fired", DECISION)},
)
def post_report_acknowledge(selection_id: int, body: dict):
    """Record the report's receipt through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return _decision(
        oversight.acknowledge_report(
            selection,
            actor(),
            notes=body.get("notes", ""),
            expected_version=body.get("expected_version"),
        )
    )
