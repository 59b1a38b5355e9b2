"""API v1 for an oversight body's own administration (its scope and its reviewers' accounts)
and for committee-composition exceptions; the same roles, checks and reasons as the pages.
"""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import NotFound

from openbid.api.blueprint import actor, bp, iso
from openbid.api.schemas.base import ID, obj
from openbid.api.spec import api_route
from openbid.api.visibility import visible_selection
from openbid.extensions import db
from openbid.models import SelectionEvent, User
from openbid.rules.committee import OVERRIDABLE_RULES
from openbid.stages import accounts, documents, planning
from openbid.stages.oversight.scope import supervised_agencies
from openbid.workflow import fire

TEXT = {"type": "string", "maxLength": 200}
REVIEWER = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "position": {"type": "string"},
        "active": {"type": "boolean"},
        "administrator": {"type": "boolean"},
    },
}
BODY = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "provinces": {"type": "array", "items": {"type": "string"}},
        "agencies": {"type": "array", "items": {"type": "string"}},
        "service_level_days": {"type": "integer"},
        "numbering_pattern": {"type": "string"},
        "signer": {"type": ["string", "null"]},
        "reviewers": {"type": "array", "items": REVIEWER},
    },
}
NEW_REVIEWER = obj(
    {"name": {"type": "string", "maxLength": 200}, "email": TEXT, "position": TEXT},
    ["name", "email"],
)
WITH_PASSWORD = {
    "type": "object",
    "properties": {"reviewer": REVIEWER, "initial_password": {"type": "string"}},
}
EXCEPTION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "rule": {"type": "string"},
        "justification": {"type": "string"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "recorded_by": {"type": "string"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "agreed_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
EXCEPTION_REQUEST = obj(
    {
        "rule": {"type": "string", "enum": sorted(OVERRIDABLE_RULES)},
        "justification": {"type": "string", "minLength": 1, "maxLength": 2000},
        "expected_version": ID,
    },
    ["rule", "justification"],
)


def _reviewer(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "position": user.position_title,
        "active": user.active,
        "administrator": user.body_admin,
    }


@api_route(
    bp,
    "/oversight/body",
    "GET",
    summary="The caller's oversight body: its scope and its reviewers (body administrator)",
    tag="oversight",
    responses={200: ("The body", BODY)},
)
def get_oversight_body():
    """Return the body the caller administers, with its scope and accounts."""
    body = accounts.administered_body(actor())
    signer = documents.issuer_signer(documents.OVERSIGHT, body.code)
    return jsonify(
        {
            "code": body.code,
            "name": body.name,
            "provinces": list(body.provinces or []),
            "agencies": [a.name for a in supervised_agencies(db.session, body)],
            "service_level_days": body.service_level_days,
            "numbering_pattern": body.numbering_pattern,
            "signer": signer.subject_name if signer is not None else None,
            "reviewers": [_reviewer(u) for u in accounts.body_reviewers(body)],
        }
    )


@api_route(
    bp,
    "/oversight/body/reviewers",
    "POST",
    summary="Create a reviewer account of the caller's body (body administrator)",
    tag="oversight",
    body=NEW_REVIEWER,
    responses={201: ("The account and its initial password, shown once", WITH_PASSWORD)},
)
def post_oversight_reviewer(body: dict):
    """Create a reviewer; the initial password is in this answer only."""
    user, password = accounts.add_reviewer(
        actor(), name=body["name"], email=body["email"], title=body.get("position", "")
    )
    return jsonify({"reviewer": _reviewer(user), "initial_password": password}), 201


def _own(change, user_id: int, *args):
    try:
        return change(actor(), user_id, *args)
    except LookupError:
        raise NotFound() from None


@api_route(
    bp,
    "/oversight/body/reviewers/<int:user_id>/deactivate",
    "POST",
    summary="Deactivate a reviewer of the caller's body, ending its logins (body administrator)",
    tag="oversight",
    responses={200: ("The account", REVIEWER)},
)
def post_oversight_reviewer_deactivate(user_id: int):
    """Deactivate a reviewer of the caller's body."""
    return jsonify(_reviewer(_own(accounts.set_reviewer_active, user_id, False)))


@api_route(
    bp,
    "/oversight/body/reviewers/<int:user_id>/reactivate",
    "POST",
    summary="Let a deactivated reviewer of the caller's body log in again (body administrator)",
    tag="oversight",
    responses={200: ("The account", REVIEWER)},
)
def post_oversight_reviewer_reactivate(user_id: int):
    """Reactivate a reviewer of the caller's body."""
    return jsonify(_reviewer(_own(accounts.set_reviewer_active, user_id, True)))


@api_route(
    bp,
    "/oversight/body/reviewers/<int:user_id>/reset-password",
    "POST",
    summary="Give a reviewer a new password, ending its logins (body administrator)",
    tag="oversight",
    responses={200: ("The account and its new password, shown once", WITH_PASSWORD)},
)
def post_oversight_reviewer_reset(user_id: int):
    """Reset a reviewer's password; the new one is in this answer only."""
    user, password = _own(accounts.reset_reviewer_password, user_id)
    return jsonify({"reviewer": _reviewer(user), "initial_password": password})


def _exception(view: planning.ExceptionView) -> dict:
    return {
        "id": view.id,
        "rule": view.rule,
        "justification": view.justification,
        "reasons": view.reasons,
        "recorded_by": view.recorded_by,
        "recorded_at": iso(view.recorded_at),
        "agreed_at": iso(view.agreed_at) if view.agreed_at else None,
    }


@api_route(
    bp,
    "/selections/<int:selection_id>/committee/exceptions",
    "GET",
    summary="The committee-composition exceptions on file, with the body's agreement",
    tag="plan",
    responses={200: ("Oldest first", {"type": "array", "items": EXCEPTION})},
)
def get_committee_exceptions(selection_id: int):
    """List a selection's composition exceptions."""
    selection = visible_selection(selection_id)
    return jsonify([_exception(v) for v in planning.committee_exceptions(db.session, selection)])


@api_route(
    bp,
    "/selections/<int:selection_id>/committee/exceptions",
    "POST",
    summary="Record an exception to a broken composition rule with its justification (engine)",
    tag="plan",
    body=EXCEPTION_REQUEST,
    responses={201: ("The exception recorded", EXCEPTION)},
)
def post_committee_exception(selection_id: int, body: dict):
    """Fire record_committee_exception; the engine checks role, state and the rule."""
    selection = visible_selection(selection_id)
    result = fire(
        selection,
        SelectionEvent.RECORD_COMMITTEE_EXCEPTION,
        actor(),
        {"rule": body["rule"], "reason": body["justification"]},
        expected_version=body.get("expected_version"),
    )
    exception_id = result.outputs["exception_id"]
    views = planning.committee_exceptions(db.session, selection)
    return jsonify(_exception(next(v for v in views if v.id == exception_id))), 201
