"""API v1 the approval and announcement stage's settings: which optional approval letters a
selection requires, its election windows, and dropping a post still short of applicants.

The same roles (the agency's secretariat and admin), the same states and the same reasons
as the Approval and Announcement tabs, through ``stages.announcement``; If-Match holds each
write to a version read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openbid import clock
from openbid.api import schemas as s
from openbid.api.blueprint import actor, bp
from openbid.api.selections import if_match, selection_answer, selection_shown
from openbid.api.spec import api_route
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.committee.blueprint import WORKSPACE_ROLES
from openbid.extensions import db
from openbid.models import Selection
from openbid.stages import announcement
from openbid.workflow import definition_of


def _gates_json(selection: Selection) -> dict[str, Any]:
    """Serialise the selection's approval gates today and its election windows."""
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    statuses = announcement.gate_statuses(
        db.session, selection, definition, params, clock.today_jakarta()
    )
    return {
        "selection_id": selection.id,
        "version": selection.version,
        "state": selection.state,
        "editable": selection.state in announcement.LETTER_STATES,
        "required_gates": list(params.get("required_gates") or []),
        "gates": [
            {
                "code": g.code,
                "authority": g.authority,
                "label": g.label,
                "required": g.required,
                "required_by": g.required_by,
                "optional": g.required_by != "definition",
                "recorded": g.recorded,
                "approval_id": g.approval.id if g.approval is not None else None,
            }
            for g in statuses
        ],
        "election_windows": [
            {
                "number": number,
                "starts_on": w.starts_on.isoformat(),
                "ends_on": w.ends_on.isoformat(),
                "reason": w.reason,
            }
            for number, w in enumerate(announcement.election_windows(params), start=1)
        ],
    }


def _gates_answer(selection_id: int, status: int = 200) -> Any:
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return selection_answer(_gates_json(selection), selection, status, of_selection=False)


def _writable(selection_id: int) -> Selection:
    """Return a selection whose approval settings the caller may change (If-Match checked)."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    if_match(selection)
    return selection


@api_route(
    bp,
    "/selections/<int:selection_id>/approval",
    "GET",
    summary="The approval gates (required or not, and why; letter on file) and the election "
    "windows",
    tag="announcement",
    conditional="read",
    responses={200: ("The approval gates and election windows", s.APPROVAL_GATES)},
)
def get_approval(selection_id: int):
    """Return what the Approval tab shows (the workspace's roles of the selection)."""
    require(*WORKSPACE_ROLES)
    selection = visible_selection(selection_id)
    return selection_answer(_gates_json(selection), selection, of_selection=False)


@api_route(
    bp,
    "/selections/<int:selection_id>/approval/required-gates",
    "PUT",
    summary="Mark which optional approval gates this selection requires, before publishing "
    "(secretariat, admin)",
    tag="announcement",
    body=s.REQUIRED_GATES_REQUEST,
    conditional="write",
    responses={200: ("The approval gates after the change", s.APPROVAL_GATES)},
)
def put_required_gates(selection_id: int, body: dict):
    """Save the required gates through ``announcement.set_required_gates``."""
    selection = _writable(selection_id)
    announcement.set_required_gates(selection, actor(), body["gates"])
    return _gates_answer(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/approval/election-windows",
    "POST",
    summary="Add an election window (the Home Affairs Minister's permission is then needed), "
    "before publishing (secretariat, admin)",
    tag="announcement",
    body=s.ELECTION_WINDOW_REQUEST,
    conditional="write",
    responses={201: ("The approval gates with the window", s.APPROVAL_GATES)},
)
def post_election_window(selection_id: int, body: dict):
    """Add a window through ``announcement.add_election_window``."""
    selection = _writable(selection_id)
    announcement.add_election_window(
        selection,
        actor(),
        starts_on=date.fromisoformat(body["starts_on"]),
        ends_on=date.fromisoformat(body["ends_on"]),
        reason=body["reason"],
    )
    return _gates_answer(selection_id, 201)


@api_route(
    bp,
    "/selections/<int:selection_id>/approval/election-windows/<int:number>",
    "DELETE",
    summary="Remove an election window by its number in the list (from 1), before publishing "
    "(secretariat, admin)",
    tag="announcement",
    conditional="write",
    responses={200: ("The approval gates without the window", s.APPROVAL_GATES)},
)
def delete_election_window(selection_id: int, number: int):
    """Remove a window through ``announcement.remove_election_window`` (which counts from 0)."""
    selection = _writable(selection_id)
    announcement.remove_election_window(selection, actor(), number - 1)
    return _gates_answer(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/positions/<int:position_id>/drop",
    "POST",
    summary="Drop a post still short of applicants after registration closed; its unfinished "
    "applications are closed (secretariat)",
    tag="announcement",
    body=s.DROP_REQUEST,
    conditional="write",
    responses={
        200: ("The selection with the post dropped", {"$ref": "#/components/schemas/Selection"})
    },
)
def drop_position(selection_id: int, position_id: int, body: dict):
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
