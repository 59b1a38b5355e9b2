"""API v1 the appointment stage's figures and the planning stage's people: each post's frozen
ranking (totals per component, the combined score) with its three best, and the users a
committee can be composed of.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify

from openbid.api import schemas as s
from openbid.api.blueprint import bp
from openbid.api.spec import api_route
from openbid.api.visibility import STAFF_WRITERS, require, visible_selection
from openbid.committee.blueprint import WORKSPACE_ROLES
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import CommitteeMember, Position, ShortlistResult
from openbid.stages import appointment, planning
from openbid.workflow import definition_of


def _ranked(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "application_id": entry.get("application_id"),
        "name": entry.get("name", ""),
        "rank": entry.get("rank"),
        "combined": entry.get("combined"),
        "components": entry.get("components") or {},
        "health_fit": entry.get("health_fit"),
        "psych_fit": entry.get("psych_fit"),
        "qualified": bool(entry.get("qualified")),
        "reasons": [
            {"code": r.code, "message": reason_text(r)}
            for r in (appointment.stored_reason(data) for data in entry.get("reasons") or [])
        ],
    }


def frozen_json(result: ShortlistResult | None) -> dict[str, Any] | None:
    """Serialise a frozen result of a post (None before the interviews close)."""
    if result is None:
        return None
    return {
        "revision": result.revision,
        "frozen_at": result.frozen_at.isoformat(),
        "reason": result.reason,
        "weights": result.weights or {},
        "shortlist": list(result.shortlist or []),
        "ranking": [_ranked(entry) for entry in result.ranking or []],
    }


@api_route(
    bp,
    "/selections/<int:selection_id>/ranking",
    "GET",
    summary="Each post's frozen ranking (component scores, combined total, qualified or why "
    "not) and its three best, once the interviews closed (staff, committee, PPK)",
    tag="appointment",
    responses={200: ("The posts with their current frozen result, null before", s.RANKING)},
)
def get_ranking(selection_id: int):
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
    return jsonify(
        {
            "selection_id": selection.id,
            "shortlist_size": appointment.shortlist_size(params),
            "posts": [
                {"position_id": p.id, "name": p.name, "frozen": frozen_json(results.get(p.id))}
                for p in positions
            ],
        }
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/committee/candidates",
    "GET",
    summary="The agency's active committee accounts not yet seated on the selection, by name "
    "(secretariat, admin)",
    tag="selections",
    responses={200: ("The users to seat", s.COMMITTEE_CANDIDATES)},
)
def committee_candidates(selection_id: int):
    """Return the users the plan page offers for the committee."""
    selection = visible_selection(selection_id)
    require(*STAFF_WRITERS)
    seated = db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.selection_id == selection.id)
    ).all()
    users = planning.committee_candidates(selection, seated)
    return jsonify({"users": [{"id": u.id, "name": u.name, "email": u.email} for u in users]})
