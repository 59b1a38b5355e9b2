"""Verification codes: the short code printed on every document and its public address."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from openbid.models import IssuedDocument

# Verification codes: 10 symbols without 0/O and 1/I, printed as XXXXX-XXXXX.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_PATTERN = re.compile(r"[%s]{5}-[%s]{5}" % (CODE_ALPHABET, CODE_ALPHABET))


def new_verification_code(session: Session) -> str:
    """Return a random, unused verification code such as ``K7QM2-X9PDT``."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{raw[:5]}-{raw[5:]}"
        taken = session.scalar(
            sa.select(IssuedDocument.id).where(IssuedDocument.verification_code == code)
        )
        if taken is None:
            return code


def normalise_code(text: str | None) -> str | None:
    """Return the canonical form of a code a person typed (any case, spaces, dashes), or None."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:5]}-{cleaned[5:]}"


def verify_url(code: str) -> str:
    """Return the public verification address printed on a document."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/verify/{code}"
