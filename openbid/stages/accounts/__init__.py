"""Accounts: registration, log-in checks, password resets, sessions, API tokens, each write
audited.

What other layers may call is what this package exports below.
"""

from openbid.stages.accounts.api_tokens import (
    TOKEN_LIFETIME,
    issue_token,
    revoke_token,
    token_in_use,
)
from openbid.stages.accounts.body_reviewers import (
    add_reviewer,
    administered_body,
    body_reviewers,
    reset_reviewer_password,
    set_reviewer_active,
)
from openbid.stages.accounts.emails import find_user, normalise_email
from openbid.stages.accounts.links import (
    CONFIRM_MAX_AGE,
    RESET_MAX_AGE,
    confirmation_token,
    reset_token,
)
from openbid.stages.accounts.login import (
    ATTEMPT_RETENTION,
    LOGIN_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    AccountDisabled,
    LoginFailed,
    LoginRefused,
    WrongCredentials,
    authenticate,
    clear_failed_logins,
    record_failed_login,
)
from openbid.stages.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_DISTINCT,
    PASSWORD_MIN_LENGTH,
    password_problems,
)
from openbid.stages.accounts.registration import (
    confirm_email,
    register_candidate,
    registration_problems,
    resend_confirmation,
)
from openbid.stages.accounts.reset import (
    MAX_RESET_EMAILS_PER_HOUR,
    request_password_reset,
    reset_password,
    user_for_reset_token,
)
from openbid.stages.accounts.sessions import end_every_login, end_sessions, session_user

__all__ = [
    "add_reviewer",
    "administered_body",
    "body_reviewers",
    "reset_reviewer_password",
    "set_reviewer_active",
    "ATTEMPT_RETENTION",
    "AccountDisabled",
    "CONFIRM_MAX_AGE",
    "LOGIN_WINDOW",
    "LoginFailed",
    "LoginRefused",
    "MAX_FAILURES_PER_ACCOUNT",
    "MAX_FAILURES_PER_ADDRESS",
    "MAX_RESET_EMAILS_PER_HOUR",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_DISTINCT",
    "PASSWORD_MIN_LENGTH",
    "RESET_MAX_AGE",
    "TOKEN_LIFETIME",
    "WrongCredentials",
    "authenticate",
    "clear_failed_logins",
    "confirm_email",
    "confirmation_token",
    "end_every_login",
    "end_sessions",
    "find_user",
    "issue_token",
    "normalise_email",
    "password_problems",
    "record_failed_login",
    "register_candidate",
    "registration_problems",
    "request_password_reset",
    "resend_confirmation",
    "reset_password",
    "reset_token",
    "revoke_token",
    "session_user",
    "token_in_use",
    "user_for_reset_token",
]
