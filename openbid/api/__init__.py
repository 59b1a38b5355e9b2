"""JSON API v1: the web app's operations for integrations and scripted checks.

Bearer-token authentication (no cookies, so no CSRF), the same roles, service functions and
workflow engine as the web views, JSON errors everywhere under /api/v1.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, MethodNotAllowed

# isort: off
# The resource modules register their routes on bp when imported, in this order: the order of
# the operations in the OpenAPI document.
from openbid.api import tokens, selections, plan, jobs, applications, screening  # noqa: F401
from openbid.api import assessment  # noqa: F401
from openbid.api import announcement, ranking, appointment, approvals, documents  # noqa: F401
from openbid.api import oversight, oversight_gates, bodies  # noqa: F401

# isort: on
from openbid.api.auth import Unauthorized
from openbid.api.blueprint import OPENAPI_INFO, bp
from openbid.api.declare import Api, BadRequestBody, ErrorSchema, ResponseDrift
from openbid.api.fields import MAX_INT
from openbid.api.spec import add_operations
from openbid.errors import MESSAGES
from openbid.extensions import csrf, db
from openbid.i18n import reason_text
from openbid.rules.reasons import ValidationFailed
from openbid.workflow import WorkflowError

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    422: "unprocessable",
    429: "too_many_requests",
    500: "server_error",
}


def error_response(status: int, reasons: list | None = None, code: str | None = None):
    """Return the JSON error body every /api/v1 failure uses."""
    body = {
        "error": code or ERROR_CODES.get(status, "error"),
        "message": gettext(MESSAGES.get(status, MESSAGES[400])),
    }
    if reasons:
        body["errors"] = [{"code": r.code, "message": reason_text(r)} for r in reasons]
        body["message"] = body["errors"][0]["message"]
    response = jsonify(body)
    response.status_code = status
    return response


@bp.errorhandler(Unauthorized)
def _unauthorized(error: Unauthorized):
    response = error_response(401, error.reasons)
    response.headers["WWW-Authenticate"] = 'Bearer realm="openbid"'
    return response


@bp.errorhandler(BadRequestBody)
def _bad_body(error: BadRequestBody):
    return error_response(error.status, error.reasons)


@bp.errorhandler(WorkflowError)
def _workflow_error(error: WorkflowError):
    db.session.rollback()
    return error_response(error.status, error.reasons)


@bp.errorhandler(ValidationFailed)
def _validation_failed(error: ValidationFailed):
    db.session.rollback()
    return error_response(422, error.reasons)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return error_response(error.code or 500)


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    if isinstance(error, ResponseDrift):
        raise error  # tests only: the answer does not match its documented schema
    db.session.rollback()
    current_app.logger.exception("unhandled API error")
    return error_response(500)


@bp.after_app_request
def _allow_header(response: Response) -> Response:
    """Name the allowed methods on a 405 under /api/v1 (it is answered before any API view)."""
    error = request.routing_exception
    if (
        response.status_code == 405
        and isinstance(error, MethodNotAllowed)
        and request.path.startswith(bp.url_prefix or "/api/v1")
        and error.valid_methods
    ):
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _id_param(converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_INT}


def init_app(app: Flask) -> None:
    """Register the API without CSRF (bearer tokens only), answering in JSON, and compose its
    OpenAPI document: flask-smorest's declarations plus the routes still on ``api_route``."""
    app.config.setdefault("API_PUBLIC_ENDPOINTS", ("api.openapi_get", "api.create_token_post"))
    csrf.exempt(bp)
    smorest = Api(
        spec_kwargs={
            "title": "openbid API",
            "version": "1.0.0",
            "openapi_version": "3.1.0",
            "info": {"description": OPENAPI_INFO},
            "security": [{"bearer": []}],
        }
    )
    smorest.init_app(app)
    smorest.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    if "Error" not in smorest.spec.components.schemas:  # smorest's error responses name it
        smorest.spec.components.schema("Error", schema=ErrorSchema)
    # <int:...> is the app's id converter: a path id is 1..2^31-1 in the document too.
    smorest.register_converter(app.url_map.converters["int"], _id_param)
    smorest.register_blueprint(bp)
    add_operations(smorest.spec, app.url_map, bp.name)
