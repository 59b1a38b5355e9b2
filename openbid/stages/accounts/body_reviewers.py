"""An oversight body's own administrator manages its reviewers: creates their accounts,
deactivates or reactivates them, and resets their passwords; each write audited.

Who administers a body is a flag on one of its oversight accounts (``User.body_admin``),
given by the platform operator (``flask oversight create-reviewer --admin``); creating a
body and setting its scope stay with the operator too. A body administrator acts on the
accounts of its own body only, and never deactivates itself (a body keeps an administrator).
New and reset passwords are random, shown once to the administrator to hand over; a reset
or a deactivation ends every session and API token of the account.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from openbid import audit
from openbid.extensions import db
from openbid.models import OversightBody, Role, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.accounts.sessions import end_every_login
from openbid.workflow.errors import Forbidden

NOT_BODY_ADMIN = Reason(
    "body_admin.not_admin", N_("Only the administrator of an oversight body may do this.")
)


def administered_body(actor: User) -> OversightBody:
    """Return the oversight body the actor administers.

    :raises Forbidden: for anyone but an active body administrator.
    """
    if actor.role != Role.OVERSIGHT or not actor.body_admin or actor.oversight_body is None:
        raise Forbidden(NOT_BODY_ADMIN)
    return actor.oversight_body


def body_reviewers(body: OversightBody) -> list[User]:
    """Return the body's accounts, administrators first, then by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.oversight_body_id == body.id, User.role == Role.OVERSIGHT)
            .order_by(User.body_admin.desc(), User.name, User.id)
        )
    )


def _reviewer_reasons(name: str, email: str, title: str) -> tuple[str, list[Reason]]:
    reasons = []
    if not name:
        reasons.append(Reason("body_admin.name", N_("Enter the reviewer's name.")))
    elif len(name) > 200:
        reasons.append(Reason("body_admin.name", N_("The name is longer than 200 characters.")))
    if len(title) > 200:
        reasons.append(
            Reason("body_admin.title", N_("The position is longer than 200 characters."))
        )
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        reasons.append(
            Reason(
                "body_admin.email",
                N_("%(email)s is not a valid email address."),
                {"email": email or "—"},
            )
        )
        return email, reasons
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        reasons.append(
            Reason("body_admin.email", N_("%(email)s already has an account."), {"email": email})
        )
    return email, reasons


def add_reviewer(actor: User, *, name: str, email: str, title: str = "") -> tuple[User, str]:
    """Create a reviewer of the actor's body; return it and its initial password; commit.

    :raises Forbidden: unless the actor administers a body.
    :raises ValidationFailed: for a missing name, a bad or taken email, a long position.
    """
    body = administered_body(actor)
    name, title = " ".join(name.split()), " ".join(title.split())
    email, reasons = _reviewer_reasons(name, email.strip(), title)
    if reasons:
        raise ValidationFailed(reasons)
    password = secrets.token_urlsafe(12)
    user = User(
        email=email, name=name, role=Role.OVERSIGHT, oversight_body=body, position_title=title
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.append(
        db.session,
        event="user_created",
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        payload={"email": user.email, "role": Role.OVERSIGHT.value, "body": body.code},
    )
    db.session.commit()
    return user, password


def _own_reviewer(actor: User, user_id: int) -> User:
    """Return an account of the actor's body.

    :raises Forbidden: unless the actor administers a body.
    :raises LookupError: for an account of another body (a 404: it does not exist for it).
    """
    body = administered_body(actor)
    user = db.session.get(User, user_id)
    if user is None or user.oversight_body_id != body.id or user.role != Role.OVERSIGHT:
        raise LookupError(user_id)
    return user


def set_reviewer_active(actor: User, user_id: int, active: bool) -> User:
    """Deactivate (ending its logins) or reactivate a reviewer of the actor's body; commit.

    :raises Forbidden: unless the actor administers a body.
    :raises LookupError: for an account of another body.
    :raises ValidationFailed: when administrators would deactivate themselves.
    """
    user = _own_reviewer(actor, user_id)
    if user.id == actor.id and not active:
        raise ValidationFailed(
            [Reason("body_admin.self", N_("You cannot deactivate your own account."))]
        )
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_every_login(user)
    audit.append(
        db.session,
        event="reviewer_reactivated" if active else "reviewer_deactivated",
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        payload={"email": user.email, "body": user.oversight_body.code},
    )
    db.session.commit()
    return user


def reset_reviewer_password(actor: User, user_id: int) -> tuple[User, str]:
    """Give a reviewer of the actor's body a new random password, ending its logins; commit.

    :raises Forbidden: unless the actor administers a body.
    :raises LookupError: for an account of another body.
    """
    user = _own_reviewer(actor, user_id)
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    end_every_login(user)
    audit.append(
        db.session,
        event="reviewer_password_reset",
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        payload={"email": user.email, "body": user.oversight_body.code},
    )
    db.session.commit()
    return user, password
