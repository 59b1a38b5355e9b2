"""Log-in and log-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from openbid.auth.forms import LoginForm
from openbid.i18n import reason_text
from openbid.stages import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str | None:
    """Return target only when it is a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form; log the user in on valid credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, request.remote_addr or "unknown"
            )
        except accounts.LoginFailed as error:
            flash(reason_text(error.reasons[0]), "error")
            status = error.status
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (POST, so a link on another site cannot log anyone out).

    Ends the account's sessions on the server too, so a copy of the session or remember
    cookie stops working; other browsers of the same account are logged out as well.
    """
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
