"""Password reset by an emailed link: asking for one, checking it, setting the new password.

A reset link works for one hour and only once (``links``); setting the password ends every
session, remember cookie and API token of the account.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from openbid import audit, clock, mail
from openbid.extensions import db
from openbid.models import AuditEvent, LoginAttempt, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.accounts.emails import find_user, normalise_email
from openbid.stages.accounts.links import (
    BAD_LINK,
    RESET_MAX_AGE,
    password_digest,
    reset_data,
    reset_token,
)
from openbid.stages.accounts.passwords import password_problems
from openbid.stages.accounts.sessions import end_every_login

MAX_RESET_EMAILS_PER_HOUR = 3

_RESET_USED = Reason(
    "token.reset_used",
    N_("This password-reset link was already used. Ask for a new one if you need it."),
)


def request_password_reset(email: str) -> None:
    """Email a reset link when the address has an active account; do nothing visible otherwise.

    :raises ValidationFailed: only when the text is not an email address at all.
    """
    email = normalise_email(email)
    user = find_user(email)
    if user is None or not user.active:
        return
    recent = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.chain == audit.SYSTEM_CHAIN,
            AuditEvent.event == "password_reset_requested",
            AuditEvent.subject_type == "user",
            AuditEvent.subject_id == user.id,
            AuditEvent.occurred_at >= clock.now() - timedelta(hours=1),
        )
    )
    if recent >= MAX_RESET_EMAILS_PER_HOUR:
        return  # enough links are on their way; nobody can flood an inbox through this form
    mail.queue_template(
        db.session,
        user,
        "portal/email/reset.txt",
        N_("Reset your openbid password"),
        reset_url=mail.absolute_url("portal.reset_password", token=reset_token(user)),
        minutes=int(RESET_MAX_AGE.total_seconds() // 60),
    )
    audit.append(
        db.session,
        event="password_reset_requested",
        actor=user,
        subject_type="user",
        subject_id=user.id,
        payload={"email": user.email},
    )
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    """Return the user a reset token is valid for.

    :raises ValidationFailed: invalid, expired, or already used (the password has changed).
    """
    data = reset_data(token)
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active:
        raise ValidationFailed(BAD_LINK)
    if data.get("p") != password_digest(user):
        raise ValidationFailed(_RESET_USED)
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; the link stops working at once.

    :raises ValidationFailed: a bad link, or a password that breaks the rule.
    """
    user = user_for_reset_token(token)
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise ValidationFailed(problems)
    user.set_password(password)
    # Following the emailed link proves the address works, as a confirmation link would.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
    revoked = end_every_login(user)
    audit.append(
        db.session,
        event="password_reset",
        actor=user,
        subject_type="user",
        subject_id=user.id,
        payload={"email": user.email, "api_tokens_revoked": revoked},
    )
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == user.email.lower()))
    db.session.commit()
    return user
