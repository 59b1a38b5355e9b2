"""Requests counted per client address, to rate-limit costly public endpoints."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from openbid.models.base import Base, UTCDateTime, utcnow


class RateLimitHit(Base):
    """One counted request of a bucket (e.g. ``verify.file``) from one address.

    Rows, not process memory, so a limit holds across gunicorn workers and hosts.
    """

    __tablename__ = "rate_limit_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(40))
    remote_addr: Mapped[str] = mapped_column(sa.String(64))
    hit_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.Index("ix_rate_limit_hit_bucket_addr", "bucket", "remote_addr", "hit_at"),)
