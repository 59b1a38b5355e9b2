"""Look-ups in the register of issued documents, and their stored bytes."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import storage
from openbid.models import IssuedDocument, User
from openbid.stages.documents.codes import normalise_code


def find_by_code(session: Session, code: str) -> IssuedDocument | None:
    """Return the document registered under a verification code (any typing), or None."""
    canonical = normalise_code(code)
    if canonical is None:
        return None
    return session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.verification_code == canonical)
    )


def find_by_sha256(session: Session, digest: str) -> IssuedDocument | None:
    """Return the document whose registered bytes hash to ``digest``, or None."""
    return session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.sha256 == digest.lower())
        .order_by(IssuedDocument.id)
    )


def latest(session: Session, selection_id: int, kind: str) -> IssuedDocument | None:
    """Return the most recent document of a kind issued for a selection, or None."""
    return session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == selection_id, IssuedDocument.kind == kind)
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )


def selection_documents(session: Session, selection_id: int) -> list[tuple[IssuedDocument, str]]:
    """Return a selection's documents in issue order, each with its issuer's name."""
    rows = session.execute(
        sa.select(IssuedDocument, User.name)
        .outerjoin(User, User.id == IssuedDocument.issued_by_id)
        .where(IssuedDocument.selection_id == selection_id)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)
    ).all()
    return [(document, name or "system") for document, name in rows]


def document_bytes(document: IssuedDocument) -> bytes:
    """Return the registered bytes of a document.

    :raises OSError: when the stored file is missing or no longer matches its hash.
    """
    return storage.storage().get(document.sha256)


def download_name(document: IssuedDocument) -> str:
    """Return a file name for a download, e.g. ``decree_821.2-Kep.15-BKPSDM-2019.pdf``."""
    number = re.sub(r"[^A-Za-z0-9.\-]+", "-", document.number).strip("-")
    return f"{document.kind}_{number}.pdf"
