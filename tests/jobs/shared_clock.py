"""One simulated clock shared by the test process and a real worker process (RQ walk).

The demo's story runs in 2018: the test moves a simulated clock, and the transitions a
worker fires must see the same time. Both processes read the moment from one file, under a
lock, one second later at each reading, so time never runs backwards across them.

Run as a program, it is `flask --app wsgi openbid ARGS` on that clock:
``python -m tests.jobs.shared_clock CLOCK_FILE worker``.
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask.cli import main as flask_main

from openbid import clock


class SharedClock:
    """The demo's ``SimulatedClock`` (``at``, ``moment``), kept in a file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _swap(self, change) -> datetime:
        with self.path.open("r+") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            moment = change(datetime.fromisoformat(file.read().strip()))
            file.seek(0)
            file.truncate()
            file.write(moment.isoformat())
            return moment

    def now(self) -> datetime:
        """Return the next moment: one second after the last one either process saw."""
        return self._swap(lambda moment: moment + timedelta(seconds=1))

    @property
    def moment(self) -> datetime:
        return self._swap(lambda moment: moment)

    @moment.setter
    def moment(self, value: datetime) -> None:
        self._swap(lambda moment: max(moment, value))

    def at(self, day: date, hour: int = 9) -> None:
        """Move to a WIB hour of a day, never backwards."""
        wib = datetime(day.year, day.month, day.day, hour, tzinfo=clock.JAKARTA)
        self.moment = wib.astimezone(UTC)


@contextmanager
def shared_clock(path: Path, start: date) -> Iterator[SharedClock]:
    """Run this process on the shared clock from 08:00 WIB on start (like simulated_clock)."""
    begin = datetime(start.year, start.month, start.day, 8, tzinfo=clock.JAKARTA)
    path.write_text(begin.astimezone(UTC).isoformat())
    fake = SharedClock(path)
    original = clock.now
    clock.now = fake.now
    try:
        yield fake
    finally:
        clock.now = original


def main() -> None:
    """Run `flask --app wsgi openbid ARGS` with ``openbid.clock`` on the shared clock."""
    clock.now = SharedClock(Path(sys.argv[1])).now
    sys.argv = ["flask", "--app", "wsgi", "openbid", *sys.argv[2:]]
    flask_main()


if __name__ == "__main__":
    main()
