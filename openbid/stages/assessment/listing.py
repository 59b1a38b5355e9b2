"""The assessment page's list: filtered and paginated, in a fixed number of queries.

At 1,000 candidates the page shows one page of 25 with their results; the tallies per post
(results complete, missing, eliminated) come from one grouped query. "Complete" is decided
in SQL with the same fields ``missing_components`` asks for, so filtering by it pages in the
database too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from openbid.extensions import db
from openbid.models import Application, ApplicationState, AssessmentResult, Position, Selection
from openbid.stages.assessment.candidates import (
    AssessedCandidate,
    application_nips,
    required_components,
)
from openbid.stages.common.listing import PAGE_SIZE, ListFilters, page_of, search
from openbid.workflow import definition_of

#: The status filters, in the order the page offers them.
STATUSES = ("missing", "complete", "eliminated")
_TEXT_FIELDS = frozenset({"assessment_category", "assessment_centre"})


@dataclass
class AssessmentListing:
    """One page of the assessment list and what the page links need."""

    filters: ListFilters
    items: list[AssessedCandidate]
    total: int
    pages: int
    page: int
    counts: dict[int, dict[str, int]] = field(default_factory=dict)  # by post


def filters_from(args: Mapping[str, str]) -> ListFilters:
    """Read the list's filters from a query string."""
    return ListFilters.from_args(args, STATUSES)


def _complete(params: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    """SQL: the candidate's result has every field ``missing_components`` asks for."""
    conditions = [AssessmentResult.id.is_not(None)]
    for name in required_components(params):
        column = getattr(AssessmentResult, name)
        conditions.append(column.is_not(None))
        if name in _TEXT_FIELDS:
            conditions.append(column != "")
    return sa.and_(*conditions)


def _status(complete: sa.ColumnElement[bool]) -> sa.Case:
    return sa.case(
        (Application.state == ApplicationState.ELIMINATED, "eliminated"),
        (complete, "complete"),
        else_="missing",
    )


def _listed(selection: Selection, filters: ListFilters, complete) -> sa.Select:
    """Return the query of the listed (application, result) pairs, in list order."""
    stmt = (
        sa.select(Application, AssessmentResult)
        .join(Position, Application.position_id == Position.id)
        .outerjoin(AssessmentResult, AssessmentResult.application_id == Application.id)
        .where(
            Position.selection_id == selection.id,
            Application.state.in_((ApplicationState.ELIGIBLE, ApplicationState.ELIMINATED)),
        )
    )
    if filters.post:
        stmt = stmt.where(Application.position_id == filters.post)
    if filters.status:
        stmt = stmt.where(_status(complete) == filters.status)
    stmt = search(stmt, filters.q)
    return stmt.order_by(Position.id, Application.submitted_at, Application.id)


def post_counts(selection: Selection, complete) -> dict[int, dict[str, int]]:
    """Return each post's tally (missing, complete, eliminated) in one grouped query."""
    status = _status(complete)
    rows = db.session.execute(
        _listed(selection, ListFilters(), complete)
        .with_only_columns(Application.position_id, status, sa.func.count(Application.id))
        .group_by(Application.position_id, status)
        .order_by(None)
    )
    tally: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for position_id, name, number in rows:
        tally[position_id][name] += number
    return dict(tally)


def listing(selection: Selection, filters: ListFilters) -> AssessmentListing:
    """Return one page of the assessment list with its results, and the post tallies."""
    complete = _complete(definition_of(selection).params(selection.parameters))
    counts = post_counts(selection, complete)
    stmt = _listed(selection, filters, complete)
    total, pages, page = page_of(stmt.with_only_columns(Application.id), filters, db.session)
    rows = db.session.execute(
        stmt.options(joinedload(Application.candidate), joinedload(Application.position))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    nips = application_nips([application for application, _result in rows])
    items = [
        AssessedCandidate(application=application, nip=nips[application.id], result=result)
        for application, result in rows
    ]
    return AssessmentListing(filters, items, total, pages, page, counts)
