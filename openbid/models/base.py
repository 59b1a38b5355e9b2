"""Declarative base, naming convention and shared column types."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from openbid import clock

# Stable constraint names, so Alembic revisions name the same constraint on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every openbid model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime, stored naive-UTC so SQLite and PostgreSQL agree."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("openbid stores only timezone-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Attach UTC to the stored naive value."""
        return None if value is None else value.replace(tzinfo=UTC)


class CanonicalJSON(sa.types.TypeDecorator):
    """JSON stored as its canonical text (sorted keys, no spaces, UTF-8 kept as is).

    The database type stays JSON (no migration); only the text written changes, so the
    audit chain can hash a payload's stored bytes without parsing and re-serialising it.
    """

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: sa.Dialect):
        """Serialise like ``audit.canonical_json`` does for plain JSON values."""

        def process(value: object) -> str | None:
            if value is None:
                return None
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

        return process


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC, from the one clock services use."""
    return clock.now()  # the module's function looked up now, so a moved clock is seen
