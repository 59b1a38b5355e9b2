"""Count the SQL statements a block of code sends (for tests that bound a request's queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from openbid.extensions import db


@contextmanager
def statements() -> Iterator[list[str]]:
    """Yield a list that collects every SQL statement sent on the app's engine in the block."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def count_of(sent: list[str], prefix: str) -> int:
    """Return how many statements start with prefix (e.g. ``"SELECT approval."``)."""
    return sum(1 for statement in sent if statement.startswith(prefix))
