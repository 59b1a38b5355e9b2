"""Hash-chained audit events, one chain per selection."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from openbid.models.base import Base, CanonicalJSON, UTCDateTime


class AuditEvent(Base):
    """One recorded fact: who did what, when, before/after, chained by hash to the previous."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.UniqueConstraint("chain", "seq"),
        # When a selection's event of a kind last happened (the oversight gates' waits), read
        # from the index instead of every event of the selection.
        sa.Index("ix_audit_event_selection_event", "selection_id", "event", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "selection:<id>" for a selection's chain, "system" for everything else.
    chain: Mapped[str] = mapped_column(sa.String(40), index=True)
    seq: Mapped[int]
    selection_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="RESTRICT"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The actor is kept by id and by a snapshot label: renaming a user must not break a hash.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    actor: Mapped[str] = mapped_column(sa.String(300))
    actor_role: Mapped[str] = mapped_column(sa.String(20), default="")
    event: Mapped[str] = mapped_column(sa.String(80))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str | None] = mapped_column(sa.String(40))
    # Canonical text, so verification hashes the stored bytes (audit.rows).
    payload: Mapped[dict] = mapped_column(CanonicalJSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.chain}#{self.seq} {self.event}>"


class AuditChainHead(Base):
    """The last sequence number and hash of a chain: the row appends lock, and the tail check."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))
