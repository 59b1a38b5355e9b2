"""Approvals on file: oversight letters, extension approvals, overrides, waivers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.file import StoredFile


class Approval(Base):
    """A letter by an authority that allows a step: who, number, date, and the PDF.

    ``purpose`` says what it allows: ``gate:<code>`` for an approval gate of the definition
    (``gate:kasn_recommendation``, ``gate:bkn_pertek``, ``gate:governor_letter``...),
    ``extension`` for a registration extension, ``shortlist_override:<position id>`` for
    proceeding with fewer than three qualified, ``result_recommendation`` for the oversight
    body's word on the results, ``waiver:<application id>`` for a presidential waiver.
    """

    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(60), index=True)
    authority: Mapped[str] = mapped_column(sa.String(120))  # KASN, BKN, Gubernur, ...
    letter_number: Mapped[str] = mapped_column(sa.String(120))
    letter_date: Mapped[date] = mapped_column(sa.Date)
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    # "paper": a scanned letter uploaded by the agency; "openbid": given by the oversight
    # body in openbid, its letter the issued document below.
    source: Mapped[str] = mapped_column(sa.String(10), default="paper", server_default="paper")
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_document.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file: Mapped[StoredFile | None] = relationship()

    def __repr__(self) -> str:
        return f"<Approval {self.purpose} {self.letter_number}>"


class RegistrationExtension(Base):
    """One extension of the registration window, with the posts that were short."""

    __tablename__ = "registration_extension"
    __table_args__ = (sa.UniqueConstraint("selection_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]  # 1 for the first extension, 2 for the second
    previous_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.Text)
    position_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    approval_id: Mapped[int | None] = mapped_column(sa.ForeignKey("approval.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    approval: Mapped[Approval | None] = relationship()
