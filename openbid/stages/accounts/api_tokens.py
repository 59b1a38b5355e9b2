"""Bearer tokens for the API: issue, look up, revoke. Only the SHA-256 of a token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import ApiToken, User, utcnow

TOKEN_LIFETIME = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """Create a token for user, audited; return the secret (shown once) and its row."""
    secret = "obt_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_digest(secret), expires_at=utcnow() + TOKEN_LIFETIME)
    db.session.add(row)
    db.session.flush()
    audit.append(
        db.session,
        event="api_token_issued",
        actor=user,
        subject_type="api_token",
        subject_id=row.id,
        payload={"expires_at": row.expires_at},
    )
    db.session.commit()
    return secret, row


def revoke_token(row: ApiToken, actor: User) -> None:
    """Revoke a token at once, audited."""
    row.revoked_at = utcnow()
    audit.append(
        db.session,
        event="api_token_revoked",
        actor=actor,
        subject_type="api_token",
        subject_id=row.id,
    )
    db.session.commit()


# A token with its user, by digest: built once (every API request runs it).
_BY_DIGEST = (
    sa.select(ApiToken)
    .where(ApiToken.token_hash == sa.bindparam("digest"))
    .options(sa.orm.joinedload(ApiToken.user))
)


def token_in_use(secret: str) -> ApiToken | None:
    """Return the valid token with this secret, its use noted, or None.

    None for an unknown, expired or revoked token, or one of a disabled account. The time of
    use is written at most once a minute: a busy client must not turn every read into a write.
    """
    row = db.session.scalar(_BY_DIGEST, {"digest": _digest(secret)})
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
        db.session.commit()
    return row
