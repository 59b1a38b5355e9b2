"""API v1 for the oversight body's later gates: an extension of registration asked by the
secretariat and approved (a letter, issued by a job: 202 with the job) or refused by the
body, and the receipt of the final report; the same roles, scope and reasons as the pages.

The reason-bearing request is declared here; the rest is shared with ``api/oversight.py``.
"""

from __future__ import annotations

from flask import Response

from openbid.api.blueprint import actor, bp
from openbid.api.fields import Body, Id, Text
from openbid.api.jobs import JobSchema
from openbid.api.oversight import OversightDecisionBody, OversightDecisionSchema, queued_decision
from openbid.api.visibility import require, visible_selection
from openbid.models import Role, SelectionEvent
from openbid.stages import oversight
from openbid.workflow import FireResult


class OversightReasonBody(Body):
    """A request or refusal: why, the version read."""

    reason = Text(max_length=2000, required=True)
    expected_version = Id()


@bp.operation(
    "/selections/<int:selection_id>/oversight/extension/request",
    "POST",
    summary="Ask the oversight body to approve an extension of registration (secretariat)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightReasonBody)
@bp.response(200, OversightDecisionSchema, description="The event fired")
def post_extension_request(body: dict, selection_id: int) -> FireResult:
    """Send the extension request, with the short posts, through the engine."""
    selection = visible_selection(selection_id)
    require(Role.SECRETARIAT)
    return oversight.request_extension(
        selection,
        actor(),
        reason=body["reason"],
        expected_version=body.get("expected_version"),
    )


@bp.operation(
    "/selections/<int:selection_id>/oversight/extension/approve",
    "POST",
    summary="Approve the extension asked for: the body's letter, issued by a job (oversight)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightDecisionBody)
@bp.response(202, JobSchema, description="The decision was queued; its job issues the letter")
def post_extension_approve(body: dict, selection_id: int) -> Response:
    """Queue the approval; the job fires it and issues the letter."""
    return queued_decision(selection_id, SelectionEvent.APPROVE_EXTENSION, body)


@bp.operation(
    "/selections/<int:selection_id>/oversight/extension/refuse",
    "POST",
    summary="Refuse the extension asked for, with a reason (oversight)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightReasonBody)
@bp.response(200, OversightDecisionSchema, description="The event fired")
def post_extension_refuse(body: dict, selection_id: int) -> FireResult:
    """Refuse the extension through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return oversight.refuse_extension(
        selection,
        actor(),
        reason=body["reason"],
        expected_version=body.get("expected_version"),
    )


@bp.operation(
    "/selections/<int:selection_id>/oversight/report/acknowledge",
    "POST",
    summary="Acknowledge receipt of the agency's final report (oversight)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightDecisionBody)
@bp.response(200, OversightDecisionSchema, description="The event fired")
def post_report_acknowledge(body: dict, selection_id: int) -> FireResult:
    """Record the report's receipt through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return oversight.acknowledge_report(
        selection,
        actor(),
        notes=body.get("notes", ""),
        expected_version=body.get("expected_version"),
    )
