"""The one source of "now" for every layer: models, services, guards, actions (infrastructure).

Everything that asks what time it is goes through these functions so tests can move time
by monkeypatching ``openbid.clock.now`` (``today_jakarta`` and the helpers follow:
they look ``now`` up in the module's globals at call time). Import the module, not the
function (``from openbid import clock``; ``clock.now()``), or a patch will miss you.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Selections run on Western Indonesian Time: deadlines, publish dates and election windows
# are WIB calendar dates, whatever the server's zone.
JAKARTA = ZoneInfo("Asia/Jakarta")


def now() -> datetime:
    """Return the current moment as an aware UTC datetime."""
    return datetime.now(UTC)


def now_jakarta() -> datetime:
    """Return the current moment in Asia/Jakarta."""
    return now().astimezone(JAKARTA)


def today_jakarta() -> date:
    """Return today's calendar date in Asia/Jakarta."""
    return now_jakarta().date()


def jakarta_moment(day: date, at: time) -> datetime:
    """Return the aware UTC moment of a WIB wall-clock time on a day."""
    return datetime.combine(day, at, tzinfo=JAKARTA).astimezone(UTC)


def to_jakarta(moment: datetime) -> datetime:
    """Return an aware moment in Asia/Jakarta; naive values are taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JAKARTA)
