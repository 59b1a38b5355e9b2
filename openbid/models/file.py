"""Stored files: bytes kept content-addressed (SHA-256) by openbid.storage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from openbid.models.base import Base, UTCDateTime, utcnow


class StoredFile(Base):
    """One distinct content: the same bytes uploaded twice are stored once."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredFile {self.sha256[:12]} {self.size}B>"
