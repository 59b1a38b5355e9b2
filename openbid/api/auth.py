"""Bearer-token authentication of API requests; the tokens themselves are the accounts stage's."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from openbid.i18n import reason_text
from openbid.models import User
from openbid.rules.reasons import N_, Reason
from openbid.stages import accounts


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
    row = accounts.token_in_use(secret.strip())
    if row is None:
        raise Unauthorized(
            Reason(
                "auth.invalid",
                N_("The token is unknown, expired or revoked; request a new one."),
            )
        )
    g.api_token = row
    g.api_user = row.user
    return row.user
