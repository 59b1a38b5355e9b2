"""The write path against its floor: ``python bench/write_bench.py``.

Figures of issue #12, each measured with gunicorn (sync workers) on 127.0.0.1 against
``OPENBID_BENCH_DATABASE_URL`` (an empty database of its own is created on that PostgreSQL
server and dropped afterwards) or a throw-away SQLite file:

- ``api_verdict_write``: ``POST /api/v1/applications/{id}/verdict`` per second, against the
  floor: a bare Flask route that inserts one row and one hash-chained audit row on the same
  database (same engine settings, same server), measured in the same run (``bench.serving``);
- ``deadline_submissions``: submissions accepted per second with 4 workers in the seconds
  before a registration deadline (API ``POST /positions/{id}/applications`` with ``submit``);
  also checks that none received before the deadline was refused and none after accepted.

The screening page's figure is in ``bench.page_bench``. Each ``measure_*`` returns ``{name,
value, unit, floor, ratio, goal, ok}``; ``make bench`` prints them. Timing lives here only,
never in the tests.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.bench_data import built_app, clone_applications, token_for  # noqa: E402
from bench.serving import database, floor_rate, gunicorn, load, request, result  # noqa: E402
from openbid.extensions import db  # noqa: E402

# --- the figures -----------------------------------------------------------------------


def measure_api_verdict_write(applications: int = 900) -> dict[str, Any]:
    """Verdicts per second through the API against the floor, on the same database."""
    from tests.factories import make_agency
    from tests.stage_factories import selection_in_screening

    with database() as (url, folder):
        with built_app(url, folder):
            setup = selection_in_screening(make_agency(), positions=2, per_post=4)
            ids = clone_applications(setup, applications)
            chair = setup.committee[0]
            token = token_for(chair)
        floor = floor_rate(url, folder)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"passed": True})

        def verdict(application_id: int) -> Callable[[int], int]:
            path = f"/api/v1/applications/{application_id}/verdict"
            return lambda port: request(port, "POST", path, body, headers)[0]

        with gunicorn(url, folder) as port:
            warm = ids[:50]
            load(port, [verdict(i) for i in warm])
            done, seconds = load(port, [verdict(i) for i in ids[50:]])
    value = done / seconds
    return result(
        "api_verdict_write", value, "req/s", floor, ">=0.5", value / floor >= 0.5 and done > 0
    )


def _open_registration(selection: Any, closes_at: datetime) -> None:
    selection.registration_opens_at = closes_at - timedelta(days=10)
    selection.registration_closes_at = closes_at
    db.session.commit()


def _set_deadline(url: str, selection_id: int, closes_at: datetime) -> None:
    """Move the registration deadline once the server is up (its start-up takes seconds)."""
    from openbid.models import Selection

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:  # the column's own type stores the moment as the app does
        table = Selection.__table__
        conn.execute(
            sa.update(table)
            .where(table.c.id == selection_id)
            .values(registration_closes_at=closes_at)
        )
    engine.dispose()


def measure_deadline_submissions(candidates: int = 600, window: float = 12.0) -> dict[str, Any]:
    """Submissions accepted per second in the seconds before a deadline, with 4 workers."""
    from openbid.models import Application, User
    from tests.factories import make_agency
    from tests.stage_factories import selection_in_screening

    with database() as (url, folder):
        with built_app(url, folder):
            # Applications copied as drafts with their documents, then registration reopened.
            setup = selection_in_screening(make_agency(), positions=1, per_post=4)
            ids = clone_applications(setup, candidates + 4, state="draft")[4:]
            selection = setup.selection
            selection.state = "announcement"
            drafts = db.session.scalars(sa.select(Application).where(Application.id.in_(ids))).all()
            tokens = {a.id: token_for(db.session.get(User, a.candidate_id)) for a in drafts}
            posts = {a.id: a.position_id for a in drafts}
            _open_registration(selection, datetime.now(UTC) + timedelta(days=1))
            selection_id = selection.id
        refused_in_time, accepted_late = [0], [0]
        closes_at = datetime.now(UTC)  # set again once the server is up
        lock = threading.Lock()

        def submit(application_id: int) -> Callable[[int], int]:
            boundary = "benchboundary"
            body = f'--{boundary}\r\nContent-Disposition: form-data; name="submit"\r\n\r\n1\r\n'
            body += f"--{boundary}--\r\n"
            headers = {
                "Authorization": f"Bearer {tokens[application_id]}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            }
            path = f"/api/v1/positions/{posts[application_id]}/applications"

            def call(port: int) -> int:
                sent = datetime.now(UTC)
                status, _body = request(port, "POST", path, body.encode(), headers)
                with lock:
                    if status >= 400 and sent < closes_at - timedelta(milliseconds=50):
                        refused_in_time[0] += 1
                    if status < 300 and sent > closes_at + timedelta(milliseconds=50):
                        accepted_late[0] += 1
                return status

            return call

        with gunicorn(url, folder) as port:
            closes_at = datetime.now(UTC) + timedelta(seconds=window + 1)
            _set_deadline(url, selection_id, closes_at)
            time.sleep(max((closes_at - datetime.now(UTC)).total_seconds() - window, 0))
            done, seconds = load(port, [submit(i) for i in tokens])
        floor = floor_rate(url, folder, requests=800)
    print(
        f"# deadline_submissions: {done} accepted in {seconds:.1f} s; {refused_in_time[0]} refused"
        f" though sent before the deadline, {accepted_late[0]} accepted though sent after",
        file=sys.stderr,
        flush=True,
    )
    in_window = min(seconds, window)
    value = done / in_window if in_window else 0.0
    ok = value >= 20 and refused_in_time[0] == 0 and accepted_late[0] == 0
    return result("deadline_submissions", value, "req/s", floor, ">=20/s", ok)


def main() -> None:
    """Print each figure as ``make bench`` does."""
    for measure in (
        measure_api_verdict_write,
        measure_deadline_submissions,
    ):
        r = measure()
        print(
            f"BENCH {r['name']} value={r['value']}{r['unit']} floor={r['floor']}{r['unit']} "
            f"ratio={r['ratio']} goal={r['goal']} {'ok' if r['ok'] else 'FAIL'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
