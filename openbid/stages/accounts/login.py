"""Log-in: the one password check, and the limits on failed attempts.

Failed log-ins are rows (``LoginAttempt``), not process memory, so the limits hold across
several gunicorn workers and hosts. ``authenticate()`` is the one password check: the log-in
form and the API's token route both go through it, so both share the same limits.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from openbid import clock
from openbid.extensions import db
from openbid.models import LoginAttempt, User
from openbid.models import user as user_model
from openbid.rules.reasons import N_, Reason
from openbid.stages.accounts.emails import find_user

LOGIN_WINDOW = timedelta(minutes=1)
MAX_FAILURES_PER_ACCOUNT = 5  # the 6th try within the window is refused
MAX_FAILURES_PER_ADDRESS = 20
ATTEMPT_RETENTION = timedelta(days=1)


class LoginFailed(Exception):
    """A log-in was not accepted; status is the HTTP answer, reasons say why."""

    status = 401

    def __init__(self, reason: Reason) -> None:
        self.reasons = [reason]
        super().__init__(str(reason))


class LoginRefused(LoginFailed):
    """Too many recent failures: the password was not even checked."""

    status = 429

    def __init__(self, reason: Reason, retry_after: int) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class WrongCredentials(LoginFailed):
    """The email is unknown or the password wrong; the same answer for both."""

    status = 401


class AccountDisabled(LoginFailed):
    """The password is right but the account is disabled."""

    status = 403


_WRONG_CREDENTIALS = Reason("auth.credentials", N_("The email or password is wrong."))
_DISABLED = Reason(
    "auth.disabled", N_("This account is disabled; contact your agency's administrator.")
)

_dummy_hash: str | None = None


def _dummy_check(password: str) -> None:
    """Spend the time of a real check when the email is unknown.

    Without it a wrong email answers faster than a wrong password, telling an attacker
    which accounts exist.
    """
    global _dummy_hash
    if _dummy_hash is None:
        # Hashed the way accounts' passwords are, so that both checks cost the same.
        _dummy_hash = generate_password_hash(
            "openbid-timing-equaliser", method=user_model.PASSWORD_METHOD
        )
    check_password_hash(_dummy_hash, password)


def authenticate(email: str, password: str, remote_addr: str) -> User:
    """Return the active user with this email and password, within the log-in limits.

    The only place a log-in password is checked (the web form and the API's token route).
    The attempt is recorded and committed before it is counted, so parallel requests see one
    another and at most the limit's number of passwords is ever checked in a window.

    :raises LoginRefused: too many recent failures for the email or the remote address; the
        password is not checked, so even the right one waits.
    :raises WrongCredentials: an unknown email or a wrong password (counted as a failure).
    :raises AccountDisabled: the right password for a disabled account.
    """
    email = email.strip().lower()
    attempt_id = record_failed_login(email, remote_addr)  # a failure until proven otherwise
    refusal = _refusal(email, remote_addr)
    if refusal is not None:
        # A refused try checked nothing; not counting it keeps the wait from growing forever.
        _forget_attempt(attempt_id)
        raise LoginRefused(refusal, int(refusal.params["seconds"]))
    user = find_user(email)
    if user is None:
        _dummy_check(password)
    if user is None or not user.check_password(password):
        raise WrongCredentials(_WRONG_CREDENTIALS)  # the recorded attempt stays as the failure
    if not user.active:
        _forget_attempt(attempt_id)
        raise AccountDisabled(_DISABLED)
    clear_failed_logins(email)
    return user


def _limit(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def _refusal(email: str, remote_addr: str) -> Reason | None:
    """Return why a recorded attempt must wait, or None when its password may be checked.

    The count includes the attempt itself. Counted per typed address whether or not an
    account has it, so the answer never tells which accounts exist.
    """
    now = clock.now()
    since = now - LOGIN_WINDOW
    checks = (
        (LoginAttempt.email == email.lower(), _limit("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)),
        (LoginAttempt.remote_addr == remote_addr, _limit("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)),
    )
    for condition, maximum in checks:
        count, oldest = db.session.execute(
            sa.select(sa.func.count(LoginAttempt.id), sa.func.min(LoginAttempt.attempted_at)).where(
                condition, LoginAttempt.attempted_at >= since
            )
        ).one()
        if count > maximum:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            wait = max(1, int((oldest + LOGIN_WINDOW - now).total_seconds()) + 1)
            return Reason(
                "login.rate_limited",
                N_(
                    "Too many failed log-in attempts. Wait %(seconds)d seconds, then try "
                    "again; if you forgot your password, reset it by email."
                ),
                {"seconds": wait},
            )
    return None


def record_failed_login(email: str, remote_addr: str) -> int:
    """Record a failed log-in (committed at once) and prune old attempts; return its id."""
    now = clock.now()
    db.session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < now - ATTEMPT_RETENTION)
    )
    attempt = LoginAttempt(
        email=email.lower()[:254], remote_addr=remote_addr[:64], attempted_at=now
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt.id


def _forget_attempt(attempt_id: int) -> None:
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    db.session.commit()


def clear_failed_logins(email: str) -> None:
    """Forget an account's failed attempts after a successful log-in."""
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == email.lower()))
    db.session.commit()
