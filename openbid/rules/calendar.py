"""Working-day calendar for deadlines: weekends, public holidays, cuti bersama.

Public holidays come from the `holidays` package ("ID"). By default its "government"
category is included too: the joint leave days (cuti bersama) fixed by the yearly joint
ministerial decree, on which government offices are closed. An agency adds its own days
off, or days the package does not know yet, as `extra_holidays`.
"""

from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from openbid.rules.reasons import N_, Term

WindowUnit = Literal["calendar", "working"]

PUBLIC = ("public",)
PUBLIC_AND_JOINT = ("public", "government")

_DAY = timedelta(days=1)

#: How a window's length may be counted: calendar days or working days.
WINDOW_UNITS = ("calendar", "working")


@lru_cache(maxsize=128)
def _country_holidays(year: int, categories: tuple[str, ...], language: str) -> Mapping[date, str]:
    """Return Indonesia's holidays for one year, built once per process."""
    # expand=False: a lookup outside `year` must not grow a shared, cached object.
    return holidays.country_holidays(
        "ID", years=year, categories=categories, language=language, expand=False
    )


class WorkCalendar:
    """Decide which days are working days for an Indonesian government office."""

    def __init__(
        self,
        extra_holidays: Iterable[date] | Mapping[date, str] = (),
        *,
        include_joint_holidays: bool = True,
        language: str = "id",
    ) -> None:
        """Build a calendar; `extra_holidays` may map each date to its name."""
        if isinstance(extra_holidays, Mapping):
            self._extra: dict[date, str | None] = dict(extra_holidays)
        else:
            self._extra = dict.fromkeys(extra_holidays)
        self._categories = PUBLIC_AND_JOINT if include_joint_holidays else PUBLIC
        self._language = language

    def holiday_name(self, d: date) -> str | None:
        """Return the name of the holiday on `d`, or None if it is not a holiday."""
        name = _country_holidays(d.year, self._categories, self._language).get(d)
        if name is not None:
            return name
        if d in self._extra:
            return self._extra[d] or Term(N_("Agency day off"))
        return None

    def is_working_day(self, d: date) -> bool:
        """Return True if `d` is a weekday and not a holiday or extra day off."""
        return d.weekday() < 5 and self.holiday_name(d) is None

    def next_working_day(self, d: date) -> date:
        """Return `d` if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """Return the n-th working day after `start`; `start` itself is not counted.

        Like `add_calendar_days`, this is addition: `add_working_days(start, 0)` is
        `start` (even on a holiday), and Friday + 1 is the following Monday. For "a
        window of n working days that opens on `start`" use `window_end`.

        :raises ValueError: if `n` is negative.
        """
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days: {n}")
        d = start
        for _ in range(n):
            d = self.next_working_day(d + _DAY)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Return how many working days fall after `start`, up to and including `end`.

        The day something was sent does not count: sent on Friday and still waiting on
        Monday is one working day (0 when `end` is not after `start`).
        """
        count, d = 0, start
        while d < end:
            d += _DAY
            if self.is_working_day(d):
                count += 1
        return count

    def add_calendar_days(self, start: date, n: int) -> date:
        """Return `start` plus `n` calendar days.

        :raises ValueError: if `n` is negative.
        """
        if n < 0:
            raise ValueError(f"cannot add a negative number of calendar days: {n}")
        return start + timedelta(days=n)

    def window_end(self, start: date, length: int, unit: WindowUnit) -> date:
        """Return the last day of a window of `length` days that opens on `start`.

        The opening day counts as day 1: a 15-calendar-day window opening on 1 August
        ends on 15 August. A working-day window counts `start` as day 1 when it is a
        working day; otherwise day 1 is the next working day. A calendar window ends
        where it ends, even on a holiday.

        :raises ValueError: if `length` is below 1 or `unit` is unknown.
        """
        if length < 1:
            raise ValueError(f"a window needs at least one day, got {length}")
        if unit == "calendar":
            return start + timedelta(days=length - 1)
        if unit == "working":
            return self.add_working_days(self.next_working_day(start), length - 1)
        raise ValueError(f"unknown window unit {unit!r}; use 'calendar' or 'working'")


def parse_closing_time(text: str) -> time:
    """Return the moment of a ``HH:MM`` closing time: the end of that minute (23:59:59).

    :raises ValueError: when text is not a time of day such as 23:59 or 16:00.
    """
    hours, sep, minutes = str(text).strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time of day: {text!r}")
    # Registration stays open through the whole closing minute, as "pukul 23.59 WIB" reads.
    return time(int(hours), int(minutes), 59)
