"""Account pages: register, confirm the email address, forgotten and reset password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field

from openbid.i18n import reason_text
from openbid.portal.blueprint import bp
from openbid.portal.forms import ForgotPasswordForm, RegisterForm, ResetPasswordForm
from openbid.rules.reasons import Reason, ValidationFailed
from openbid.stages import accounts


def _attach(
    reasons: list[Reason], fields: dict[str, Field], default: Field, *, skip_filled: bool = False
) -> None:
    """Show each service reason under the field it is about.

    With skip_filled, a field that already has the form's own error (e.g. "enter your email")
    does not get a second message about the same emptiness.
    """
    already = {id(f) for f in fields.values() if f.errors} if skip_filled else set()
    if skip_filled and default.errors:
        already.add(id(default))
    for reason in reasons:
        prefix = reason.code.split(".", 1)[0]
        field = fields.get(reason.code, fields.get(prefix, default))
        if id(field) in already:
            continue
        field.errors = [*field.errors, reason_text(reason)]


def _message_page(title: str, reasons: list[Reason], status: int):
    return (
        render_template(
            "portal/message.html", title=title, details=[reason_text(r) for r in reasons]
        ),
        status,
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a candidate account and email its confirmation link."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.register_candidate(
                email=form.email.data, name=form.name.data, password=form.password.data
            )
        except ValidationFailed as error:
            _attach(
                error.reasons,
                {"password": form.password, "account.email": form.email, "account": form.name},
                form.password,
            )
            status = 422
        else:
            # The same words whether or not the address already had an account: the form must
            # not tell a stranger who is registered (an existing owner gets a notice instead).
            flash(
                _(
                    "Check your email: we sent a message to %(email)s. Follow the confirmation "
                    "link in it within 48 hours, then log in.",
                    email=form.email.data.strip(),
                ),
                "success",
            )
            return redirect(url_for("auth.login"), 303)
    elif form.is_submitted():
        # Say everything at once: the form's own checks plus the password and email rules.
        _attach(
            accounts.registration_problems(
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
            ),
            {"password": form.password, "account.email": form.email, "account": form.name},
            form.password,
            skip_filled=True,
        )
        status = 422
    return render_template("portal/register.html", form=form), status


@bp.route("/confirm/<token>")
def confirm_email(token: str):
    """Confirm an email address from the link we sent."""
    try:
        user, newly = accounts.confirm_email(token)
    except ValidationFailed as error:
        return _message_page(_("The confirmation link does not work"), error.reasons, 400)
    if newly:
        flash(_("Your email address %(email)s is confirmed.", email=user.email), "success")
    else:
        flash(_("Your email address was already confirmed."), "info")
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/confirmation/resend", methods=["POST"])
def resend_confirmation():
    """Email the logged-in candidate a fresh confirmation link."""
    if accounts.resend_confirmation(current_user):
        flash(
            _("We sent a new confirmation link to %(email)s.", email=current_user.email),
            "success",
        )
    else:
        flash(_("Your email address was already confirmed."), "info")
    return redirect(url_for("main.home"), 303)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a password-reset link by email."""
    form = ForgotPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.request_password_reset(form.email.data)
        except ValidationFailed as error:
            _attach(error.reasons, {}, form.email)
            status = 422
        else:
            flash(
                _(
                    "If an account uses %(email)s, we have sent it a link to set a new "
                    "password. The link works once, within one hour.",
                    email=form.email.data.strip(),
                ),
                "success",
            )
            return redirect(url_for("auth.login"), 303)
    elif form.is_submitted():
        status = 422
    return render_template("portal/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through a reset link."""
    try:
        user = accounts.user_for_reset_token(token)
    except ValidationFailed as error:
        return _message_page(_("The password-reset link does not work"), error.reasons, 400)
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ValidationFailed as error:
            _attach(error.reasons, {"password": form.password}, form.password)
            status = 422
        else:
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"), 303)
    elif form.is_submitted():
        status = 422
    return render_template("portal/reset_password.html", form=form, user=user), status
