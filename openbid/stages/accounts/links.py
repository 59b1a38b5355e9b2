"""The signed links accounts email: confirming an address, resetting a password.

Links carry tokens signed with the app's SECRET_KEY (itsdangerous): a confirmation link is
valid for 48 hours, a password-reset link for one hour and only once, because it carries a
digest of the current password hash, which the reset changes.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from openbid import clock
from openbid.models import User
from openbid.rules.reasons import N_, Reason, ValidationFailed

CONFIRM_MAX_AGE = timedelta(hours=48)
RESET_MAX_AGE = timedelta(hours=1)

_CONFIRM_SALT = "openbid.confirm-email"
_RESET_SALT = "openbid.reset-password"

BAD_LINK = Reason(
    "token.invalid",
    N_("This link is not valid. Copy the whole link from the email, or ask for a new one."),
)
_CONFIRM_EXPIRED = Reason(
    "token.confirm_expired",
    N_(
        "This confirmation link has expired (links are valid for 48 hours). Log in "
        "and ask for a new one."
    ),
)
_RESET_EXPIRED = Reason(
    "token.reset_expired",
    N_("This password-reset link has expired (links are valid for one hour). Ask for a new one."),
)


class _ClockSigner(TimestampSigner):
    """Timestamps from openbid's clock, so expiry follows ``clock.now`` (and tests can move it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=_ClockSigner)


def password_digest(user: User) -> str:
    """Return what a reset link carries of the user's current password (it changes with it)."""
    # A digest of the hash, not a piece of it: the token is signed, not encrypted, and must
    # not hand out material of the stored hash; any password change still alters it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def confirmation_token(user: User) -> str:
    """Return a signed token confirming user's current email address."""
    return _serializer(_CONFIRM_SALT).dumps({"u": user.id, "e": user.email})


def reset_token(user: User) -> str:
    """Return a signed, single-use token to set a new password for user."""
    return _serializer(_RESET_SALT).dumps({"u": user.id, "p": password_digest(user)})


def confirmation_data(token: str) -> dict:
    """Return what a confirmation token says (``u`` the user's id, ``e`` the address).

    :raises ValidationFailed: when the link is invalid or expired.
    """
    return _load(token, _CONFIRM_SALT, CONFIRM_MAX_AGE, _CONFIRM_EXPIRED)


def reset_data(token: str) -> dict:
    """Return what a reset token says (``u`` the user's id, ``p`` the password's digest).

    :raises ValidationFailed: when the link is invalid or expired.
    """
    return _load(token, _RESET_SALT, RESET_MAX_AGE, _RESET_EXPIRED)


def _load(token: str, salt: str, max_age: timedelta, expired: Reason) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ValidationFailed(expired) from None
    except BadSignature:
        raise ValidationFailed(BAD_LINK) from None
    if not isinstance(data, dict):
        raise ValidationFailed(BAD_LINK)
    return data
