"""The register's integrity: stored files against their hashes, documents against the chain.

Every issued document records the audit chain head it was issued at; those heads witness
the chain (``chain_witnesses``), and a chain that no longer has them was shortened or
rewritten (``chain_state_problem``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit, clock, storage
from openbid.documents import render
from openbid.models import AuditEvent, IssuedDocument, StoredFile
from openbid.rules.reasons import N_, Reason


def chain_witnesses(session: Session) -> list[audit.Witness]:
    """Return the chain head every issued document recorded, as witnesses of its chain.

    The registered head is what the document's PDF prints and carries (signed) in its
    metadata; a stored PDF whose metadata says otherwise is named by ``registry_problems``.
    """
    rows = session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id.is_not(None), IssuedDocument.chain_seq.is_not(None))
        .order_by(IssuedDocument.id)
    )
    return [
        audit.Witness(
            audit.chain_for(document.selection_id),
            document.chain_seq,
            document.chain_hash,
            f"document {document.number} ({document.verification_code}, issued "
            f"{clock.to_jakarta(document.issued_at):%Y-%m-%d %H:%M} WIB)",
        )
        for document in rows
    ]


@dataclass(frozen=True)
class StoredFileProblem:
    """A stored file that is missing or no longer matches its registry hash."""

    file_id: int
    sha256: str
    what: str  # what refers to it, e.g. "document 800/01-Pansel/2018"
    message: str


def _file_users(session: Session) -> dict[int, str]:
    """Return, per stored file id, the registered document that refers to it."""
    rows = session.execute(sa.select(IssuedDocument.file_id, IssuedDocument.number))
    return {file_id: f"document {number}" for file_id, number in rows}


def registry_problems(session: Session) -> list[StoredFileProblem]:
    """Check every stored file against its registry hash, and each PDF's printed chain head.

    A file is named when it is missing, when its bytes no longer hash to the registry's
    SHA-256 (altered, or swapped with another), or when an issued document's PDF carries
    a chain head other than the one registered for it.
    """
    backend = storage.storage()
    users = _file_users(session)
    documents_by_file = {
        document.file_id: document
        for document in session.scalars(
            sa.select(IssuedDocument).where(IssuedDocument.chain_seq.is_not(None))
        )
    }
    problems: list[StoredFileProblem] = []
    for row in session.scalars(sa.select(StoredFile).order_by(StoredFile.id)):
        what = users.get(row.id, row.content_type)
        try:
            data = backend.get(row.sha256)
        except FileNotFoundError:
            problems.append(StoredFileProblem(row.id, row.sha256, what, "the file is missing"))
            continue
        except OSError:
            problems.append(
                StoredFileProblem(
                    row.id,
                    row.sha256,
                    what,
                    "its content no longer matches the registry hash (altered or swapped)",
                )
            )
            continue
        document = documents_by_file.get(row.id)
        if document is None:
            continue
        printed = render.chain_state_in_pdf(data)
        if printed is not None and printed != (document.chain_seq, document.chain_hash):
            problems.append(
                StoredFileProblem(
                    row.id,
                    row.sha256,
                    what,
                    f"the PDF records audit chain event #{printed[0]} ({printed[1][:16]}…) "
                    f"but the registry says #{document.chain_seq} "
                    f"({(document.chain_hash or '')[:16]}…)",
                )
            )
    return problems


def chain_state_problem(
    session: Session, document: IssuedDocument, state: tuple[int, str] | None = None
) -> Reason | None:
    """Return how today's chain contradicts the head a document recorded, or None.

    ``state`` is the (seq, hash) read from a file's metadata; the registry's otherwise.
    """
    if state is None:
        if document.chain_seq is None or document.chain_hash is None:
            return None
        state = (document.chain_seq, document.chain_hash)
    seq, digest = state
    if seq == 0 or document.selection_id is None:
        return None
    event = session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.chain == audit.chain_for(document.selection_id), AuditEvent.seq == seq
        )
    )
    if event is None:
        return Reason(
            "documents.chain_shorter",
            N_("The audit chain no longer has event #%(seq)s that this document recorded."),
            {"seq": seq},
        )
    if event.hash != digest:
        return Reason(
            "documents.chain_rewritten",
            N_(
                "The audit chain today has a different event #%(seq)s than when this "
                "document was issued: the audit trail was rewritten."
            ),
            {"seq": seq},
        )
    return None
