"""Selection: one open bidding (seleksi terbuka), possibly for several posts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.agency import Agency
from openbid.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from openbid.models.committee import CommitteeMember
    from openbid.models.position import Position


class Selection(Base):
    """An open selection run under one pinned workflow definition and version."""

    __tablename__ = "selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    year: Mapped[int]
    start_date: Mapped[date] = mapped_column(sa.Date)
    # The definition it started under; kept to the end even when a newer one is installed.
    workflow_key: Mapped[str] = mapped_column(sa.String(80))
    workflow_version: Mapped[int]
    # Written only by openbid.workflow.engine.fire(), never by a view.
    state: Mapped[str] = mapped_column(sa.String(40), index=True)
    # Optimistic lock: every UPDATE checks and bumps it, so a lost race fails loudly.
    version: Mapped[int] = mapped_column(default=1)
    # Overrides of the definition's parameters for this selection (weights, durations...).
    parameters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # [{"stage": "...", "starts_on": "YYYY-MM-DD", "ends_on": "YYYY-MM-DD"}], set in draft.
    schedule: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Set when the announcement is published, moved by extensions; Asia/Jakarta decides.
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    agency: Mapped[Agency] = relationship()
    positions: Mapped[list[Position]] = relationship(
        back_populates="selection", cascade="all, delete-orphan", order_by="Position.id"
    )
    committee: Mapped[list[CommitteeMember]] = relationship(
        back_populates="selection", cascade="all, delete-orphan", order_by="CommitteeMember.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Selection {self.id} {self.state}>"
