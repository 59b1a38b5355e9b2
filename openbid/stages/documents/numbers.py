"""Document numbers: which series a kind draws from and the locked, gapless counter.

Real agencies keep one running number per kind of letter and year, and the demo agency's
patterns follow that: every pansel announcement (the announcement, extension notices,
result announcements, the three best) draws from the ``announcement`` series, both Berita
Acara from ``minutes``, the decree from ``decree``, the report to the oversight body from
``report``, and the auditor's trail exports from ``audit``. An agency pattern keyed by a
series applies to all its kinds; a pattern keyed by a kind itself (e.g.
``"screening_minutes"``) gives that kind its own series and counter. Each series counts
from 1 every year (the year of the issue date in WIB), without gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openbid import clock
from openbid.documents import numbering
from openbid.models import Agency, DocumentCounter
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.documents.kinds import DEFAULT_PATTERNS, KIND_CODES, KIND_SERIES


@dataclass(frozen=True)
class Numbering:
    """Which series a document draws its number from, and the pattern that formats it."""

    series: str
    pattern: str


def numbering_for(agency: Agency, kind: str, series: str | None = None) -> Numbering:
    """Return the series and pattern of a kind for an agency (see the module docstring).

    :raises KeyError: for an unknown kind.
    """
    patterns = agency.numbering_patterns or {}
    default_series = KIND_SERIES[kind]
    if series is None:
        if patterns.get(kind):
            return Numbering(kind, patterns[kind])
        series = default_series
    pattern = patterns.get(series) or DEFAULT_PATTERNS.get(series)
    return Numbering(series, pattern or DEFAULT_PATTERNS[default_series])


def _check_pattern(numbering_: Numbering) -> None:
    """Refuse an agency pattern the formatter cannot use, with a reason an admin can act on.

    :raises ValidationFailed: naming the series and the problem.
    """
    try:
        numbering.validate_pattern(numbering_.pattern)
    except ValueError as error:
        raise ValidationFailed(
            Reason(
                "documents.bad_pattern",
                N_("The numbering pattern of the %(series)s series cannot be used: %(problem)s"),
                {"series": numbering_.series, "problem": str(error)},
            )
        ) from None


def _lock_counter(session: Session, agency_id: int, series: str, year: int) -> DocumentCounter:
    """Return the counter row locked for this transaction, creating it on first use."""
    stmt = (
        sa.select(DocumentCounter)
        .where(
            DocumentCounter.agency_id == agency_id,
            DocumentCounter.series == series,
            DocumentCounter.year == year,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalars(stmt).first()
    if counter is not None:
        return counter
    try:
        with session.begin_nested():
            counter = DocumentCounter(agency_id=agency_id, series=series, year=year, last_seq=0)
            session.add(counter)
    except IntegrityError:
        # Another transaction created it first; wait for its lock like everyone else.
        counter = session.scalars(stmt).one()
    return counter


def allocate_number(
    session: Session, agency: Agency, kind: str, moment: datetime, series: str | None = None
) -> tuple[Numbering, int, str]:
    """Take the next number of the kind's series for the year of ``moment`` (WIB).

    The counter stays locked until the caller's transaction ends, so numbers are gapless:
    a rollback returns the number, and concurrent issuers queue on the row.

    :raises ValidationFailed: when the agency's pattern is unusable.
    """
    chosen = numbering_for(agency, kind, series)
    _check_pattern(chosen)
    local = clock.to_jakarta(moment)
    counter = _lock_counter(session, agency.id, chosen.series, local.year)
    counter.last_seq += 1
    session.flush()
    number = numbering.format_number(
        chosen.pattern,
        seq=counter.last_seq,
        year=local.year,
        month=local.month,
        kind_code=KIND_CODES[kind],
    )
    return chosen, counter.last_seq, number
