"""API v1 selections: list, create, read, fire events, add posts and committee members, and
the audit trail.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request, url_for

from openbid import audit, checkpoints
from openbid.api.blueprint import actor, bp
from openbid.api.declare import BadRequestBody
from openbid.api.fields import MAX_INT
from openbid.api.jobs import JobSchema, queued_event
from openbid.api.selection_schemas import (
    AUDIT_QUERY,
    AuditSchema,
    EventRequestSchema,
    MemberCreateSchema,
    MemberSeatedSchema,
    NewAccountSchema,
    PositionCreateSchema,
    SelectionCreateSchema,
    SelectionListSchema,
    SelectionSchema,
)
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.extensions import db
from openbid.models import (
    AuditEvent,
    CommitteeMember,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import documents
from openbid.stages import planning as selection_service
from openbid.workflow import definition_of, fire, workflows

SELECTION = SelectionSchema()
SELECTION_FOR_ETAG = SelectionSchema(exclude=("events",))


def selection_shown(selection: Selection) -> dict[str, Any]:
    """Return the selection as GET shows it to the caller (its schema's dump)."""
    return SELECTION.dump(selection)


def etag(selection: Selection, body: dict[str, Any] | None = None) -> str:
    """Return the selection's entity tag: its id, version and a digest of what GET shows.

    Adding a post or a member changes the selection without its ``version``; the digest of
    the selection as shown (all but the caller's own events) covers those too. ``body`` is
    the selection's JSON when the caller has it already.
    """
    body = body if body is not None else SELECTION_FOR_ETAG.dump(selection)
    shown = {k: v for k, v in body.items() if k != "events"}
    digest = hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:16]
    return f'"selection-{selection.id}-v{selection.version}-{digest}"'


def selection_answer(
    body: dict[str, Any], selection: Selection, status: int = 200, *, of_selection: bool = True
) -> Any:
    """Return JSON with the selection's ETag, for a read or a write that changed it.

    ``of_selection``: body is the selection's own JSON (the ETag is computed from it), not
    another view of it such as its plan.
    """
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = etag(selection, body if of_selection else None)
    return response


def if_match(selection: Selection) -> int | None:
    """Return the version an If-Match header holds the client to, or None without one.

    ``If-Match: *`` and a matching tag pass; writes then also compare that version under the
    row's lock where the service takes one (``expected_version``), so a race still answers 409.

    :raises BadRequestBody: 412 when no tag matches the selection as it is now.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag(selection) not in tags:
        reason = Reason(
            "selection.stale",
            N_(
                "The selection changed since you read it (it is at version %(version)d now); "
                "read it again and retry."
            ),
            {"version": selection.version},
        )
        raise BadRequestBody([reason], status=412)
    return selection.version


def _visible_selections(user: User) -> list[Selection]:
    """Return the caller's selections: the agency's for staff, committees sat on, open ones."""
    stmt = sa.select(Selection).order_by(Selection.start_date.desc(), Selection.id.desc())
    if user.role == Role.CANDIDATE:
        stmt = stmt.where(Selection.state == SelectionState.ANNOUNCEMENT)
    elif user.role == Role.COMMITTEE:
        stmt = stmt.join(CommitteeMember).where(CommitteeMember.user_id == user.id)
    else:
        stmt = stmt.where(Selection.agency_id == user.agency_id)
    return list(db.session.scalars(stmt).all())


@bp.operation("/selections", "GET", summary="Selections visible to the caller", tag="selections")
@bp.response(200, SelectionListSchema, description="The selections")
def list_selections() -> dict[str, Any]:
    """List the caller's selections: the agency's for staff, committees sat on, open ones."""
    return {"selections": _visible_selections(actor())}


@bp.operation(
    "/selections",
    "POST",
    summary="Create a selection in draft (secretariat, admin)",
    tag="selections",
    body=True,
    conditional="read",
)
@bp.arguments(SelectionCreateSchema)
@bp.response(201, SelectionSchema, description="The new selection")
def create_selection(body: dict):
    """Create a selection; the definition follows the start date unless one is named."""
    require(*STAFF_WRITERS)
    start = body["start_date"]
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
        actor().agency, actor(), title=body["title"], start_date=start, definition=definition
    )
    response = selection_answer(selection_shown(selection), selection, 201)
    response.headers["Location"] = url_for("api.get_selection_get", selection_id=selection.id)
    return response


@bp.operation(
    "/selections/<int:selection_id>",
    "GET",
    summary="A selection with its posts, committee and the events the caller may fire",
    conditional="read",
    tag="selections",
)
@bp.response(200, SelectionSchema, description="The selection")
def get_selection(selection_id: int):
    """Return one selection with its ETag (send it back as If-Match on a write)."""
    selection = visible_selection(selection_id)
    return selection_answer(selection_shown(selection), selection)


@bp.operation(
    "/selections/<int:selection_id>/events",
    "POST",
    summary="Fire a workflow event on the selection",
    conditional="write",
    tag="selections",
    body=True,
)
@bp.arguments(EventRequestSchema)
@bp.response(200, SelectionSchema, description="The selection after the event")
@bp.alt_response(
    202,
    schema=JobSchema,
    description="The event was queued (it issues documents): the job to poll",
    success=True,
)
def post_event(body: dict, selection_id: int):
    """Fire an event through the engine; 403/409/422 come from its typed errors.

    An event whose transition issues documents is queued: the answer is 202 with the job
    (``GET /api/v1/jobs/{id}``), unless it was refused at once (the same 403/409/422).
    """
    selection = visible_selection(selection_id)
    expected = body.get("expected_version", if_match(selection))
    body = {**body, "expected_version": expected} if expected is not None else body
    transition = definition_of(selection).machine("selection").find(body["event"], selection.state)
    if transition is not None and documents.issues_documents(transition):
        return queued_event(selection, body)
    fire(
        selection,
        body["event"],
        actor(),
        body.get("data") or {},
        expected_version=body.get("expected_version"),
    )
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    return selection_answer(selection_shown(selection), selection)


@bp.operation(
    "/selections/<int:selection_id>/positions",
    "POST",
    summary="Add a post to a draft selection (secretariat, admin)",
    conditional="write",
    tag="selections",
    body=True,
)
@bp.arguments(PositionCreateSchema)
@bp.response(201, SelectionSchema, description="The selection with the new post")
def add_position(body: dict, selection_id: int):
    """Add a post."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    if_match(selection)
    selection_service.create_position(selection, actor(), **body)
    return selection_answer(selection_shown(selection), selection, 201)


