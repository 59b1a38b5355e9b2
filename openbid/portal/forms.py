"""Account forms of the portal (CSRF-protected); password rules are checked by the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

PASSWORD_RULE = _l(
    "At least 10 characters, mixing at least two of: letters, digits, symbols (a space counts "
    "as a symbol). Not your email address or your name."
)


class RegisterForm(FlaskForm):
    """A new candidate account."""

    name = StringField(
        _l("Full name (as on your rank decree)"),
        validators=[DataRequired(_l("Enter your full name.")), Length(max=200)],
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        description=PASSWORD_RULE,
        validators=[DataRequired(_l("Choose a password.")), Length(max=200)],
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type the password a second time.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Create my account"))


class ForgotPasswordForm(FlaskForm):
    """The address to send a reset link to."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
    )
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"),
        description=PASSWORD_RULE,
        validators=[DataRequired(_l("Choose a password.")), Length(max=200)],
    )
    password_again = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type the password a second time.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Set the new password"))
