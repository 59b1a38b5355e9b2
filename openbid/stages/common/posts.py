"""Applications per post, counted in one grouped query: what guards and pages weigh."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import Application, Position


def open_post_counts(session: Session, selection_id: int, state: str) -> list[tuple[str, int]]:
    """Return (post name, applications in state) for every post not dropped, in post order."""
    counted = sa.func.count(Application.id).filter(Application.state == state)
    rows = session.execute(
        sa.select(Position.name, counted)
        .outerjoin(Application, Application.position_id == Position.id)
        .where(Position.selection_id == selection_id, Position.dropped_at.is_(None))
        .group_by(Position.id, Position.name)
        .order_by(Position.id)
    ).all()
    return [(name, count) for name, count in rows]


def application_counts(session: Session, selection_id: int) -> dict[int, dict[str, int]]:
    """Return {position id: {application state: count}} for the selection, in one query.

    A post without applications is missing from the result.
    """
    rows = session.execute(
        sa.select(Application.position_id, Application.state, sa.func.count(Application.id))
        .join(Position)
        .where(Position.selection_id == selection_id)
        .group_by(Application.position_id, Application.state)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for position_id, state, count in rows:
        counts.setdefault(position_id, {})[state] = count
    return counts
