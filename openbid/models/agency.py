"""Agency: the government body that runs selections (e.g. Pemerintah Kota Tangerang)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base


class Agency(Base):
    """A regional government and its civil-service office, with its letterhead and numbering."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # "Pemerintah Kota Tangerang"
    region_name: Mapped[str] = mapped_column(sa.String(120))  # "Kota Tangerang"
    province: Mapped[str] = mapped_column(sa.String(120))  # "Banten"
    seat: Mapped[str] = mapped_column(sa.String(120))  # place of signing: "Tangerang"
    head_title: Mapped[str] = mapped_column(sa.String(120))  # "Wali Kota Tangerang"
    head_name: Mapped[str] = mapped_column(sa.String(200))
    office_name: Mapped[str] = mapped_column(sa.String(200))  # BKPSDM's full name
    office_head_name: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(60), default="")
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    website: Mapped[str] = mapped_column(sa.String(200), default="")
    # Per document kind, the numbering pattern, e.g. {"decree": "821.2/KPTS.{seq}/BKPSDM/{year}"}.
    numbering_patterns: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The agency's own legal basis, cited in the documents' "Mengingat"/"Dasar" around the
    # workflow definition's national regulations: first the law(s) that formed the region
    # (Kota Tangerang: UU 2/1993), last its own regulations (a Perda on its offices).
    formation_laws: Mapped[list] = mapped_column(sa.JSON, default=list)
    local_legal_basis: Mapped[list] = mapped_column(sa.JSON, default=list)

    holidays: Mapped[list[AgencyHoliday]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="AgencyHoliday.day"
    )

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class AgencyHoliday(Base):
    """A collective-leave day (cuti bersama) or local holiday the agency does not work."""

    __tablename__ = "agency_holiday"
    __table_args__ = (sa.UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    name: Mapped[str] = mapped_column(sa.String(200))

    agency: Mapped[Agency] = relationship(back_populates="holidays")
