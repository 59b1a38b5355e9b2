"""The appointment page's full rankings: filtered and paginated.

Each post's three best always show (the PPK picks there); the full rankings of every post,
one list in post and rank order, are cut into pages of 25 and filtered by post, by the
candidate's state and by name or NIP. The rows come from the frozen rankings the board has
already read, so filtering and paging send no query of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from openbid.models import ApplicationState
from openbid.stages.appointment.board import AppointmentBoard, RankedRow
from openbid.stages.common.listing import PAGE_SIZE, ListFilters, pages_for

#: The status filters: the candidate's state after the freeze.
STATUSES = (
    ApplicationState.SHORTLISTED.value,
    ApplicationState.NOT_SHORTLISTED.value,
    ApplicationState.APPOINTED.value,
    ApplicationState.NOT_APPOINTED.value,
)


@dataclass(frozen=True)
class RankingPage:
    """One page of the full rankings: its rows by post id, and what the page links need."""

    filters: ListFilters
    total: int
    pages: int
    page: int
    rows: dict[int, list[RankedRow]] = field(default_factory=dict)

    def shows_post(self, position_id: int) -> bool:
        """Return whether the post's part of the page is shown under the post filter."""
        return not self.filters.post or self.filters.post == position_id


def filters_from(args: Mapping[str, str]) -> ListFilters:
    """Read the list's filters from a query string."""
    return ListFilters.from_args(args, STATUSES)


def _matches(row: RankedRow, filters: ListFilters) -> bool:
    if filters.status and row.state != filters.status:
        return False
    if filters.q:
        name = str(row.entry.get("name") or "").lower()
        digits = "".join(c for c in filters.q if c.isdigit())
        nip = str(row.entry.get("nip") or "")
        return filters.q.lower() in name or bool(digits and digits in nip)
    return True


def ranking_page(board: AppointmentBoard, filters: ListFilters) -> RankingPage:
    """Return the page of the full rankings the filters keep, grouped by post."""
    kept = [
        (post.position.id, row)
        for post in board.posts
        if post.result is not None and (not filters.post or post.position.id == filters.post)
        for row in post.rows
        if _matches(row, filters)
    ]
    pages = pages_for(len(kept))
    page = min(filters.page, pages)
    rows: dict[int, list[RankedRow]] = defaultdict(list)
    for position_id, row in kept[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        rows[position_id].append(row)
    return RankingPage(filters, len(kept), pages, page, dict(rows))
