"""Background jobs: a workflow event enqueued from a page or the API, and what became of it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from openbid.models.base import Base, UTCDateTime, utcnow


class JobStatus:
    """Where a job is: waiting, running, finished, or failed with a reason (retryable)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """One unit of queued work that someone waits for (a page polls it, the API returns it).

    ``func`` is the dotted path of the function the worker runs with ``args``; ``result`` and
    ``error`` (a serialized reason, shown in the reader's language) are what it ended with.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    func: Mapped[str] = mapped_column(sa.String(200))
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(12), default=JobStatus.QUEUED, index=True)
    selection_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[dict | None] = mapped_column(sa.JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        """True once the job is done or has failed (until it is retried)."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.func} {self.status}>"
