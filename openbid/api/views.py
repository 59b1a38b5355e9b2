"""API v1 resources: tokens, selections, their posts, committee, events and audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from openbid import audit
from openbid.api import schemas as s
from openbid.api.auth import Unauthorized, authenticate, too_many_attempts
from openbid.api.spec import api_route, openapi_document
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    AuditEvent,
    CommitteeMember,
    CommitteeRole,
    Position,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.models.user import role_term
from openbid.rules.reasons import N_, Reason, Terms, ValidationFailed
from openbid.stages import accounts
from openbid.stages import planning as selection_service
from openbid.workflow import available_events, fire, workflows
from openbid.workflow.engine import Forbidden, access_reasons

bp = Blueprint("api", __name__, url_prefix="/api/v1")

STAFF_WRITERS = (Role.SECRETARIAT, Role.ADMIN)


def _actor() -> User:
    return g.api_user


def _require(*roles: Role) -> None:
    """Refuse the request unless the caller has one of roles.

    :raises Forbidden: 403 with the roles allowed.
    """
    if _actor().role not in roles:
        raise Forbidden(
            Reason(
                "access.role",
                N_("Your role (%(role)s) may not do this; allowed: %(allowed)s."),
                {
                    "role": role_term(_actor().role),
                    "allowed": Terms(role_term(r) for r in sorted(roles)),
                },
            )
        )


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in current_app.config.get("API_PUBLIC_ENDPOINTS", ()):
        return
    authenticate()


def _visible_selection(selection_id: int) -> Selection:
    """Return a selection the caller may see.

    :raises NotFound: when it does not exist or is not visible (no hint which).
    """
    selection = db.session.get(Selection, selection_id)
    actor = _actor()
    if selection is None:
        raise NotFound()
    if actor.role == Role.CANDIDATE:
        if selection.state != SelectionState.ANNOUNCEMENT:
            raise NotFound()
        return selection
    if access_reasons(actor, selection, selection, db.session):
        raise NotFound()
    return selection


def _reasons(reasons: list[Reason]) -> list[dict[str, str]]:
    return [{"code": r.code, "message": reason_text(r)} for r in reasons]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def selection_json(selection: Selection) -> dict[str, Any]:
    """Serialise a selection with its posts, committee (staff only) and the caller's events."""
    actor = _actor()
    definition = workflows().get(selection.workflow_key, selection.workflow_version)
    positions = db.session.scalars(
        sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
    ).all()
    body: dict[str, Any] = {
        "id": selection.id,
        "title": selection.title,
        "year": selection.year,
        "start_date": selection.start_date.isoformat(),
        "state": selection.state,
        "version": selection.version,
        "agency": selection.agency.name,
        "workflow": {
            "key": definition.key,
            "version": definition.version,
            "title": definition.title,
        },
        "registration_opens_at": _iso(selection.registration_opens_at),
        "registration_closes_at": _iso(selection.registration_closes_at),
        "positions": [
            {
                "id": p.id,
                "name": p.name,
                "unit": p.unit,
                "level": p.level,
                "min_rank": p.min_rank,
                "requirements": p.requirements,
                "competencies": p.competencies,
                "dropped": p.dropped_at is not None,
                "drop_reason": p.drop_reason,
            }
            for p in positions
        ],
        "events": [],
    }
    if actor.role != Role.CANDIDATE:
        members = db.session.scalars(
            sa.select(CommitteeMember)
            .where(CommitteeMember.selection_id == selection.id)
            .options(sa.orm.joinedload(CommitteeMember.user))
            .order_by(CommitteeMember.id)
        ).all()
        body["committee"] = [
            {
                "id": m.id,
                "user_id": m.user_id,
                "name": m.user.name,
                "committee_role": str(m.committee_role),
                "is_internal": m.is_internal,
                "position_title": m.position_title,
                "institution": m.institution,
                "position_level": m.position_level,
                "is_bkn_official": m.is_bkn_official,
            }
            for m in members
        ]
        body["events"] = [
            {
                "name": e.name,
                "label": e.label,
                "enabled": e.enabled,
                "reasons": _reasons(e.reasons),
                "requires": list(e.requires),
            }
            for e in available_events(selection, actor)
        ]
    return body


