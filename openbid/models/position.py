"""Position: a vacant JPT Pratama post filled by a selection."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from openbid.models.application import Application
    from openbid.models.selection import Selection


class Position(Base):
    """A post to fill (e.g. Kepala Dinas Pendidikan) with its own requirements."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(200))
    # Seniority of the post (see openbid.rules position levels); internal committee
    # members must hold at least this level.
    level: Mapped[int] = mapped_column(default=2)
    min_rank: Mapped[str] = mapped_column(sa.String(8), default="IV/b")
    requirements: Mapped[str] = mapped_column(sa.Text, default="")
    competencies: Mapped[str] = mapped_column(sa.Text, default="")
    # A post still short of applicants after the extensions is dropped, with its reason.
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drop_reason: Mapped[str] = mapped_column(sa.Text, default="")

    selection: Mapped[Selection] = relationship(back_populates="positions")
    applications: Mapped[list[Application]] = relationship(
        back_populates="position", order_by="Application.id"
    )

    @property
    def is_open(self) -> bool:
        """Return whether the post is still being filled (not dropped)."""
        return self.dropped_at is None

    def __repr__(self) -> str:
        return f"<Position {self.id} {self.name}>"
