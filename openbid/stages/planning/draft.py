"""Who may edit a plan, and when: the agency's staff, while the selection is in draft.

Every edit of the plan starts with ``lock_draft``: it checks the actor, locks the selection
row (so the edit cannot race the event that sends the plan for approval) and checks that the
selection is still in draft. The text checks every plan form shares live here too.
"""

from __future__ import annotations

from openbid.extensions import db
from openbid.models import Role, Selection, SelectionState, User
from openbid.rules.reasons import N_, Reason, Term
from openbid.workflow.access import STAFF_ROLES, check_staff, lock, require_state

#: Who plans a selection: the agency's secretariat and its admin.
PLAN_ROLES: tuple[Role, ...] = STAFF_ROLES
DRAFT = SelectionState.DRAFT


def lock_draft(selection: Selection, actor: User) -> Selection:
    """Check the actor may plan, lock the selection row and check it is still in draft.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: when the selection has left draft.
    """
    check_staff(actor, selection.agency_id, PLAN_ROLES)
    locked = lock(db.session, Selection, selection.id)
    require_state(locked, (DRAFT,))
    return locked


def clean_text(value: str | None) -> str:
    """Return what was typed, without the spaces around it ("" for nothing)."""
    return (value or "").strip()


def too_long(code: str, label: str, value: str, limit: int) -> list[Reason]:
    """Return the reason a field's text is over limit characters, or nothing."""
    if len(value) <= limit:
        return []
    return [
        Reason(
            code,
            N_("The %(field)s is longer than %(limit)d characters."),
            {"field": Term(label), "limit": limit},
        )
    ]
