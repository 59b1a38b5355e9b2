"""One declaration per resource, on flask-smorest: a marshmallow schema loads (validates) the
request, dumps the answer and is what apispec writes into the OpenAPI document.

This module adapts flask-smorest to the API's contract: input errors are today's ``body.*``
reasons in the caller's language (not webargs' messages), the error shape is
``{"error", "message", "errors"}`` (``ErrorSchema``), and in testing every answer is loaded
back through its declared schema, so a view and its schema cannot drift apart unnoticed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import current_app
from flask_smorest.utils import resolve_schema_instance
from webargs.flaskparser import FlaskParser

from openbid.api.fields import Out, reasons_of
from openbid.rules.reasons import N_, Reason


class BadRequestBody(Exception):
    """The JSON body is missing, malformed or does not fit the schema."""

    def __init__(self, reasons: list[Reason], status: int = 422) -> None:
        self.reasons = reasons
        self.status = status
        super().__init__("; ".join(str(r) for r in reasons))


class ResponseDrift(AssertionError):
    """A view answered with a body its documented response schema does not allow."""


ERROR_RESPONSES = {
    400: "The request is malformed (not JSON, or a field of the wrong type).",
    401: "No token, or the token is unknown, expired or revoked.",
    403: "Your role may not do this.",
    404: "No such resource, or not visible to you.",
    409: "The record changed under you, or the event is not valid in its current state.",
    412: "If-Match named another version of the selection: read it again (GET) and retry.",
    422: "The request is valid JSON but the rules refuse it; errors say why.",
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The selection's ETag as read; a stale one is refused with 412.",
    "schema": {"type": "string", "pattern": "^[\\x20-\\x7e]*$"},
}
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
ETAG_HEADER = {
    "ETag": {
        "description": "The selection's version as an entity tag (send it back as If-Match).",
        "schema": {"type": "string"},
    }
}
ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
NOT_JSON = Reason(
    "body.not_json", N_("The request body must be JSON (Content-Type: application/json).")
)


class Parser(FlaskParser):
    """webargs' parser with the API's errors: 400 for a body that is not JSON, 422 with
    ``body.*`` reasons for one that does not fit."""

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        """Return the JSON body; a missing or malformed one is a 400."""
        data = req.get_json(silent=True)
        if data is None:
            raise BadRequestBody([NOT_JSON], status=400)
        return data

    def handle_error(self, error: ma.ValidationError, req: Any, schema: ma.Schema, **kw: Any):
        """Raise the reasons of the fields that do not fit (``location`` keys dropped)."""
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            location = next(iter(messages))
            if location in ("json", "query", "form", "files", "view_args"):
                messages = messages[location]
        raise BadRequestBody(reasons_of(messages, schema))


class ErrorItem(Out):
    """One reason: its stable code, its sentence, the field or file line it is about."""

    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    field = ma.fields.String()
    # An imported file's line the problem is on (null: the file as a whole).
    line = ma.fields.Integer(allow_none=True)


class ErrorSchema(Out):
    """Every /api/v1 failure: a code, a message in the caller's language, the reasons."""

    error = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    errors = ma.fields.List(ma.fields.Nested(ErrorItem))


