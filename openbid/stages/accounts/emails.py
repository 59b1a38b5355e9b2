"""Email addresses as accounts are stored under them, and the account an address belongs to."""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from openbid.extensions import db
from openbid.models import User
from openbid.rules.reasons import N_, Reason, ValidationFailed


def normalise_email(email: str) -> str:
    """Return the email in the form accounts are stored under (checked syntax, lower case).

    :raises ValidationFailed: when it is not an email address.
    """
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(
            Reason("account.email", N_("Enter a valid email address, e.g. nama@instansi.go.id."))
        ) from None


def find_user(email: str) -> User | None:
    """Return the account with this email address (any case), or None."""
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
