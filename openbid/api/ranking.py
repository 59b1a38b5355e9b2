"""API v1 the appointment stage's figures and the planning stage's people: each post's frozen
ranking (totals per component, the combined score) with its three best, and the users a
committee can be composed of.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from openbid.api.blueprint import bp
from openbid.api.fields import Out, ReasonSchema, derived
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.committee.blueprint import WORKSPACE_ROLES
from openbid.extensions import db
from openbid.models import CommitteeMember, Position
from openbid.stages import appointment, planning
from openbid.workflow import definition_of


class RankedSchema(Out):
    """A candidate in a post's frozen ranking (an entry of the stored ranking)."""

    application_id = ma.fields.Integer(required=True, dump_default=None)
    name = ma.fields.String(required=True, dump_default="")
    rank = ma.fields.Integer(required=True, allow_none=True, dump_default=None)
    combined = ma.fields.String(required=True, allow_none=True, dump_default=None)
    components = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(allow_none=True), dump_default=dict
    )
    health_fit = ma.fields.Boolean(allow_none=True, dump_default=None)
    psych_fit = ma.fields.Boolean(allow_none=True, dump_default=None)
    qualified = derived(ma.fields.Boolean(required=True), lambda e: bool(e.get("qualified")))
    reasons = derived(
        ma.fields.List(ma.fields.Nested(ReasonSchema)),
        lambda e: [appointment.stored_reason(data) for data in e.get("reasons") or []],
    )


class FrozenSchema(Out):
    """A post's frozen result: its revision, the weights, the three best and the ranking."""

    revision = ma.fields.Integer(required=True)
    frozen_at = ma.fields.DateTime(required=True)
    reason = ma.fields.String()
    weights = derived(ma.fields.Dict(required=True), lambda r: r.weights or {})
    shortlist = derived(
        ma.fields.List(ma.fields.Integer(), required=True), lambda r: list(r.shortlist or [])
    )
    ranking = derived(
        ma.fields.List(ma.fields.Nested(RankedSchema), required=True), lambda r: r.ranking or []
    )


class RankedPostSchema(Out):
    """A post with its current frozen result (null before the interviews close)."""

    position_id = derived(ma.fields.Integer(required=True), lambda p: p["position"].id)
    name = derived(ma.fields.String(required=True), lambda p: p["position"].name)
    frozen = ma.fields.Nested(FrozenSchema, required=True, allow_none=True)


class RankingSchema(Out):
    """Each open post's frozen ranking and the shortlist size the plan sets."""

    selection_id = ma.fields.Integer(required=True)
    shortlist_size = ma.fields.Integer(allow_none=True)
    posts = ma.fields.List(ma.fields.Nested(RankedPostSchema), required=True)


class UserChoiceSchema(Out):
    """A committee account of the agency."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)


class CommitteeCandidatesSchema(Out):
    """The users a committee can be composed of."""

    users = ma.fields.List(ma.fields.Nested(UserChoiceSchema), required=True)


@bp.operation(
    "/selections/<int:selection_id>/ranking",
    "GET",
    summary="Each post's frozen ranking (component scores, combined total, qualified or why "
    "not) and its three best, once the interviews closed (staff, committee, PPK)",
    tag="appointment",
)
@bp.response(
    200, RankingSchema, description="The posts with their current frozen result, null before"
)
def get_ranking(selection_id: int) -> dict[str, Any]:
    """Return the current (not superseded) frozen result of each open post, as the
    appointment page shows it; a revision replaces the result it supersedes.
    """
    selection = visible_selection(selection_id)
    require(*WORKSPACE_ROLES)
    results = appointment.current_results(db.session, selection)
    positions = db.session.scalars(
        sa.select(Position)
        .where(Position.selection_id == selection.id, Position.dropped_at.is_(None))
        .order_by(Position.id)
    ).all()
    params = definition_of(selection).params(selection.parameters)
    return {
        "selection_id": selection.id,
        "shortlist_size": appointment.shortlist_size(params),
        "posts": [{"position": p, "frozen": results.get(p.id)} for p in positions],
    }


@bp.operation(
    "/selections/<int:selection_id>/committee/candidates",
    "GET",
    summary="The agency's active committee accounts not yet seated on the selection, by name "
    "(secretariat, admin)",
    tag="selections",
)
@bp.response(200, CommitteeCandidatesSchema, description="The users to seat")
def committee_candidates(selection_id: int) -> dict[str, Any]:
    """Return the users the plan page offers for the committee."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    seated = db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.selection_id == selection.id)
    ).all()
    return {"users": planning.committee_candidates(selection, seated)}
