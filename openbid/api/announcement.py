"""API v1 the approval and announcement stage's settings: which optional approval letters a
selection requires, its election windows, and dropping a post still short of applicants.

The same roles (the agency's secretariat and admin), the same states and the same reasons
as the Approval and Announcement tabs, through ``stages.announcement``; If-Match holds each
write to a version read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from openbid import clock
from openbid.api.blueprint import actor, bp
from openbid.api.fields import Body, Length, OneOf, Out, Range, Text, derived
from openbid.api.selection_schemas import SelectionSchema
from openbid.api.selections import etag, if_match, selection_answer, selection_shown
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.committee.blueprint import WORKSPACE_ROLES
from openbid.extensions import db
from openbid.models import Selection
from openbid.stages import announcement
from openbid.workflow import definition_of

GATE_CODE = {"min_length": 1, "max_length": 60}


class RequiredGatesBody(Body):
    """The optional gates the selection requires (the definition's codes)."""

    gates = ma.fields.List(Text(**GATE_CODE), required=True, validate=Length(max=20))


class ElectionWindowBody(Body):
    """A period in which replacing officials needs the Home Affairs Minister's permission."""

    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    # Longer than the stage allows: it refuses more than 300 characters with its reason.
    reason = Text(min_length=None, max_length=400, required=True)


class ApprovalGateSchema(Out):
    """One approval gate: required or not and why, and the letter on file."""

    code = ma.fields.String(required=True)
    authority = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    required = ma.fields.Boolean(required=True)
    required_by = ma.fields.String(
        required=True, validate=OneOf(["definition", "selection", "election_window", ""])
    )
    optional = derived(ma.fields.Boolean(), lambda g: g.required_by != "definition")
    recorded = ma.fields.Boolean(required=True)
    approval_id = derived(
        ma.fields.Integer(allow_none=True),
        lambda g: g.approval.id if g.approval is not None else None,
    )


class ElectionWindowSchema(Out):
    """An election window, numbered from 1 in the selection's list."""

    number = derived(ma.fields.Integer(required=True, validate=Range(min=1)), lambda n: n[0])
    starts_on = derived(ma.fields.Date(required=True), lambda n: n[1].starts_on)
    ends_on = derived(ma.fields.Date(required=True), lambda n: n[1].ends_on)
    reason = derived(ma.fields.String(required=True), lambda n: n[1].reason)


@dataclass(frozen=True)
class ApprovalSettings:
    """What the Approval tab shows: the gates today and the election windows."""

    selection: Selection
    params: dict[str, Any]
    gates: list[announcement.GateStatus]


class ApprovalGatesSchema(Out):
    """A selection's approval gates today and its election windows."""

    selection_id = derived(ma.fields.Integer(required=True), lambda v: v.selection.id)
    version = derived(ma.fields.Integer(required=True), lambda v: v.selection.version)
    state = derived(ma.fields.String(required=True), lambda v: v.selection.state)
    editable = derived(
        ma.fields.Boolean(required=True),
        lambda v: v.selection.state in announcement.LETTER_STATES,
    )
    required_gates = derived(
        ma.fields.List(ma.fields.String()), lambda v: list(v.params.get("required_gates") or [])
    )
    gates = ma.fields.List(ma.fields.Nested(ApprovalGateSchema), required=True)
    election_windows = derived(
        ma.fields.List(ma.fields.Nested(ElectionWindowSchema), required=True),
        lambda v: list(enumerate(announcement.election_windows(v.params), start=1)),
    )


def _settings(selection: Selection) -> ApprovalSettings:
    """Return the selection's approval gates today and its election windows."""
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    statuses = announcement.gate_statuses(
        db.session, selection, definition, params, clock.today_jakarta()
    )
    return ApprovalSettings(selection, params, statuses)


def _gates_answer(selection_id: int) -> tuple[ApprovalSettings, dict[str, str]]:
    """Return the settings after a write, read again, with the selection's new ETag."""
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return _settings(selection), {"ETag": etag(selection)}


def _writable(selection_id: int) -> Selection:
    """Return a selection whose approval settings the caller may change (If-Match checked)."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    if_match(selection)
    return selection


@bp.operation(
    "/selections/<int:selection_id>/approval",
    "GET",
    summary="The approval gates (required or not, and why; letter on file) and the election "
    "windows",
    tag="announcement",
    conditional="read",
)
@bp.response(200, ApprovalGatesSchema, description="The approval gates and election windows")
def get_approval(selection_id: int) -> Any:
    """Return what the Approval tab shows (the workspace's roles of the selection)."""
    require(*WORKSPACE_ROLES)
    selection = visible_selection(selection_id)
    return _settings(selection), {"ETag": etag(selection)}


@bp.operation(
    "/selections/<int:selection_id>/approval/required-gates",
    "PUT",
    summary="Mark which optional approval gates this selection requires, before publishing "
    "(secretariat, admin)",
    tag="announcement",
    body=True,
    conditional="write",
)
@bp.arguments(RequiredGatesBody)
@bp.response(200, ApprovalGatesSchema, description="The approval gates after the change")
def put_required_gates(body: dict[str, Any], selection_id: int) -> Any:
    """Save the required gates through ``announcement.set_required_gates``."""
    selection = _writable(selection_id)
    announcement.set_required_gates(selection, actor(), body["gates"])
    return _gates_answer(selection_id)


@bp.operation(
    "/selections/<int:selection_id>/approval/election-windows",
    "POST",
    summary="Add an election window (the Home Affairs Minister's permission is then needed), "
    "before publishing (secretariat, admin)",
    tag="announcement",
    body=True,
    conditional="write",
)
@bp.arguments(ElectionWindowBody)
@bp.response(201, ApprovalGatesSchema, description="The approval gates with the window")
def post_election_window(body: dict[str, Any], selection_id: int) -> Any:
    """Add a window through ``announcement.add_election_window``."""
    selection = _writable(selection_id)
    announcement.add_election_window(
        selection,
        actor(),
        starts_on=body["starts_on"],
        ends_on=body["ends_on"],
        reason=body["reason"],
    )
    return _gates_answer(selection_id)


@bp.operation(
    "/selections/<int:selection_id>/approval/election-windows/<int:number>",
    "DELETE",
    summary="Remove an election window by its number in the list (from 1), before publishing "
    "(secretariat, admin)",
    tag="announcement",
    conditional="write",
)
@bp.response(200, ApprovalGatesSchema, description="The approval gates without the window")
def delete_election_window(selection_id: int, number: int) -> Any:
    """Remove a window through ``announcement.remove_election_window`` (which counts from 0)."""
    selection = _writable(selection_id)
    announcement.remove_election_window(selection, actor(), number - 1)
    return _gates_answer(selection_id)


class DropBody(Body):
    """Why the post is dropped."""

    reason = Text(min_length=None, max_length=2000, required=True)


@bp.operation(
    "/selections/<int:selection_id>/positions/<int:position_id>/drop",
    "POST",
    summary="Drop a post still short of applicants after registration closed; its unfinished "
    "applications are closed (secretariat)",
    tag="announcement",
    body=True,
    conditional="write",
)
@bp.arguments(DropBody)
@bp.response(200, SelectionSchema, description="The selection with the post dropped")
def drop_position(body: dict, selection_id: int, position_id: int) -> Any:
    """Drop the post through ``announcement.drop_position`` (the engine's guards decide)."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    announcement.drop_position(
        selection,
        actor(),
        position_id=position_id,
        reason=body["reason"],
        expected_version=if_match(selection),
    )
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return selection_answer(selection_shown(selection), selection)
