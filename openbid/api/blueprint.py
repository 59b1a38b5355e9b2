"""The API's blueprint: bearer-token authentication of every request, the caller, and the
OpenAPI document that describes every route registered on it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request

from openbid.api.auth import authenticate
from openbid.api.declare import Blueprint
from openbid.i18n import reason_text
from openbid.models import User
from openbid.rules.reasons import Reason

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="openbid API v1")


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in current_app.config.get("API_PUBLIC_ENDPOINTS", ()):
        return
    authenticate()


def actor() -> User:
    """Return the user of the request's token."""
    return g.api_user


def iso(value: Any) -> str | None:
    """Return a date or time in ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def reasons_json(reasons: list[Reason]) -> list[dict[str, str]]:
    """Return reasons as the API shows them: code and message in the caller's language."""
    return [{"code": r.code, "message": reason_text(r)} for r in reasons]


def created(body: dict[str, Any], location: str) -> Any:
    """Return a 201 answer with body and the new resource's Location."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


OPENAPI_INFO = (
    "Open selections for JPT Pratama posts: the same operations as the web app, through the "
    "same workflow engine and rules. Authenticate with POST /api/v1/tokens, then send "
    "Authorization: Bearer <token>. Messages follow Accept-Language (id, en)."
)


@bp.operation(
    "/openapi.json", "GET", summary="This API's OpenAPI 3.1 document", tag="meta", public=True
)
@bp.response(200, description="The OpenAPI document")
def openapi():
    """Return the OpenAPI document, generated from the declarations, with this server's URL."""
    smorest = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    document = smorest.spec.to_dict()
    document["servers"] = [{"url": request.host_url.rstrip("/")}]
    return jsonify(document)
