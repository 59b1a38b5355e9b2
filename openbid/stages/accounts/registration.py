"""Candidate registration and email confirmation.

Every email is an outbox row written in the same transaction as the change that causes it
(``openbid.mail``).
"""

from __future__ import annotations

from openbid import audit, clock, mail
from openbid.extensions import db
from openbid.models import Role, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.accounts.emails import find_user, normalise_email
from openbid.stages.accounts.links import (
    BAD_LINK,
    CONFIRM_MAX_AGE,
    confirmation_data,
    confirmation_token,
)
from openbid.stages.accounts.passwords import password_problems


def registration_problems(*, email: str, name: str, password: str) -> list[Reason]:
    """Return every problem with a registration's email, name and password, all at once."""
    reasons: list[Reason] = []
    try:
        email = normalise_email(email or "")
    except ValidationFailed as error:
        reasons += error.reasons
    name = " ".join((name or "").split())
    if not name:
        reasons.append(Reason("account.name", N_("Enter your full name.")))
    elif len(name) > 200:
        reasons.append(Reason("account.name_long", N_("The name may have at most 200 characters.")))
    return reasons + password_problems(password or "", email=email or "", name=name)


def register_candidate(*, email: str, name: str, password: str) -> User | None:
    """Create a candidate account and email its confirmation link, in one transaction.

    When the address already has an account, nothing is created and its owner is emailed a
    notice instead; the caller shows the same "check your email" page either way, so the form
    does not tell strangers which addresses have accounts. Returns the new user or None.

    :raises ValidationFailed: naming each problem with the email, name or password.
    """
    reasons = registration_problems(email=email, name=name, password=password)
    if reasons:
        raise ValidationFailed(reasons)
    email, name = normalise_email(email), " ".join(name.split())

    existing = find_user(email)
    if existing is not None:
        mail.queue_template(
            db.session,
            existing,
            "portal/email/already_registered.txt",
            N_("Someone tried to register again with your email address"),
            login_url=mail.absolute_url("auth.login"),
            forgot_url=mail.absolute_url("portal.forgot_password"),
        )
        db.session.commit()
        return None
    user = User(email=email, name=name, role=Role.CANDIDATE, agency_id=None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.append(
        db.session,
        event="account_registered",
        actor=user,
        subject_type="user",
        subject_id=user.id,
        payload={"email": email, "role": Role.CANDIDATE},
    )
    _queue_confirmation(user)
    db.session.commit()
    return user


def _queue_confirmation(user: User) -> None:
    mail.queue_template(
        db.session,
        user,
        "portal/email/confirm.txt",
        N_("Confirm your email address for openbid"),
        confirm_url=mail.absolute_url("portal.confirm_email", token=confirmation_token(user)),
        hours=int(CONFIRM_MAX_AGE.total_seconds() // 3600),
    )


def resend_confirmation(user: User) -> bool:
    """Email a fresh confirmation link unless the address is already confirmed; say if sent."""
    if user.email_confirmed_at is not None:
        return False
    _queue_confirmation(user)
    db.session.commit()
    return True


def confirm_email(token: str) -> tuple[User, bool]:
    """Confirm the address a token was issued for; return the user and whether it was new.

    :raises ValidationFailed: when the link is invalid, expired, or for an address since changed.
    """
    data = confirmation_data(token)
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e"):
        raise ValidationFailed(BAD_LINK)
    if user.email_confirmed_at is not None:
        return user, False
    user.email_confirmed_at = clock.now()
    audit.append(
        db.session,
        event="email_confirmed",
        actor=user,
        subject_type="user",
        subject_id=user.id,
        payload={"email": user.email},
    )
    db.session.commit()
    return user, True
