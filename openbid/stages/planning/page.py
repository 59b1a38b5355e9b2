"""What the plan's page shows: the posts, the committee, the accounts to seat, the live check."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import CommitteeMember, Position, Role, Selection, SelectionEvent, User
from openbid.rules.reasons import Reason
from openbid.stages.planning.draft import DRAFT
from openbid.workflow import definition_of
from openbid.workflow.engine import Context
from openbid.workflow.registry import GUARDS


def plan_posts(selection: Selection) -> list[Position]:
    """Return the selection's posts in the order they were added."""
    return list(
        db.session.scalars(
            sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
        )
    )


def plan_committee(selection: Selection) -> list[CommitteeMember]:
    """Return the selection's committee seats (with their users) in the order they were taken."""
    return list(
        db.session.scalars(
            sa.select(CommitteeMember)
            .where(CommitteeMember.selection_id == selection.id)
            .options(sa.orm.joinedload(CommitteeMember.user))
            .order_by(CommitteeMember.id)
        )
    )


def committee_candidates(selection: Selection, seated: Sequence[CommitteeMember]) -> list[User]:
    """Return the agency's active committee accounts not yet seated, by name."""
    taken = {m.user_id for m in seated}
    users = db.session.scalars(
        sa.select(User)
        .where(
            User.agency_id == selection.agency_id,
            User.role == Role.COMMITTEE,
            User.active.is_(True),
        )
        .order_by(User.name)
    ).all()
    return [u for u in users if u.id not in taken]


def find_post(selection: Selection, position_id: int) -> Position | None:
    """Return the selection's post with this id, or None."""
    position = db.session.get(Position, position_id)
    if position is None or position.selection_id != selection.id:
        return None
    return position


def plan_checks(selection: Selection, actor: User) -> dict[str, list[Reason]]:
    """Run the plan's guards (posts, committee composition) for the live check."""
    definition = definition_of(selection)
    machine = definition.machine("selection")
    transition = machine.find(SelectionEvent.SUBMIT_FOR_APPROVAL, DRAFT) or machine.transitions[0]
    ctx = Context(
        session=db.session,
        row=selection,
        selection=selection,
        actor=actor,
        definition=definition,
        machine=machine,
        transition=transition,
        data={},
        params=definition.params(selection.parameters),
    )

    def run(name: str) -> list[Reason]:
        result = GUARDS.get(name)(ctx)
        return [] if result is None else result if isinstance(result, list) else [result]

    return {"positions": run("has_positions"), "committee": run("committee_composition_valid")}
