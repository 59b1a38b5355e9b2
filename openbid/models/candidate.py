"""A candidate's profile and the documents attached to an application."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.file import StoredFile
from openbid.models.user import User


class CandidateProfile(Base):
    """What a civil servant tells about themself; it feeds the eligibility rules.

    Submitting an application copies the profile into the application (``profile_snapshot``)
    so later edits do not change what the committee screened.
    """

    __tablename__ = "candidate_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    nip: Mapped[str] = mapped_column(sa.String(18), unique=True)
    birth_date: Mapped[date] = mapped_column(sa.Date)  # derived from the NIP
    gender: Mapped[str] = mapped_column(sa.String(1))  # "M"/"F", derived from the NIP
    birth_place: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    rank: Mapped[str] = mapped_column(sa.String(8))  # golongan, e.g. "IV/b"
    education: Mapped[str] = mapped_column(sa.String(4))  # S1, D4, S2, S3...
    education_major: Mapped[str] = mapped_column(sa.String(200), default="")
    is_pns: Mapped[bool] = mapped_column(default=True)
    agency_name: Mapped[str] = mapped_column(sa.String(200), default="")
    current_position: Mapped[str] = mapped_column(sa.String(200), default="")
    current_position_since: Mapped[date | None] = mapped_column(sa.Date)
    related_experience_years: Mapped[float] = mapped_column(default=0.0)
    admin_years: Mapped[float] = mapped_column(default=0.0)  # as Administrator / Ahli Madya
    # Newest first, e.g. [{"year": 2017, "rating": "sangat_baik"}, {"year": 2016, ...}]
    performance_ratings: Mapped[list] = mapped_column(sa.JSON, default=list)
    position_history: Mapped[list] = mapped_column(sa.JSON, default=list)
    sanction_level: Mapped[str] = mapped_column(sa.String(10), default="none")
    sanction_date: Mapped[date | None] = mapped_column(sa.Date)
    under_disciplinary_examination: Mapped[bool] = mapped_column(default=False)
    lhkpn_lodged: Mapped[bool] = mapped_column(default=False)
    own_ppk_approval: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class ApplicationDocument(Base):
    """A document uploaded for an application; a re-upload supersedes, never deletes."""

    __tablename__ = "application_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    doc_type: Mapped[str] = mapped_column(sa.String(40))  # a REQUIRED_DOCUMENTS code
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    file: Mapped[StoredFile] = relationship()
