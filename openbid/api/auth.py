"""Bearer tokens for the API: issue, check, revoke. Only the SHA-256 of a token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, g, jsonify, request

from openbid import audit
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import ApiToken, User, utcnow
from openbid.rules.reasons import N_, Reason

TOKEN_LIFETIME = timedelta(days=30)


class Unauthorized(Exception):
    """No valid token; reasons say which problem, without revealing whether accounts exist."""

    def __init__(self, reason: Reason) -> None:
        self.reasons = [reason]
        super().__init__(str(reason))


def too_many_attempts(reasons: list[Reason], retry_after: int) -> Response:
    """Return the 429 answer to a limited log-in: the API's JSON error plus Retry-After.

    The body has the shape of ``openbid.api.error_response``, which cannot set a header.
    """
    messages = [{"code": r.code, "message": reason_text(r)} for r in reasons]
    response = jsonify(
        {"error": "too_many_requests", "message": messages[0]["message"], "errors": messages}
    )
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


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


def authenticate() -> User:
    """Return the user of the request's bearer token and remember the token in g.

    :raises Unauthorized: no header, a malformed one, or an unknown, expired or revoked token.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized(
            Reason("auth.missing", N_("Send your token as: Authorization: Bearer <token>."))
        )
    row = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == _digest(secret.strip()))
        .options(sa.orm.joinedload(ApiToken.user))
    )
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        raise Unauthorized(
            Reason(
                "auth.invalid",
                N_("The token is unknown, expired or revoked; request a new one."),
            )
        )
    # Written at most once a minute: a busy client must not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
        db.session.commit()
    g.api_token = row
    g.api_user = row.user
    return row.user
