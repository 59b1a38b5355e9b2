"""Candidate accounts: registration, email confirmation, password reset and log-in limits.

Links in emails carry tokens signed with the app's SECRET_KEY (itsdangerous): a confirmation
link is valid for 48 hours, a password-reset link for one hour and only once, because it
carries a digest of the current password hash, which the reset changes. Every email is an
outbox row written in the same transaction as the change that causes it (``openbid.mail``).

Failed log-ins are rows (``LoginAttempt``), not process memory, so the limits hold across
several gunicorn workers and hosts. ``authenticate()`` is the one password check: the log-in
form and the API's token route both go through it, so both share the same limits.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from openbid import audit, clock, mail
from openbid.extensions import db
from openbid.models import ApiToken, AuditEvent, LoginAttempt, Role, User
from openbid.rules.reasons import N_, Reason, ValidationFailed

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
PASSWORD_MIN_DISTINCT = 5
CONFIRM_MAX_AGE = timedelta(hours=48)
RESET_MAX_AGE = timedelta(hours=1)
LOGIN_WINDOW = timedelta(minutes=1)
MAX_FAILURES_PER_ACCOUNT = 5  # the 6th try within the window is refused
MAX_FAILURES_PER_ADDRESS = 20
ATTEMPT_RETENTION = timedelta(days=1)
MAX_RESET_EMAILS_PER_HOUR = 3

_CONFIRM_SALT = "openbid.confirm-email"
_RESET_SALT = "openbid.reset-password"

# A handful of passwords that pass the length and mix rules but are the first an attacker tries.
_COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "password1234",
        "passw0rd123",
        "qwerty12345",
        "qwertyuiop1",
        "1234567890a",
        "a1234567890",
        "indonesia123",
        "indonesia45",
        "bismillah123",
        "p@ssw0rd123",
        "admin12345",
        "rahasia123",
    }
)


# --- passwords ------------------------------------------------------------------------


def _character_kinds(password: str) -> int:
    letters = any(c.isalpha() for c in password)
    digits = any(c.isdigit() for c in password)
    others = any(not c.isalnum() for c in password)
    return letters + digits + others


def password_problems(password: str, *, email: str = "", name: str = "") -> list[Reason]:
    """Return why a password is too weak; empty when it is acceptable.

    The rule, as the form states it: at least 10 characters, mixing at least two kinds of
    characters (letters, digits, symbols; a space counts as a symbol), at least 5 different
    characters, not a well-known password, and not containing the email address or the name.
    """
    reasons: list[Reason] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        reasons.append(
            Reason(
                "password.short",
                N_("The password must have at least %(minimum)d characters; it has %(length)d."),
                {"minimum": PASSWORD_MIN_LENGTH, "length": len(password)},
            )
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        reasons.append(
            Reason(
                "password.long",
                N_("The password may have at most %(maximum)d characters."),
                {"maximum": PASSWORD_MAX_LENGTH},
            )
        )
    if password and _character_kinds(password) < 2:
        reasons.append(
            Reason(
                "password.one_kind",
                N_(
                    "The password uses only one kind of character; mix at least two of "
                    "letters, digits and symbols."
                ),
            )
        )
    if password and len(set(password.lower())) < PASSWORD_MIN_DISTINCT:
        reasons.append(
            Reason(
                "password.repetitive",
                N_("The password repeats too few characters; use at least %(minimum)d different."),
                {"minimum": PASSWORD_MIN_DISTINCT},
            )
        )
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS:
        reasons.append(
            Reason("password.common", N_("This password is too well known; choose another."))
        )
    local = email.lower().split("@", 1)[0]
    if email and (email.lower() in lowered or (len(local) >= 4 and local in lowered)):
        reasons.append(
            Reason("password.email", N_("The password must not contain your email address."))
        )
    name_parts = [part for part in _words(name) if len(part) >= 4]
    if any(part in lowered for part in name_parts):
        reasons.append(Reason("password.name", N_("The password must not contain your name.")))
    return reasons


def _words(text: str) -> list[str]:
    return ["".join(c for c in word if c.isalpha()) for word in text.lower().split()]


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


def _find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


# --- tokens ---------------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Timestamps from openbid's clock, so expiry follows ``clock.now`` (and tests can move it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=_ClockSigner)


def _password_digest(user: User) -> str:
    # A digest of the hash, not a piece of it: the token is signed, not encrypted, and must
    # not hand out material of the stored hash; any password change still alters it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def confirmation_token(user: User) -> str:
    """Return a signed token confirming user's current email address."""
    return _serializer(_CONFIRM_SALT).dumps({"u": user.id, "e": user.email})


def reset_token(user: User) -> str:
    """Return a signed, single-use token to set a new password for user."""
    return _serializer(_RESET_SALT).dumps({"u": user.id, "p": _password_digest(user)})


_BAD_LINK = Reason(
    "token.invalid",
    N_("This link is not valid. Copy the whole link from the email, or ask for a new one."),
)


def _load(token: str, salt: str, max_age: timedelta, expired: Reason) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ValidationFailed(expired) from None
    except BadSignature:
        raise ValidationFailed(_BAD_LINK) from None
    if not isinstance(data, dict):
        raise ValidationFailed(_BAD_LINK)
    return data


# --- registration and confirmation ----------------------------------------------------


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

    existing = _find_user(email)
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
    data = _load(
        token,
        _CONFIRM_SALT,
        CONFIRM_MAX_AGE,
        Reason(
            "token.confirm_expired",
            N_(
                "This confirmation link has expired (links are valid for 48 hours). Log in "
                "and ask for a new one."
            ),
        ),
    )
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e"):
        raise ValidationFailed(_BAD_LINK)
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


# --- password reset -------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link when the address has an active account; do nothing visible otherwise.

    :raises ValidationFailed: only when the text is not an email address at all.
    """
    email = normalise_email(email)
    user = _find_user(email)
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


_RESET_EXPIRED = Reason(
    "token.reset_expired",
    N_("This password-reset link has expired (links are valid for one hour). Ask for a new one."),
)
_RESET_USED = Reason(
    "token.reset_used",
    N_("This password-reset link was already used. Ask for a new one if you need it."),
)


def user_for_reset_token(token: str) -> User:
    """Return the user a reset token is valid for.

    :raises ValidationFailed: invalid, expired, or already used (the password has changed).
    """
    data = _load(token, _RESET_SALT, RESET_MAX_AGE, _RESET_EXPIRED)
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active:
        raise ValidationFailed(_BAD_LINK)
    if data.get("p") != _password_digest(user):
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


# --- sessions -------------------------------------------------------------------------


def _bump_generation(user: User) -> None:
    # In SQL, so two log-outs at once both count; every cookie with the old value dies.
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
    )


def end_sessions(user: User) -> None:
    """End every web session and remember cookie of user (log-out); API tokens stay."""
    _bump_generation(user)
    db.session.commit()


def end_every_login(user: User) -> int:
    """End user's web sessions, remember cookies and API tokens in the caller's transaction.

    For any change of password: whoever held the old one may have opened any of them.
    Returns how many API tokens were revoked.
    """
    _bump_generation(user)
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return result.rowcount


# --- log-in limits --------------------------------------------------------------------


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
        _dummy_hash = generate_password_hash("openbid-timing-equaliser", method="scrypt")
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
    user = _find_user(email)
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
