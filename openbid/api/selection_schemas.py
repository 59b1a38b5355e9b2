"""The declarations of a selection: its posts, committee and events, its audit trail, and the
requests creating them. One schema each loads (validates) the request, dumps the answer and
is what the OpenAPI document shows.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from openbid.api.blueprint import actor
from openbid.api.fields import (
    MAX_INT,
    Body,
    Bool,
    FreeJson,
    Id,
    Int,
    OneOf,
    Out,
    ReasonSchema,
    Regexp,
    Text,
    derived,
)
from openbid.extensions import db
from openbid.models import CommitteeMember, Position, Role, Selection
from openbid.workflow import available_events, workflows

COMMITTEE_ROLES = ["chair", "secretary", "member"]


def _column_length(column: Any) -> int:
    return column.property.columns[0].type.length


class EventSchema(Out):
    """An event of the selection's state the caller may fire: enabled, or the reasons why not."""

    name = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    enabled = ma.fields.Boolean(required=True)
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema), required=True)
    requires = ma.fields.List(ma.fields.String(), required=True)


class PositionSchema(Out):
    """A post of the selection."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    level = ma.fields.Integer(required=True)
    min_rank = ma.fields.String(required=True)
    requirements = ma.fields.String()
    competencies = ma.fields.String()
    dropped = derived(ma.fields.Boolean(required=True), lambda p: p.dropped_at is not None)
    drop_reason = ma.fields.String()


class MemberSchema(Out):
    """A committee member of the selection."""

    id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(required=True)
    name = derived(ma.fields.String(required=True), lambda m: m.user.name)
    committee_role = derived(
        ma.fields.String(required=True, validate=OneOf(COMMITTEE_ROLES)),
        lambda m: str(m.committee_role),
    )
    is_internal = ma.fields.Boolean(required=True)
    position_title = ma.fields.String(required=True)
    institution = ma.fields.String()
    position_level = ma.fields.Integer(required=True)
    is_bkn_official = ma.fields.Boolean()


class WorkflowSchema(Out):
    """The workflow definition a selection is pinned to."""

    key = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    title = ma.fields.String()


def _positions(selection: Selection) -> list[Position]:
    return list(
        db.session.scalars(
            sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
        ).all()
    )


def _committee(selection: Selection) -> Any:
    """The members, for staff; missing (no key at all) for a candidate."""
    if actor().role == Role.CANDIDATE:
        return ma.missing
    return db.session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.id)
    ).all()


def _events(selection: Selection) -> list:
    return [] if actor().role == Role.CANDIDATE else available_events(selection, actor())


class SelectionSchema(Out):
    """A selection with its posts, its committee (staff only) and the events the caller may
    fire. Dumped without ``events`` it is what the ETag digests."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    start_date = ma.fields.Date()
    state = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    agency = derived(ma.fields.String(), lambda s: s.agency.name)
    workflow = derived(
        ma.fields.Nested(WorkflowSchema, required=True),
        lambda s: workflows().get(s.workflow_key, s.workflow_version),
    )
    registration_opens_at = ma.fields.DateTime(allow_none=True)
    registration_closes_at = ma.fields.DateTime(allow_none=True)
    positions = derived(ma.fields.List(ma.fields.Nested(PositionSchema), required=True), _positions)
    committee = derived(ma.fields.List(ma.fields.Nested(MemberSchema)), _committee)
    events = derived(ma.fields.List(ma.fields.Nested(EventSchema), required=True), _events)


