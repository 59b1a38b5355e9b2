"""The portal blueprint, its candidate-only gate, ownership loading and display filters."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from openbid import mail
from openbid.auth import require_roles
from openbid.extensions import db
from openbid.models import Application, ApplicationState, Position, Role
from openbid.stages import applications

bp = Blueprint("portal", __name__, url_prefix="/portal")

# Reachable without logging in: the way into an account.
PUBLIC_ENDPOINTS = frozenset(
    {
        "portal.register",
        "portal.confirm_email",
        "portal.forgot_password",
        "portal.reset_password",
    }
)


@bp.before_request
def _gate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    require_roles(Role.CANDIDATE)


def _setup(state) -> None:
    # The portal is where email starts (confirmation, reset, result notices): hook delivery.
    mail.init_app(state.app)


bp.record_once(_setup)


def load_own_application(application_id: int) -> Application:
    """Return the current candidate's application.

    :raises NotFound: 404 when it does not exist or belongs to someone else (no hint which).
    """
    application = db.session.scalar(
        sa.select(Application)
        .where(Application.id == application_id, Application.candidate_id == current_user.id)
        .options(joinedload(Application.position).joinedload(Position.selection))
    )
    if application is None:
        abort(404)
    return application


@bp.app_template_global("candidate_dashboard")
def candidate_dashboard():
    """Return the logged-in candidate's dashboard for the home page (main.home)."""
    return applications.dashboard(current_user)


# How each application state reads at a glance: good news, bad news, or neutral.
STATE_TONES = {
    ApplicationState.SUBMITTED: "info",
    ApplicationState.ELIGIBLE: "ok",
    ApplicationState.SHORTLISTED: "ok",
    ApplicationState.APPOINTED: "ok",
    ApplicationState.INELIGIBLE: "bad",
    ApplicationState.ELIMINATED: "bad",
    ApplicationState.NOT_SHORTLISTED: "bad",
    ApplicationState.NOT_APPOINTED: "bad",
    ApplicationState.WITHDRAWN: "muted",
    ApplicationState.CLOSED: "muted",
}


@bp.app_template_filter("state_tone")
def state_tone(state: str) -> str:
    """Return the CSS tone of an application state (ok, bad, info, muted, draft)."""
    return STATE_TONES.get(state, "draft")


@bp.app_template_filter("translated")
def translated(text: str) -> str:
    """Translate an English source string kept as data (a field label, a stage name)."""
    return gettext(text)
