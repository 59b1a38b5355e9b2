"""The filters and pages of a stage's candidate list (assessment, interview, appointment).

Each list is cut into pages of ``PAGE_SIZE`` in a fixed number of queries, filtered by post,
by a status the stage names, and by name or NIP; the filters travel in the query string and
come back with a form's ``back`` field, so an action returns to the same page at its row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from openbid.models import Application, CandidateProfile, User

PAGE_SIZE = 25


@dataclass(frozen=True)
class ListFilters:
    """What the person asked the list to show."""

    post: int | None = None
    status: str | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str], statuses: Collection[str]) -> ListFilters:
        """Read the filters from a query string; anything unreadable is ignored."""
        post = args.get("post", "") or ""
        status = args.get("status", "") or ""
        page = args.get("page", "") or ""
        return cls(
            post=int(post) if post.isdigit() else None,
            status=status if status in statuses else None,
            q=(args.get("q") or "").strip()[:80],
            page=max(int(page), 1) if page.isdigit() else 1,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the query-string arguments of these filters (with changes), blanks left out."""
        values = replace(self, **changes) if changes else self
        pairs = {
            "post": values.post,
            "status": values.status,
            "q": values.q,
            "page": values.page if values.page > 1 else None,
        }
        return {k: v for k, v in pairs.items() if v}

    @property
    def active(self) -> bool:
        """Return whether anything but the page number narrows the list."""
        return bool(self.post or self.status or self.q)


def pages_for(total: int) -> int:
    """Return how many pages ``total`` rows fill (at least one)."""
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def page_of(stmt: sa.Select, filters: ListFilters, session) -> tuple[int, int, int]:
    """Return (total rows, pages, the page shown: the last when the asked one is past it)."""
    total = session.scalar(stmt.with_only_columns(sa.func.count()).order_by(None)) or 0
    pages = pages_for(total)
    return total, pages, min(filters.page, pages)


def search(stmt: sa.Select, q: str) -> sa.Select:
    """Narrow a query of applications to candidates whose name or NIP contains ``q``."""
    if not q:
        return stmt
    found = sa.func.lower(User.name).like(f"%{q.lower()}%")
    digits = "".join(c for c in q if c.isdigit())
    if digits:
        found = sa.or_(found, CandidateProfile.nip.like(f"%{digits}%"))
    return (
        stmt.join(User, User.id == Application.candidate_id)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == Application.candidate_id)
        .where(found)
    )