@bp.operation(
    "/selections/<int:selection_id>/committee",
    "POST",
    summary="Seat a committee account of the agency (user_id) or a new person (new_name, "
    "new_email: an account is created, its initial password answered once) on a draft "
    "selection (secretariat, admin)",
    conditional="write",
    tag="selections",
    body=True,
)
@bp.arguments(MemberCreateSchema)
@bp.response(201, MemberSeatedSchema, description="The selection with the new member")
def add_member(body: dict, selection_id: int):
    """Seat a committee member through ``planning.seat_member`` (the plan page's form)."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    if_match(selection)
    result = selection_service.seat_member(
        selection,
        actor(),
        selection_service.MemberInput(
            committee_role=body["committee_role"],
            is_internal=body["is_internal"],
            position_title=body["position_title"],
            position_level=body["position_level"],
            institution=body.get("institution", ""),
            is_bkn_official=body.get("is_bkn_official", False),
            user_id=body.get("user_id"),
            new_name=body.get("new_name", ""),
            new_email=body.get("new_email", ""),
        ),
    )
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    shown = selection_shown(selection)
    tag = etag(selection, shown)
    if result.initial_password is not None:
        user = result.member.user
        account = {"user_id": user.id, "email": user.email}
        shown["new_account"] = NewAccountSchema().dump(
            {**account, "initial_password": result.initial_password}
        )
    response = jsonify(shown)
    response.status_code = 201
    response.headers["ETag"] = tag
    # The initial password is shown once: no cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX = 100, 1000


def query_int(name: str, default: int, low: int, high: int) -> int:
    """Return a whole-number query parameter within [low, high].

    :raises BadRequestBody: 400 naming the parameter and what it accepts.
    """
    raw = request.args.get(name)
    if raw is None:
        return default
    value = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 10 else None
    if value is None or not low <= value <= high:
        reason = Reason(
            f"query.{name}",
            N_("%(name)s must be a whole number from %(low)d to %(high)d."),
            {"name": name, "low": low, "high": high},
        )
        raise BadRequestBody([reason], status=400)
    return value


@bp.operation(
    "/selections/<int:selection_id>/audit",
    "GET",
    summary="A page of the selection's audit events (by sequence number) and the chain's status",
    tag="audit",
)
@bp.doc(parameters=AUDIT_QUERY)
@bp.response(
    200, AuditSchema, description="A page of the audit trail; Link rel=next when more remain"
)
def get_audit(selection_id: int):
    """Return events with seq > ``after`` (at most ``limit``) and the chain's verification.

    Only the events after the chain's last recorded verification are re-checked; ``flask
    openbid verify-audit`` re-checks everything (staff of the agency and auditors).
    """
    selection = visible_selection(selection_id)
    require(Role.SECRETARIAT, Role.ADMIN, Role.AUDITOR, Role.PPK, Role.COMMITTEE)
    after = query_int("after", 0, 0, MAX_INT)
    limit = query_int("limit", AUDIT_PAGE_DEFAULT, 1, AUDIT_PAGE_MAX)
    chain = audit.chain_for(selection.id)
    status = audit.check_since(db.session, chain, checkpoints.folder())
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == chain, AuditEvent.seq > after)
        .order_by(AuditEvent.seq)
        .limit(limit + 1)
    ).all()
    more = len(events) > limit
    events = events[:limit]
    verified = status.verified
    body = {
        "chain": chain,
        "intact": status.intact,
        "problem": status.problem.message if status.problem else None,
        "problem_seq": status.problem.seq if status.problem else None,
        "verified": verified,
        "final_hash": verified.hash if verified is not None else None,
        "events": events,
        "next_after": events[-1].seq if more else None,
    }
    response = jsonify(AuditSchema().dump(body))
    if more:
        url = url_for(
            "api.get_audit_get",
            selection_id=selection.id,
            after=events[-1].seq,
            limit=limit,
            _external=True,
        )
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response