@api_route(
    bp,
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 document",
    tag="meta",
    public=True,
    responses={200: ("The OpenAPI document", {"type": "object"})},
)
def openapi():
    """Return the OpenAPI document."""
    return jsonify(openapi_document("/api/v1", request.host_url.rstrip("/")))


@api_route(
    bp,
    "/tokens",
    "POST",
    summary="Exchange email and password for a bearer token",
    tag="auth",
    public=True,
    body=s.TOKEN_REQUEST,
    responses={
        201: ("A new token (shown once)", s.TOKEN),
        401: ("Wrong email or password", {"$ref": "#/components/schemas/Error"}),
        403: ("The account is disabled", {"$ref": "#/components/schemas/Error"}),
        429: (
            "Too many failed log-ins; the Retry-After header says how many seconds to wait",
            {"$ref": "#/components/schemas/Error"},
        ),
    },
)
def create_token(body: dict):
    """Issue a token for valid credentials, within the same log-in limits as the web form."""
    try:
        user = accounts.authenticate(
            body["email"], body["password"], request.remote_addr or "unknown"
        )
    except accounts.LoginRefused as error:
        return too_many_attempts(error.reasons, error.retry_after)
    except accounts.AccountDisabled as error:
        raise Forbidden(error.reasons) from None
    except accounts.WrongCredentials as error:
        raise Unauthorized(error.reasons[0]) from None
    secret, row = accounts.issue_token(user)
    return jsonify({"token": secret, "expires_at": row.expires_at.isoformat()}), 201


@api_route(
    bp,
    "/tokens/current",
    "DELETE",
    summary="Revoke the token used for this request",
    tag="auth",
    responses={204: ("Revoked", None)},
)
def delete_token():
    """Revoke the caller's token."""
    accounts.revoke_token(g.api_token, _actor())
    return "", 204


@api_route(
    bp,
    "/selections",
    "GET",
    summary="Selections visible to the caller",
    tag="selections",
    responses={200: ("The selections", s.SELECTION_LIST)},
)
def list_selections():
    """List the caller's selections: the agency's for staff, committees sat on, open ones."""
    actor = _actor()
    stmt = sa.select(Selection).order_by(Selection.start_date.desc(), Selection.id.desc())
    if actor.role == Role.CANDIDATE:
        stmt = stmt.where(Selection.state == SelectionState.ANNOUNCEMENT)
    elif actor.role == Role.COMMITTEE:
        stmt = stmt.join(CommitteeMember).where(CommitteeMember.user_id == actor.id)
    else:
        stmt = stmt.where(Selection.agency_id == actor.agency_id)
    rows = db.session.scalars(stmt).all()
    return jsonify(
        {
            "selections": [
                {
                    "id": r.id,
                    "title": r.title,
                    "year": r.year,
                    "state": r.state,
                    "workflow": {"key": r.workflow_key, "version": r.workflow_version},
                }
                for r in rows
            ]
        }
    )


@api_route(
    bp,
    "/selections",
    "POST",
    summary="Create a selection in draft (secretariat, admin)",
    tag="selections",
    body=s.SELECTION_CREATE,
    responses={201: ("The new selection", s.SELECTION)},
)
def create_selection(body: dict):
    """Create a selection; the definition follows the start date unless one is named."""
    _require(*STAFF_WRITERS)
    start = date.fromisoformat(body["start_date"])
    definition = None
    if "workflow_key" in body:
        definition = workflows().latest(body["workflow_key"])
        if not definition.applies_on(start):
            raise ValidationFailed(
                Reason(
                    "selection.workflow_date",
                    N_("The %(workflow)s workflow does not apply to a start on %(date)s."),
                    {"workflow": definition.key, "date": start.isoformat()},
                )
            )
    selection = selection_service.create_selection(
        _actor().agency, _actor(), title=body["title"], start_date=start, definition=definition
    )
    response = jsonify(selection_json(selection))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_selection_get", selection_id=selection.id)
    return response


