"""The password rule every account's password must meet, as the forms state it."""

from __future__ import annotations

from openbid.rules.reasons import N_, Reason

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
PASSWORD_MIN_DISTINCT = 5

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