def check_json(status: int, body: Any, schema: ma.Schema) -> None:
    """Load an answer's actual JSON back through its declared schema (tests only).

    :raises ResponseDrift: naming the status and the fields that do not fit.
    """
    many = isinstance(body, list)
    errors = schema.validate(body, many=many)
    if errors:
        raise ResponseDrift(f"{status}: {errors}")


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose input errors and answers keep the API's contract."""

    ARGUMENTS_PARSER = Parser()

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Callable:
        """Declare the answer (``@blp.response``); in testing, check the JSON sent against it."""
        declared = super().response(status_code, schema, **kwargs)
        check = resolve_schema_instance(schema) if schema is not None else None

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            inner = declared(view)

            @wraps(inner)
            def checked(*args: Any, **kw: Any) -> Any:
                result = inner(*args, **kw)
                if current_app.testing and check is not None:
                    answer = current_app.make_response(result)
                    if answer.is_json and answer.status_code == int(status_code):
                        check_json(answer.status_code, answer.get_json(), check)
                return result

            return checked

        return decorator

    def operation(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        tag: str,
        public: bool = False,
        body: bool = False,
        conditional: str | None = None,
    ) -> Callable:
        """Register a view (endpoint ``<name>_<method>``) with the errors it may answer.

        ``conditional``: "read" answers with the selection's ETag, "write" also honours
        If-Match (412 when stale). Put it above ``arguments`` and ``response``.
        """

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            doc: dict[str, Any] = {
                "summary": summary,
                "operationId": _operation_id(method, rule),
                "responses": _errors(method, public, body),
            }
            if conditional is not None:
                for status in getattr(view, "_apidoc", {}).get("success_status_codes", []):
                    # Keyed as flask-smorest keys the response, so the two merge into one.
                    doc["responses"][status] = {"headers": ETAG_HEADER}
            if conditional == "write":
                doc["responses"]["412"] = _error(412)
                doc["parameters"] = [IF_MATCH]
            if public:
                doc["security"] = []
            endpoint = f"{view.__name__}_{method.lower()}"
            documented = self.doc(**doc)(view)
            return self.route(rule, methods=[method], endpoint=endpoint, tags=[tag])(documented)

        return decorator


def _operation_id(method: str, rule: str) -> str:
    """Return e.g. ``get_jobs_job_id`` for GET /jobs/<int:job_id> (the ids it always had)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
    return f"{method.lower()}_" + re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")


def error_response_doc(description: str, headers: dict | None = None) -> dict[str, Any]:
    """Return a documented error answer: description, the Error schema, any headers."""
    doc: dict[str, Any] = {"description": description, "content": ERROR_REF}
    if headers:
        doc["headers"] = headers
    return doc


def _error(status: int) -> dict[str, Any]:
    return error_response_doc(ERROR_RESPONSES[status])


def _errors(method: str, public: bool, body: bool) -> dict[str, Any]:
    """Return the errors every operation of this kind may answer, as the document lists them."""
    statuses = [400, 404, 422] if body else [404]
    if not public:
        statuses += [401, 403]
    if method != "GET" and not public:
        statuses += [409, 422]
    return {str(status): _error(status) for status in statuses}


class Api(flask_smorest.Api):
    """flask-smorest's ``Api`` documenting errors in the API's shape and handling none itself:
    the blueprint's handlers answer /api/v1 in JSON, the app's pages keep their own."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Leave the app's error handlers alone (smorest's would answer every page in JSON)."""

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register blp's routes now; document its views when the document is first asked for.

        Documenting every operation (apispec resolving each schema) cost more than the rest
        of ``create_app`` together, paid by every process and every test that starts an app
        and never reads the document; ``document()`` pays it once, on first use.
        """
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def document(self) -> Any:
        """Return the OpenAPI spec (an ``APISpec``), every registered blueprint's views in it."""
        with self._documenting:
            while self._components:
                self._components.pop(0)()
            while self._undocumented:
                blp, name, parameters = self._undocumented.pop(0)
                blp.register_views_in_doc(
                    self, self._app, self.spec, name=name, parameters=parameters
                )
                self.spec.tag({"name": name, "description": blp.description})
        return self.spec

    # The document's shared components (error responses, ETag and pagination headers) are
    # registered with the views, when the document is first asked for: resolving the error
    # schema for every HTTP status was most of what is left of the API's part of create_app.
    def _register_responses(self) -> None:
        self._components.append(super()._register_responses)

    def _register_etag_headers(self) -> None:
        self._components.append(super()._register_etag_headers)

    def _register_pagination_header(self) -> None:
        self._components.append(super()._register_pagination_header)

    def init_app(self, app: Any, *args: Any, **kwargs: Any) -> None:
        """Initialise as flask-smorest does, with nothing documented yet."""
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._components: list[Callable[[], None]] = []
        self._documenting = threading.Lock()
        super().init_app(app, *args, **kwargs)
