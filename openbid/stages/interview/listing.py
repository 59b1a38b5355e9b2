"""The interview page's list: filtered and paginated, in a fixed number of queries.

The rows of one page (25) carry their scores and recusals; the progress per member is
counted in the database over every candidate, so it does not grow with the list. Filters:
the post, a status (awaiting the viewer's own score, not every member has scored yet, every
member has scored) and a name or NIP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from openbid.models import (
    Application,
    ConflictDeclaration,
    InterviewScore,
    Position,
    Selection,
)
from openbid.stages.common.listing import PAGE_SIZE, ListFilters, page_of, search

#: The status filters, in the order the page offers them ("to_score" only to a member).
STATUSES = ("to_score", "incomplete", "complete")


@dataclass(frozen=True)
class CandidatePage:
    """One page of the interview's candidates, and what the page links need."""

    filters: ListFilters
    applications: Sequence[Application]
    total: int
    pages: int
    page: int


def filters_from(args: Mapping[str, str]) -> ListFilters:
    """Read the list's filters from a query string."""
    return ListFilters.from_args(args, STATUSES)


def _candidates(selection: Selection, states: tuple[str, ...]) -> sa.Select:
    """Return the query of the interview's candidates (open posts, given states)."""
    return (
        sa.select(Application)
        .join(Position, Application.position_id == Position.id)
        .where(
            Position.selection_id == selection.id,
            Position.dropped_at.is_(None),
            Application.state.in_(states),
        )
    )


def _recused(member_id) -> sa.Exists:
    return sa.exists().where(
        ConflictDeclaration.application_id == Application.id,
        ConflictDeclaration.member_id == member_id,
    )


def _score_recused() -> sa.Exists:
    """SQL: the score's member is recused from the score's candidate (so it does not count).

    Tied to the score's own columns, not to the outer query's application: nested inside a
    scalar subquery, the latter would not be correlated and would match any application.
    """
    return sa.exists().where(
        ConflictDeclaration.application_id == InterviewScore.application_id,
        ConflictDeclaration.member_id == InterviewScore.member_id,
    )


def _all_scored(members: int) -> sa.ColumnElement[bool]:
    """SQL: every member not recused from the candidate has scored them."""
    counted = (
        sa.select(sa.func.count(InterviewScore.id))
        .where(InterviewScore.application_id == Application.id, ~_score_recused())
        .scalar_subquery()
    )
    recused = (
        sa.select(sa.func.count(ConflictDeclaration.id))
        .where(ConflictDeclaration.application_id == Application.id)
        .scalar_subquery()
    )
    return counted >= members - recused


def _status(stmt: sa.Select, status: str | None, seat_id: int | None, members: int):
    if status == "to_score" and seat_id is not None:
        mine = sa.exists().where(
            InterviewScore.application_id == Application.id, InterviewScore.member_id == seat_id
        )
        return stmt.where(~mine, ~_recused(seat_id))
    if status == "incomplete":
        return stmt.where(~_all_scored(members))
    if status == "complete":
        return stmt.where(_all_scored(members))
    return stmt


def candidate_page(
    session: Session,
    selection: Selection,
    states: tuple[str, ...],
    filters: ListFilters,
    *,
    seat_id: int | None,
    members: int,
) -> CandidatePage:
    """Return one page of the candidates the filters keep, by post then id."""
    stmt = _candidates(selection, states)
    if filters.post:
        stmt = stmt.where(Application.position_id == filters.post)
    stmt = search(_status(stmt, filters.status, seat_id, members), filters.q)
    total, pages, page = page_of(stmt.with_only_columns(Application.id), filters, session)
    applications = session.scalars(
        stmt.options(joinedload(Application.candidate), joinedload(Application.position))
        .order_by(Position.id, Application.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return CandidatePage(filters, applications, total, pages, page)


def member_counts(
    session: Session,
    selection: Selection,
    states: tuple[str, ...],
) -> tuple[int, dict[int, int], dict[int, int]]:
    """Return (candidates, scored by member, recused by member), counted in the database.

    A score counts only while its member is not recused from that candidate.
    """
    candidates = _candidates(selection, states).with_only_columns(Application.id)
    total = session.scalar(sa.select(sa.func.count()).select_from(candidates.subquery())) or 0
    ids = candidates
    scored = dict(
        session.execute(
            sa.select(InterviewScore.member_id, sa.func.count(InterviewScore.id))
            .join(Application, Application.id == InterviewScore.application_id)
            .where(Application.id.in_(ids), ~_score_recused())
            .group_by(InterviewScore.member_id)
        ).all()
    )
    recused = dict(
        session.execute(
            sa.select(ConflictDeclaration.member_id, sa.func.count(ConflictDeclaration.id))
            .where(ConflictDeclaration.application_id.in_(ids))
            .group_by(ConflictDeclaration.member_id)
        ).all()
    )
    return total, scored, recused