@api_route(
    bp,
    "/selections/<int:selection_id>",
    "GET",
    summary="A selection with its posts, committee and the events the caller may fire",
    tag="selections",
    responses={200: ("The selection", s.SELECTION)},
)
def get_selection(selection_id: int):
    """Return one selection."""
    return jsonify(selection_json(_visible_selection(selection_id)))


@api_route(
    bp,
    "/selections/<int:selection_id>/events",
    "POST",
    summary="Fire a workflow event on the selection",
    tag="selections",
    body=s.EVENT_REQUEST,
    responses={200: ("The selection after the event", s.SELECTION)},
)
def post_event(selection_id: int, body: dict):
    """Fire an event through the engine; 403/409/422 come from its typed errors."""
    selection = _visible_selection(selection_id)
    fire(
        selection,
        body["event"],
        _actor(),
        body.get("data") or {},
        expected_version=body.get("expected_version"),
    )
    db.session.expire_all()
    return jsonify(selection_json(db.session.get(Selection, selection_id)))


@api_route(
    bp,
    "/selections/<int:selection_id>/positions",
    "POST",
    summary="Add a post to a draft selection (secretariat, admin)",
    tag="selections",
    body=s.POSITION_CREATE,
    responses={201: ("The selection with the new post", s.SELECTION)},
)
def add_position(selection_id: int, body: dict):
    """Add a post."""
    selection = _visible_selection(selection_id)
    _require(*STAFF_WRITERS)
    selection_service.create_position(selection, _actor(), **body)
    return jsonify(selection_json(selection)), 201


@api_route(
    bp,
    "/selections/<int:selection_id>/committee",
    "POST",
    summary="Seat a committee-role user of the agency on a draft selection (secretariat, admin)",
    tag="selections",
    body=s.MEMBER_CREATE,
    responses={201: ("The selection with the new member", s.SELECTION)},
)
def add_member(selection_id: int, body: dict):
    """Seat a committee member."""
    selection = _visible_selection(selection_id)
    _require(*STAFF_WRITERS)
    member = db.session.get(User, body["user_id"])
    if member is None or member.agency_id != selection.agency_id:
        raise ValidationFailed(
            Reason(
                "committee.user",
                N_("No committee user %(id)s in this agency."),
                {"id": body["user_id"]},
            )
        )
    selection_service.add_committee_member(
        selection,
        _actor(),
        member,
        committee_role=CommitteeRole(body["committee_role"]),
        is_internal=body["is_internal"],
        position_title=body["position_title"],
        position_level=body["position_level"],
        institution=body.get("institution", ""),
        is_bkn_official=body.get("is_bkn_official", False),
    )
    return jsonify(selection_json(selection)), 201


@api_route(
    bp,
    "/selections/<int:selection_id>/audit",
    "GET",
    summary="The selection's audit events with their hashes, and the chain's status",
    tag="audit",
    responses={200: ("The audit trail", s.AUDIT)},
)
def get_audit(selection_id: int):
    """Return the selection's chain (staff of the agency and auditors; not candidates)."""
    selection = _visible_selection(selection_id)
    _require(Role.SECRETARIAT, Role.ADMIN, Role.AUDITOR, Role.PPK, Role.COMMITTEE)
    chain = audit.chain_for(selection.id)
    _count, problem, final_hash = audit.verify_chain(db.session, chain)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
    ).all()
    return jsonify(
        {
            "chain": chain,
            "intact": problem is None,
            "problem": problem.message if problem else None,
            "final_hash": final_hash,
            "events": [
                {
                    "id": e.id,
                    "seq": e.seq,
                    "occurred_at": e.occurred_at.isoformat(),
                    "actor": e.actor,
                    "actor_role": e.actor_role,
                    "event": e.event,
                    "subject_type": e.subject_type,
                    "subject_id": e.subject_id,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "payload": e.payload,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in events
            ],
        }
    )
