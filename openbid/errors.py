"""Error pages: a clear message in the user's language, never a stack trace."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.rules.reasons import N_, ValidationFailed
from openbid.workflow import WorkflowError

MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please log in first."),
    403: N_("You are not allowed to do this."),
    404: N_("The page you asked for does not exist."),
    405: N_("This action is not allowed here."),
    409: N_("Someone else changed this a moment ago; reload the page and try again."),
    413: N_("The file is too large."),
    422: N_("The request could not be processed."),
    429: N_("Too many attempts; wait a minute and try again."),
    500: N_("Something went wrong on our side; nothing was saved. Please try again."),
}


def _page(status: int, message: str, details: list[str] | None = None):
    return (
        render_template("errors/error.html", status=status, message=message, details=details or []),
        status,
    )


def init_app(
    app: Flask, *, answered_by: Mapping[str, Callable[[int], Response]] | None = None
) -> None:
    """Register the error handlers.

    ``answered_by`` maps a path prefix to the function that answers HTTP errors under it in
    its own format (the API's JSON), even for URLs none of its routes match.
    """
    areas = dict(answered_by or {})

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(
            400,
            _(
                "The form expired or was not sent from openbid (missing security token). "
                "Go back, reload the page and submit again."
            ),
        )

    @app.errorhandler(WorkflowError)
    def workflow_error(error: WorkflowError):
        db.session.rollback()
        return _page(
            error.status,
            _(MESSAGES.get(error.status, MESSAGES[400])),
            [reason_text(r) for r in error.reasons],
        )

    @app.errorhandler(ValidationFailed)
    def validation_failed(error: ValidationFailed):
        db.session.rollback()
        return _page(422, _(MESSAGES[422]), [reason_text(r) for r in error.reasons])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        for prefix, respond in areas.items():
            if request.path.startswith(prefix):
                # Unmatched URLs and methods never reach a blueprint's own handlers.
                return respond(status)
        return _page(status, _(MESSAGES.get(status, MESSAGES[400])))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _page(500, _(MESSAGES[500]))
