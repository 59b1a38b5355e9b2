"""API v1 tokens: exchange email and password for a bearer token, revoke the one in use."""

from __future__ import annotations

from flask import g, jsonify, request

from openbid.api import schemas as s
from openbid.api.auth import Unauthorized, too_many_attempts
from openbid.api.blueprint import actor, bp
from openbid.api.spec import api_route
from openbid.stages import accounts
from openbid.workflow import Forbidden


@api_route(
    bp,
    "/tokens",
    "POST",
    summary="Exchange email and password for a bearer token",
    tag="auth",
    public=True,
    body=s.TOKEN_REQUEST,
    responses={
        201: ("A new token (shown once)", s.TOKEN),
        401: ("Wrong email or password", {"$ref": "#/components/schemas/Error"}),
        403: ("The account is disabled", {"$ref": "#/components/schemas/Error"}),
        429: (
            "Too many failed log-ins; the Retry-After header says how many seconds to wait",
            {"$ref": "#/components/schemas/Error"},
        ),
    },
)
def create_token(body: dict):
    """Issue a token for valid credentials, within the same log-in limits as the web form."""
    try:
        user = accounts.authenticate(
            body["email"], body["password"], request.remote_addr or "unknown"
        )
    except accounts.LoginRefused as error:
        return too_many_attempts(error.reasons, error.retry_after)
    except accounts.AccountDisabled as error:
        raise Forbidden(error.reasons) from None
    except accounts.WrongCredentials as error:
        raise Unauthorized(error.reasons[0]) from None
    secret, row = accounts.issue_token(user)
    return jsonify({"token": secret, "expires_at": row.expires_at.isoformat()}), 201


@api_route(
    bp,
    "/tokens/current",
    "DELETE",
    summary="Revoke the token used for this request",
    tag="auth",
    responses={204: ("Revoked", None)},
)
def delete_token():
    """Revoke the caller's token."""
    accounts.revoke_token(g.api_token, actor())
    return "", 204
