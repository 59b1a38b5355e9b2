"""The screening page's list: filtered and paginated, in a fixed number of queries.

At 1,000 applications the page shows one page of 25 (``PAGE_SIZE``) with the rules evaluated
for those rows only; the counts per post come from one grouped query. Filters: the post, the
status (awaiting a verdict, passed, failed, withdrawn or closed), a rule the application
fails, and a search by name or NIP. Filtering by a failed rule needs each candidate's rules:
the applications matching the other filters are evaluated (in the same fixed number of
queries) and the page is cut from those that fail it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationState,
    CandidateProfile,
    Position,
    Selection,
    User,
)
from openbid.stages.screening.evaluation import ENDED_STATES, LIVE_STATES, Screened, screen

PAGE_SIZE = 25

#: Each status filter and the application states it lists (as ``counts`` tallies them).
STATUSES: dict[str, tuple[str, ...]] = {
    "pending": (ApplicationState.SUBMITTED,),
    "eligible": tuple(
        s for s in LIVE_STATES if s not in (ApplicationState.SUBMITTED, ApplicationState.INELIGIBLE)
    ),
    "ineligible": (ApplicationState.INELIGIBLE,),
    "other": ENDED_STATES,
}


@dataclass(frozen=True)
class Filters:
    """What the committee asked the list to show."""

    post: int | None = None
    status: str | None = None
    rule: str | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the filters from a query string; anything unreadable is ignored."""
        post = args.get("post", "")
        status = args.get("status", "")
        page = args.get("page", "")
        return cls(
            post=int(post) if post.isdigit() else None,
            status=status if status in STATUSES else None,
            rule=(args.get("rule") or "").strip()[:80] or None,
            q=(args.get("q") or "").strip()[:80],
            page=max(int(page), 1) if page.isdigit() else 1,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the query-string arguments of these filters (with changes), blanks left out."""
        values = replace(self, **changes) if changes else self
        pairs = {
            "post": values.post,
            "status": values.status,
            "rule": values.rule,
            "q": values.q,
            "page": values.page if values.page > 1 else None,
        }
        return {k: v for k, v in pairs.items() if v}

    @property
    def active(self) -> bool:
        """Return whether anything but the page number narrows the list."""
        return bool(self.post or self.status or self.rule or self.q)


@dataclass
class Listing:
    """One page of the screening list and what the page links need."""

    filters: Filters
    items: list[Screened]
    total: int
    pages: int
    counts: dict[int, dict[str, int]] = field(default_factory=dict)  # by post

    @property
    def page(self) -> int:
        """Return the page shown (the last one when the asked page is past the end)."""
        return min(self.filters.page, max(self.pages, 1))


def _listed(selection: Selection, filters: Filters) -> sa.Select:
    """Return the query of the applications the list shows, filters applied, in list order."""
    stmt = (
        sa.select(Application)
        .join(Position, Application.position_id == Position.id)
        .where(
            Position.selection_id == selection.id,
            sa.or_(
                Application.state.in_(LIVE_STATES),
                sa.and_(Application.state.in_(ENDED_STATES), Application.submitted_at.is_not(None)),
            ),
        )
    )
    if filters.post:
        stmt = stmt.where(Application.position_id == filters.post)
    if filters.status:
        stmt = stmt.where(Application.state.in_(STATUSES[filters.status]))
    if filters.q:
        needle = f"%{filters.q.lower()}%"
        digits = "".join(c for c in filters.q if c.isdigit())
        found = sa.func.lower(User.name).like(needle)
        if digits:
            found = sa.or_(found, CandidateProfile.nip.like(f"%{digits}%"))
        stmt = (
            stmt.join(User, User.id == Application.candidate_id)
            .outerjoin(CandidateProfile, CandidateProfile.user_id == Application.candidate_id)
            .where(found)
        )
    return stmt.order_by(Position.id, Application.submitted_at, Application.id)


def _with_rows(stmt: sa.Select) -> sa.Select:
    return stmt.options(joinedload(Application.candidate), joinedload(Application.position))


def post_counts(selection: Selection) -> dict[int, dict[str, int]]:
    """Return each post's tally (pending, eligible, ineligible, other) in one grouped query."""
    rows = db.session.execute(
        _listed(selection, Filters())
        .with_only_columns(Application.position_id, Application.state, sa.func.count())
        .group_by(Application.position_id, Application.state)
        .order_by(None)
    )
    tally: dict[int, dict[str, int]] = defaultdict(
        lambda: {"pending": 0, "eligible": 0, "ineligible": 0, "other": 0}
    )
    for position_id, state, number in rows:
        status = next((k for k, states in STATUSES.items() if state in states), "other")
        tally[position_id][status] += number
    return dict(tally)


def _pages(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def listing(selection: Selection, filters: Filters) -> Listing:
    """Return one page of the screening list with its rules evaluated, and the post counts."""
    counts = post_counts(selection)
    stmt = _listed(selection, filters)
    if filters.rule:
        failing = [
            item
            for item in screen(selection, list(db.session.scalars(_with_rows(stmt))))
            if any(r.rule == filters.rule for r in item.failures)
        ]
        pages = _pages(len(failing))
        page = min(filters.page, pages)
        items = failing[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return Listing(filters, items, len(failing), pages, counts)
    total = (
        db.session.scalar(stmt.with_only_columns(sa.func.count(Application.id)).order_by(None)) or 0
    )
    pages = _pages(total)
    page = min(filters.page, pages)
    rows = db.session.scalars(
        _with_rows(stmt).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).unique()
    return Listing(filters, screen(selection, list(rows)), total, pages, counts)
