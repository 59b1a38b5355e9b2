"""The PPK's pick: appointing one of a post's three best, through the engine."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, ApplicationEvent, Position, User
from openbid.workflow import FireResult, fire


def appoint(
    application: Application, ppk_user: User, *, expected_version: int | None = None
) -> FireResult:
    """Appoint a candidate among a post's three best, as the PPK, through the engine.

    :raises Forbidden: for anyone but the agency's PPK.
    :raises GuardFailed: outside the three best, a post already filled, a short list without
        its override, or without the oversight body's word on the results.
    :raises Conflict: when the application changed meanwhile or cannot be appointed from its
        state.
    """
    # Two picks in one post at the same moment must not both pass post_not_yet_filled: the
    # second waits on the post's row until the first commits, then its guard sees it.
    db.session.execute(
        sa.select(Position.id).where(Position.id == application.position_id).with_for_update()
    ).all()
    return fire(
        application,
        ApplicationEvent.APPOINT,
        ppk_user,
        {"position_id": application.position_id},
        expected_version=expected_version,
    )
