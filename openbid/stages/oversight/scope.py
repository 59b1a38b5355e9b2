"""What an oversight reviewer sees: its body's selections, in the agencies it supervises.

A body supervises the regional governments of the provinces it lists and the agencies it
lists by id (``OversightBody.supervises``), and only the selections whose definition names
it (KASN for a 2018 selection, BKN for a 2025 one). Anything else does not exist for it:
the pages answer 404, not a hint that the selection is there.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import Agency, OversightBody, Role, Selection, User
from openbid.rules.reasons import N_, Reason
from openbid.workflow.access import supervises
from openbid.workflow.errors import Forbidden
from openbid.workflow.installed import workflows

NOT_REVIEWER = Reason(
    "oversight.not_reviewer", N_("Only a reviewer of an oversight body may do this.")
)


def reviewer_body(actor: User) -> OversightBody:
    """Return the oversight body the actor reviews for.

    :raises Forbidden: for any other role, or a reviewer without a body.
    """
    if actor.role != Role.OVERSIGHT or actor.oversight_body is None:
        raise Forbidden(NOT_REVIEWER)
    return actor.oversight_body


def supervised_agencies(session: Session, body: OversightBody) -> list[Agency]:
    """Return the agencies in the body's scope, by name."""
    return list(
        session.scalars(
            sa.select(Agency)
            .where(
                sa.or_(
                    Agency.province.in_(list(body.provinces or [])),
                    Agency.id.in_(list(body.agency_ids or [])),
                )
            )
            .order_by(Agency.name)
        )
    )


def _pinned_to(body: OversightBody) -> sa.ColumnElement[bool]:
    """Return a condition: the selection's definition names this body."""
    pairs = [(d.key, d.version) for d in workflows().all() if d.oversight_body == body.code]
    if not pairs:
        return sa.false()
    return sa.or_(
        *(
            sa.and_(Selection.workflow_key == key, Selection.workflow_version == version)
            for key, version in pairs
        )
    )


def supervised_selections(
    session: Session, body: OversightBody, states: tuple[str, ...] | None = None
) -> list[Selection]:
    """Return the body's selections in its agencies (optionally in states), oldest first."""
    agency_ids = [a.id for a in supervised_agencies(session, body)]
    query = (
        sa.select(Selection)
        .where(Selection.agency_id.in_(agency_ids), _pinned_to(body))
        .options(sa.orm.joinedload(Selection.agency).selectinload(Agency.holidays))
        .order_by(Selection.id)
    )
    if states is not None:
        query = query.where(Selection.state.in_(states))
    return list(session.scalars(query))


def reviewable(session: Session, actor: User, selection_id: int) -> Selection | None:
    """Return the selection when the actor's body supervises it, else None (a 404)."""
    selection = session.get(Selection, selection_id)
    if selection is None or not supervises(actor, selection):
        return None
    return selection
