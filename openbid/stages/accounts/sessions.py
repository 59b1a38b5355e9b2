"""Web sessions: which cookie still logs its user in, and ending them all at once.

Every session and remember cookie carries the account's session generation (``User.get_id``:
"id:generation"); raising the generation ends every cookie made before.
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid import clock
from openbid.extensions import db
from openbid.models import ApiToken, User


def session_user(user_id: str) -> User | None:
    """Return the user a session cookie's id belongs to while that session is valid, or None.

    None for a malformed id, an unknown user, or a generation ended since the cookie was made
    (a log-out or a password reset).
    """
    # "id:generation" (User.get_id); a bare id is a cookie from before generations existed.
    raw_id, _, generation = user_id.partition(":")
    if not (raw_id.isdigit() and generation.isdigit()):
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_generation != int(generation):
        return None  # logged out or password reset since this cookie was made
    return user


def _bump_generation(user: User) -> None:
    # In SQL, so two log-outs at once both count; every cookie with the old value dies.
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
    )


def end_sessions(user: User) -> None:
    """End every web session and remember cookie of user (log-out); API tokens stay."""
    _bump_generation(user)
    db.session.commit()


def end_every_login(user: User) -> int:
    """End user's web sessions, remember cookies and API tokens in the caller's transaction.

    For any change of password: whoever held the old one may have opened any of them.
    Returns how many API tokens were revoked.
    """
    _bump_generation(user)
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return result.rowcount