class SelectionSummarySchema(Out):
    """A selection in a list."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True)
    workflow = derived(
        ma.fields.Nested(WorkflowSchema, required=True),
        lambda s: {"key": s.workflow_key, "version": s.workflow_version},
    )


class SelectionListSchema(Out):
    """The selections visible to the caller."""

    selections = ma.fields.List(ma.fields.Nested(SelectionSummarySchema), required=True)


class NewAccountSchema(Out):
    """A committee account created by seating a new person; its password is shown once."""

    user_id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    initial_password = ma.fields.String(required=True)


class MemberSeatedSchema(SelectionSchema):
    """The selection with the new member, and the new account if one was created."""

    new_account = ma.fields.Nested(NewAccountSchema)


class SelectionCreateSchema(Body):
    """A new selection: its title, start date and, optionally, the workflow to pin."""

    title = Text(required=True, max_length=_column_length(Selection.title))
    start_date = ma.fields.Date(required=True)
    workflow_key = ma.fields.String(validate=OneOf(["jpt-pratama-kasn", "jpt-pratama-bkn"]))


class EventRequestSchema(Body):
    """An event to fire, its data (e.g. a reason) and the version it was read at."""

    event = Text(required=True, max_length=80)
    data = FreeJson(max_properties=20)
    expected_version = Int(minimum=1)


class PositionCreateSchema(Body):
    """A post to add to a draft selection."""

    name = Text(required=True, max_length=_column_length(Position.name))
    unit = Text(required=True, max_length=_column_length(Position.unit))
    level = Int(minimum=0, maximum=4)
    min_rank = ma.fields.String(validate=Regexp("^(I|II|III|IV)/[a-e]$"))
    requirements = Text(min_length=0, max_length=5000)
    competencies = Text(min_length=0, max_length=5000)


class MemberCreateSchema(Body):
    """A committee member to seat: an existing committee account of the agency (user_id) or a
    new person to create (new_name, new_email)."""

    user_id = Id()
    new_name = Text(min_length=0, max_length=300)
    new_email = Text(min_length=0, max_length=320)
    committee_role = ma.fields.String(required=True, validate=OneOf(COMMITTEE_ROLES))
    is_internal = Bool(required=True)
    position_title = Text(required=True, max_length=_column_length(CommitteeMember.position_title))
    position_level = Int(required=True, minimum=0, maximum=4)
    institution = Text(min_length=0, max_length=_column_length(CommitteeMember.institution))
    is_bkn_official = Bool()


class AuditEventSchema(Out):
    """An event of the selection's hash chain."""

    id = ma.fields.Integer(required=True)
    seq = ma.fields.Integer(required=True)
    occurred_at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True)
    actor_role = ma.fields.String()
    event = ma.fields.String(required=True)
    subject_type = ma.fields.String()
    subject_id = ma.fields.Integer(allow_none=True)
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String(allow_none=True)
    payload = ma.fields.Dict()
    prev_hash = ma.fields.String(required=True)
    hash = ma.fields.String(required=True)


class AuditVerifiedSchema(Out):
    """Up to which event the chain is verified. A request re-checks only the events after the
    last recorded verification; `flask openbid verify-audit` re-checks every event."""

    seq = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    hash = ma.fields.String(required=True)
    verified_at = derived(ma.fields.DateTime(required=True), lambda v: v.at)
    mode = ma.fields.String(required=True, validate=OneOf(["full", "incremental"]))
    last_full = derived(
        ma.fields.Dict(
            allow_none=True,
            metadata={"description": "The last full verification (verify-audit), if any."},
        ),
        lambda v: v.full,
    )


class AuditSchema(Out):
    """A page of the selection's audit trail and the chain's status."""

    chain = ma.fields.String(required=True)
    intact = ma.fields.Boolean(required=True)
    problem = ma.fields.String(allow_none=True)
    problem_seq = ma.fields.Integer(allow_none=True)
    verified = ma.fields.Nested(
        AuditVerifiedSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Null when the chain is broken or empty."},
    )
    final_hash = ma.fields.String(allow_none=True, metadata={"description": "verified.hash"})
    events = ma.fields.List(ma.fields.Nested(AuditEventSchema), required=True)
    next_after = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The `after` of the next page (as in the Link rel=next header), "
            "or null on the last page."
        },
    )


AUDIT_QUERY = [
    {
        "name": "after",
        "in": "query",
        "required": False,
        "description": "Return events with a sequence number greater than this.",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INT, "default": 0},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "At most this many events.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    },
]
