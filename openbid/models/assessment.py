"""Screening verdicts, assessment results, interview scores and conflict declarations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.committee import CommitteeMember

SCORE = sa.Numeric(5, 2)


class ScreeningVerdict(Base):
    """The administrative-screening verdict on one application: rules, then the committee."""

    __tablename__ = "screening_verdict"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    # Each rule's outcome as the rules computed it: [{rule, passed, reason, legal_basis}].
    rule_results: Mapped[list] = mapped_column(sa.JSON, default=list)
    rules_passed: Mapped[bool]
    passed: Mapped[bool]  # the committee's verdict
    overridden: Mapped[bool] = mapped_column(default=False)  # differs from the rules
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssessmentResult(Base):
    """Competency-stage results of one application, by form or assessment-centre import."""

    __tablename__ = "assessment_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    assessment_score: Mapped[Decimal | None] = mapped_column(SCORE)
    assessment_category: Mapped[str | None] = mapped_column(sa.String(40))
    assessed_on: Mapped[date | None] = mapped_column(sa.Date)  # results stay valid 2 years
    assessment_centre: Mapped[str] = mapped_column(sa.String(200), default="")
    paper_score: Mapped[Decimal | None] = mapped_column(SCORE)
    track_record_score: Mapped[Decimal | None] = mapped_column(SCORE)
    health_fit: Mapped[bool | None]
    psych_fit: Mapped[bool | None]
    source: Mapped[str] = mapped_column(sa.String(200), default="form")
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConflictDeclaration(Base):
    """A committee member's declared conflict of interest with a candidate: recusal."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (sa.UniqueConstraint("member_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()


class InterviewScore(Base):
    """One member's independent interview score for one candidate; final once submitted."""

    __tablename__ = "interview_score"
    __table_args__ = (sa.UniqueConstraint("member_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[Decimal] = mapped_column(SCORE)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()


class ShortlistResult(Base):
    """The frozen ranking and three best of one post; a revision supersedes, never edits."""

    __tablename__ = "shortlist_result"
    __table_args__ = (sa.UniqueConstraint("position_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    position_id: Mapped[int] = mapped_column(
        sa.ForeignKey("position.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(default=1)
    # [{application_id, rank, combined, components, qualified, reasons}] in rank order.
    ranking: Mapped[list] = mapped_column(sa.JSON, default=list)
    shortlist: Mapped[list] = mapped_column(sa.JSON, default=list)  # application ids, rank order
    weights: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why a revision was made
    frozen_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
