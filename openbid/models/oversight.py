"""Oversight bodies (KASN, BKN) that review selections of the agencies they supervise."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.agency import Agency
from openbid.models.base import Base, UTCDateTime, utcnow

# Waiting longer than this many working days is flagged in the oversight body's queue.
DEFAULT_SERVICE_LEVEL_DAYS = 10


class OversightBody(Base):
    """A body that approves plans and results (KASN until 30 Oct 2023, BKN after).

    It supervises every regional government of the provinces it lists, plus the agencies
    listed by id; its letters are numbered in its own series and signed with its own key.
    """

    __tablename__ = "oversight_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)  # the definitions' name
    name: Mapped[str] = mapped_column(sa.String(200))  # "Komisi Aparatur Sipil Negara"
    seat: Mapped[str] = mapped_column(sa.String(120), default="Jakarta")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    head_title: Mapped[str] = mapped_column(sa.String(200), default="")  # who signs
    head_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # e.g. "B-{seq}/KASN/{month:02d}/{year}"; placeholders as in agencies' patterns.
    numbering_pattern: Mapped[str] = mapped_column(sa.String(120))
    provinces: Mapped[list] = mapped_column(sa.JSON, default=list)
    agency_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    service_level_days: Mapped[int] = mapped_column(default=DEFAULT_SERVICE_LEVEL_DAYS)

    def supervises(self, agency: Agency) -> bool:
        """Return whether agency is within this body's scope."""
        return agency.province in (self.provinces or []) or agency.id in (self.agency_ids or [])

    def __repr__(self) -> str:
        return f"<OversightBody {self.code}>"


class OversightCounter(Base):
    """The last letter number of an oversight body's series per year; locked to allocate."""

    __tablename__ = "oversight_counter"

    body_id: Mapped[int] = mapped_column(sa.ForeignKey("oversight_body.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class OversightReview(Base):
    """One decision of an oversight body on a gate: given (with its letter) or returned.

    ``notes`` holds the reviewer's note per item of the plan (posts, committee, schedule,
    methods, weights, other) for a returned plan, so the secretariat sees what to fix.
    """

    __tablename__ = "oversight_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("oversight_body.id"))
    gate: Mapped[str] = mapped_column(sa.String(60))  # "plan" or "results"
    outcome: Mapped[str] = mapped_column(sa.String(12))  # "approved" or "returned"
    notes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    waited_days: Mapped[int] = mapped_column(default=0)  # working days since it was sent
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    body: Mapped[OversightBody] = relationship()
