"""Log-in and log-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from openbid.auth.forms import LoginForm
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import User
from openbid.services import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")

_dummy_hash: str | None = None


def _dummy_check(password: str) -> None:
    """Spend the time of a real check when the email is unknown.

    Without it a wrong email answers faster than a wrong password, telling an attacker
    which accounts exist.
    """
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("openbid-timing-equaliser", method="scrypt")
    check_password_hash(_dummy_hash, password)


def _safe_next(target: str | None) -> str | None:
    """Return target only when it is a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    """Show the log-in form; log the user in on valid credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        remote = request.remote_addr or "unknown"
        # Checked before the password: once limited, even the right password waits.
        refusal = accounts.login_refusal(email, remote)
        user = None
        if refusal is None:
            user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
            if user is None:
                _dummy_check(form.password.data)
        if refusal is not None:
            flash(reason_text(refusal), "error")
            status = 429
        elif user is None or not user.check_password(form.password.data):
            accounts.record_failed_login(email, remote)
            flash(_("The email or password is wrong."), "error")
            status = 401
        elif not user.active:
            flash(_("This account is disabled; contact your agency's administrator."), "error")
            status = 403
        else:
            accounts.clear_failed_logins(email)
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():  # noqa: ANN201
    """Log out (POST, so a link on another site cannot log anyone out)."""
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
