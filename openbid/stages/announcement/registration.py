"""The announcement stage's events: publish (which opens registration), drop a post still
short of applicants, and close registration.

Every state change goes through ``openbid.workflow.fire``; the guards and actions these
events run are in this package's ``guards`` and ``actions``.
"""

from __future__ import annotations

from openbid.models import Selection, SelectionEvent, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow import FireResult, fire

# Reasons the closing applications carry in their audit events.
REASON_POST_DROPPED = "post dropped"
REASON_MISSED_DEADLINE = "registration closed before the application was submitted"


def publish(
    selection: Selection, actor: User, *, expected_version: int | None = None
) -> FireResult:
    """Publish the announcement: fire ``publish_announcement``, which opens registration.

    :raises GuardFailed: when a required approval letter is missing (reasons name each).
    :raises Forbidden: when the actor may not publish.
    """
    return fire(
        selection, SelectionEvent.PUBLISH_ANNOUNCEMENT, actor, expected_version=expected_version
    )


def drop_position(
    selection: Selection,
    actor: User,
    *,
    position_id: int | str,
    reason: str,
    expected_version: int | None = None,
) -> FireResult:
    """Drop a post still short of applicants after registration closed (``drop_position``).

    Its unfinished applications are closed in the same transaction.

    :raises ValidationFailed: when no post is chosen or no reason is given.
    :raises GuardFailed: when registration is open or the post is not short.
    :raises Forbidden: when the actor may not drop posts.
    """
    problems = []
    if position_id is None or not str(position_id).strip():
        problems.append(Reason("drop.position", N_("Choose the post to drop.")))
    if not reason.strip():
        problems.append(Reason("drop.reason", N_("Say why the post is dropped.")))
    if problems:
        raise ValidationFailed(problems)
    return fire(
        selection,
        SelectionEvent.DROP_POSITION,
        actor,
        {"position_id": position_id, "reason": reason.strip()[:2000]},
        expected_version=expected_version,
    )


def close_registration(
    selection: Selection, actor: User, *, expected_version: int | None = None
) -> FireResult:
    """Close registration and move to administrative screening (``close_registration``).

    Applications still in draft are closed: they missed the deadline.

    :raises GuardFailed: when registration is open, no post is left, or a post is short.
    :raises Forbidden: when the actor may not close registration.
    """
    return fire(
        selection, SelectionEvent.CLOSE_REGISTRATION, actor, expected_version=expected_version
    )
