"""Issued documents: the registry of every generated PDF and the gapless number counters."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.file import StoredFile


class DocumentCounter(Base):
    """The last number issued per agency, numbering series and year; locked to allocate."""

    __tablename__ = "document_counter"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    series: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class DocumentStatus:
    """A transition's document is numbered ``pending`` in its transaction, ``issued`` once
    rendered, signed and stored by a job (see openbid.stages.documents.pending)."""

    PENDING = "pending"
    ISSUED = "issued"


class IssuedDocument(Base):
    """A generated, numbered PDF: what, which number, by whom, when, its hash and code.

    A ``pending`` row has its number, code and chain head, and the frozen ``context`` it is
    rendered from, but no file yet; ``issued`` rows have their file and ``document_issued``
    audit event.
    """

    __tablename__ = "issued_document"
    __table_args__ = (sa.UniqueConstraint("agency_id", "series", "year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    selection_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(40))  # decree, announcement, ...
    series: Mapped[str] = mapped_column(sa.String(40))  # the numbering series it draws from
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(300))
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    signed: Mapped[bool] = mapped_column(default=False)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the document is about, e.g. {"position_id": 3} or {"extension": 1}.
    subject: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The selection chain's head just before this document's own ``document_issued`` event:
    # printed on the PDF and inside its signature, a witness of the chain outside the database.
    chain_seq: Mapped[int | None]
    chain_hash: Mapped[str | None] = mapped_column(sa.String(64))

    status: Mapped[str] = mapped_column(
        sa.String(12), default=DocumentStatus.ISSUED, server_default=DocumentStatus.ISSUED
    )
    # The render context of a pending document, frozen at numbering (tagged JSON, see
    # openbid.stages.documents.pending); emptied once the document is issued.
    context: Mapped[dict | None] = mapped_column(sa.JSON)
    last_error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    file: Mapped[StoredFile | None] = relationship()

    @property
    def pending(self) -> bool:
        """True while the document is numbered but not yet rendered and stored."""
        return self.status == DocumentStatus.PENDING

    def __repr__(self) -> str:
        return f"<IssuedDocument {self.kind} {self.number}>"
