"""API v1 tokens: exchange email and password for a bearer token, revoke the one in use."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g, request

from openbid.api.auth import Unauthorized, too_many_attempts
from openbid.api.blueprint import actor, bp
from openbid.api.declare import RETRY_AFTER_HEADER, error_response_doc
from openbid.api.fields import Body, Out, Text
from openbid.stages import accounts
from openbid.workflow import Forbidden


class TokenRequestSchema(Body):
    """An account's email and password."""

    email = Text(required=True, min_length=3, max_length=254)
    password = Text(required=True, max_length=200)


class TokenSchema(Out):
    """A new bearer token, shown once, and when it expires."""

    token = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(required=True)


@bp.operation(
    "/tokens",
    "POST",
    summary="Exchange email and password for a bearer token",
    tag="auth",
    public=True,
    body=True,
)
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema, description="A new token (shown once)")
@bp.doc(
    responses={
        "401": error_response_doc("Wrong email or password"),
        "403": error_response_doc("The account is disabled"),
        "429": error_response_doc(
            "Too many failed log-ins; the Retry-After header says how many seconds to wait",
            headers=RETRY_AFTER_HEADER,
        ),
    }
)
def create_token(body: dict[str, Any]):
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
    return {"token": secret, "expires_at": row.expires_at}


@bp.operation(
    "/tokens/current", "DELETE", summary="Revoke the token used for this request", tag="auth"
)
@bp.response(204, description="Revoked")
def delete_token():
    """Revoke the caller's token."""
    accounts.revoke_token(g.api_token, actor())
    return "", 204
