"""The API's blueprint: bearer-token authentication of every request, the caller, and the
OpenAPI document that describes every route registered on it.
"""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from openbid.api.auth import authenticate
from openbid.api.declare import Blueprint
from openbid.models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="openbid API v1")


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in current_app.config.get("API_PUBLIC_ENDPOINTS", ()):
        return
    authenticate()


def actor() -> User:
    """Return the user of the request's token."""
    return g.api_user


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
    document = smorest.document().to_dict()
    document["servers"] = [{"url": request.host_url.rstrip("/")}]
    return jsonify(document)
