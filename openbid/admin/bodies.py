"""An oversight body's own administration: its scope (read-only) and its reviewers' accounts.

Only the body's administrator (``User.body_admin``) reaches these pages; creating a body and
setting its scope stay with the platform operator's command line (``flask oversight``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid.auth import require_roles
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Role
from openbid.rules.reasons import ValidationFailed
from openbid.stages import accounts, documents
from openbid.stages.oversight.scope import supervised_agencies
from openbid.workflow import Forbidden

body_bp = Blueprint("body_admin", __name__, url_prefix="/admin/body")


@body_bp.before_request
def _gate() -> None:
    require_roles(Role.OVERSIGHT)
    try:
        accounts.administered_body(current_user)
    except Forbidden:
        abort(403)


def _page(
    values: dict | None = None,
    errors: list[str] | None = None,
    notice: str | None = None,
    status: int = 200,
):
    body = accounts.administered_body(current_user)
    signer = documents.issuer_signer(documents.OVERSIGHT, body.code)
    return (
        render_template(
            "admin/body.html",
            body=body,
            agencies=supervised_agencies(db.session, body),
            reviewers=accounts.body_reviewers(body),
            signer_name=signer.subject_name if signer is not None else None,
            values=values or {},
            errors=errors or [],
            notice=notice,
        ),
        status,
    )


@body_bp.route("/")
def body():
    """Show the body's scope and its reviewers, with the form to add one.

    :raises Forbidden: for anyone but the body's administrator.
    """
    return _page()


@body_bp.route("/reviewers", methods=["POST"])
def add_reviewer():
    """Create a reviewer account of the body; show its initial password once."""
    values = {key: request.form.get(key, "") for key in ("name", "email", "title")}
    try:
        user, password = accounts.add_reviewer(current_user, **values)
    except ValidationFailed as error:
        return _page(values, [reason_text(r) for r in error.reasons], status=422)
    # Shown once, on this page only (never flashed into the session cookie).
    notice = _(
        "%(name)s now has a reviewer account (%(email)s). Give them this initial password in"
        " person: %(password)s — they can change it with “Forgot password”.",
        name=user.name,
        email=user.email,
        password=password,
    )
    return _page(notice=notice)


def _set_active(user_id: int, active: bool):
    try:
        user = accounts.set_reviewer_active(current_user, user_id, active)
    except LookupError:
        abort(404)
    except ValidationFailed as error:
        return _page(errors=[reason_text(r) for r in error.reasons], status=422)
    message = _("%(name)s can log in again.") if active else _("%(name)s can no longer log in.")
    flash(message % {"name": user.name}, "success")
    return redirect(url_for("body_admin.body"), 303)


@body_bp.route("/reviewers/<int:user_id>/deactivate", methods=["POST"])
def deactivate_reviewer(user_id: int):
    """Deactivate a reviewer of the body, ending their sessions and API tokens.

    :raises NotFound: for an account of another body.
    """
    return _set_active(user_id, False)


@body_bp.route("/reviewers/<int:user_id>/reactivate", methods=["POST"])
def reactivate_reviewer(user_id: int):
    """Let a deactivated reviewer of the body log in again.

    :raises NotFound: for an account of another body.
    """
    return _set_active(user_id, True)


@body_bp.route("/reviewers/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int):
    """Give a reviewer a new password, shown once, ending their sessions and API tokens.

    :raises NotFound: for an account of another body.
    """
    try:
        user, password = accounts.reset_reviewer_password(current_user, user_id)
    except LookupError:
        abort(404)
    notice = _(
        "%(name)s has a new password; give it to them in person: %(password)s",
        name=user.name,
        password=password,
    )
    return _page(notice=notice)
