"""API v1 for the oversight body (role ``oversight``): its queue, its decisions on a plan or
on the results, and its monitoring; the same roles, scope and reasons as its pages.

Each resource is one marshmallow declaration: it loads the request, dumps the stage's own
objects (``QueueItem``, ``FireResult``, ``MonitoringRow``) and documents both. A decision that
issues a letter (the plan's approval, the results' recommendation) is queued: 202 with the job.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response

from openbid.api.blueprint import actor, bp
from openbid.api.fields import Body, Id, OneOf, Out, Text, derived
from openbid.api.jobs import JobSchema, queued_event
from openbid.api.visibility import require, visible_selection
from openbid.extensions import db
from openbid.models import Role, SelectionEvent
from openbid.stages import oversight
from openbid.stages.oversight import QueueItem
from openbid.stages.oversight.monitoring import MonitoringRow
from openbid.workflow import FireResult


def _note(**kw: Any) -> Text:
    return Text(min_length=None, max_length=2000, **kw)


class OversightDecisionBody(Body):
    """A decision on a gate: an optional note, the version the reviewer read."""

    notes = _note()
    expected_version = Id()


class OversightReturnBody(Body):
    """A plan sent back to draft: why, and a note per item of the plan."""

    reason = Text(max_length=2000, required=True)
    notes = ma.fields.Nested(
        Body.from_dict({item: _note() for item in oversight.NOTE_ITEMS}, name="OversightNotes")
    )
    expected_version = Id()


class OversightQueueItemSchema(Out):
    """A selection waiting for the caller's body on one gate."""

    selection_id = derived(ma.fields.Integer(required=True), lambda i: i.selection.id)
    agency = derived(ma.fields.String(required=True), lambda i: i.agency.name)
    title = derived(ma.fields.String(required=True), lambda i: i.selection.title)
    gate = ma.fields.String(required=True, validate=OneOf(list(oversight.GATES)))
    sent_on = ma.fields.Date(required=True)
    waited_working_days = derived(ma.fields.Integer(required=True), lambda i: i.waited)
    overdue = ma.fields.Boolean(required=True)


class OversightDecisionSchema(Out):
    """The event a decision fired, the state it left, the letters it issued."""

    event = ma.fields.String(required=True)
    state = derived(ma.fields.String(required=True), lambda r: r.to_state)
    documents = derived(
        ma.fields.List(ma.fields.Integer(), required=True),
        lambda r: list(r.outputs.get("documents", [])),
    )


class OversightMonitoringRowSchema(Out):
    """A supervised selection: its waits per gate, its letters' source, overrides, decree."""

    selection_id = derived(ma.fields.Integer(required=True), lambda r: r.selection.id)
    agency = derived(ma.fields.String(required=True), lambda r: r.selection.agency.name)
    state = derived(ma.fields.String(required=True), lambda r: r.selection.state)
    waited_working_days = derived(
        ma.fields.Dict(
            keys=ma.fields.String(), values=ma.fields.Integer(allow_none=True), required=True
        ),
        lambda r: r.waits,
    )
    letters = derived(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True),
        lambda r: r.sources,
    )
    overrides = derived(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True),
        lambda r: dict(r.overrides),
    )
    decree = ma.fields.String(required=True)


@bp.operation(
    "/oversight/queue",
    "GET",
    summary="What waits for the caller's oversight body, longest waiting first (oversight)",
    tag="oversight",
)
@bp.response(200, OversightQueueItemSchema(many=True), description="The queue")
def get_oversight_queue() -> list[QueueItem]:
    """Return the queue of the caller's body."""
    require(Role.OVERSIGHT)
    return oversight.review_queue(db.session, oversight.reviewer_body(actor()))


@bp.operation(
    "/selections/<int:selection_id>/oversight/approve",
    "POST",
    summary="Give the oversight body's letter on the plan: recommendation or Pertek (oversight)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightDecisionBody)
@bp.response(202, JobSchema, description="The decision was queued; its job issues the letter")
def post_oversight_approve(body: dict, selection_id: int) -> Response:
    """Queue the plan's approval; the job fires it and issues the letter for the gate."""
    return queued_decision(selection_id, SelectionEvent.APPROVE_PLAN, body)


@bp.operation(
    "/selections/<int:selection_id>/oversight/return",
    "POST",
    summary="Return the plan to draft with a reason and a note per item (oversight)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightReturnBody)
@bp.response(200, OversightDecisionSchema, description="The event fired")
def post_oversight_return(body: dict, selection_id: int) -> FireResult:
    """Return the plan through the engine."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return oversight.return_plan(
        selection,
        actor(),
        reason=body["reason"],
        notes=body.get("notes") or {},
        expected_version=body.get("expected_version"),
    )


@bp.operation(
    "/selections/<int:selection_id>/oversight/recommend",
    "POST",
    summary="Give the oversight body's recommendation on the three best (oversight)",
    tag="oversight",
    body=True,
)
@bp.arguments(OversightDecisionBody)
@bp.response(202, JobSchema, description="The decision was queued; its job issues the letter")
def post_oversight_recommend(body: dict, selection_id: int) -> Response:
    """Queue the recommendation on the results; the job fires it and issues the letter."""
    return queued_decision(selection_id, SelectionEvent.RECOMMEND_RESULTS, body)


def queued_decision(selection_id: int, event: str, body: dict) -> Response:
    """Queue a decision that issues a letter (202 with the job), its note checked first."""
    selection = visible_selection(selection_id)
    require(Role.OVERSIGHT)
    return queued_event(
        selection,
        {
            "event": event,
            "data": oversight.remarks(body.get("notes", "")),
            "expected_version": body.get("expected_version"),
        },
    )


@bp.operation(
    "/oversight/monitoring",
    "GET",
    summary="Every selection the caller's body supervises, with waiting days (oversight)",
    tag="oversight",
)
@bp.response(200, OversightMonitoringRowSchema(many=True), description="One row per selection")
def get_oversight_monitoring() -> list[MonitoringRow]:
    """Return the monitoring rows of the caller's body."""
    require(Role.OVERSIGHT)
    return oversight.monitoring(db.session, oversight.reviewer_body(actor())).rows
