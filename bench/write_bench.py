"""The write path and the screening page against their floor: ``python bench/write_bench.py``.

Three figures of issue #12, each measured with gunicorn (sync workers) on 127.0.0.1 against
``OPENBID_BENCH_DATABASE_URL`` (an empty database of its own is created on that PostgreSQL
server and dropped afterwards) or a throw-away SQLite file:

- ``api_verdict_write``: ``POST /api/v1/applications/{id}/verdict`` per second, against the
  floor: a bare Flask route that inserts one row and one hash-chained audit row on the same
  database (same engine settings), measured in the same run;
- ``deadline_submissions``: submissions accepted per second with 4 workers in the seconds
  before a registration deadline (API ``POST /positions/{id}/applications`` with ``submit``);
  also checks that none received before the deadline was refused and none after accepted;
- ``screening_page_1000``: server time of the screening page at 1,000 applications (floor:
  the same page at 10).

Each ``measure_*`` returns ``{name, value, unit, floor, ratio, goal, ok}``; ``make bench``
prints them. Timing lives here only, never in the tests.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from config import TestConfig  # noqa: E402
from openbid.app import create_app  # noqa: E402
from openbid.extensions import configure_engine, db  # noqa: E402

WORKERS = 4
CLIENTS = 8
FLOOR_TABLES = """
CREATE TABLE IF NOT EXISTS floor_row (id {serial}, note VARCHAR(40));
CREATE TABLE IF NOT EXISTS floor_head (
  chain VARCHAR(40) PRIMARY KEY, seq INTEGER, hash VARCHAR(64));
CREATE TABLE IF NOT EXISTS floor_audit (
  id {serial}, chain VARCHAR(40), seq INTEGER, payload TEXT,
  prev_hash VARCHAR(64), hash VARCHAR(64), UNIQUE (chain, seq));
"""

# --- the database and the servers --------------------------------------------------------


@contextmanager
def database() -> Iterator[tuple[str, Path]]:
    """Yield (url, folder) of an empty database and files folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="openbid-write-bench-"))
    base = os.environ.get("OPENBID_BENCH_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        try:
            yield f"sqlite:///{folder / 'bench.db'}", folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"openbid_write_bench_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(False), folder
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _config(url: str, folder: Path) -> TestConfig:
    return TestConfig(url, folder)


def served() -> Flask:
    """Return the app gunicorn serves: openbid, or the floor (``OPENBID_WB_KIND=floor``)."""
    url, folder = os.environ["OPENBID_WB_URL"], Path(os.environ["OPENBID_WB_DIR"])
    if os.environ.get("OPENBID_WB_KIND") == "floor":
        return floor_app(url, folder)
    return create_app(_config(url, folder))


def floor_app(url: str, folder: Path) -> Flask:
    """Return a bare Flask app inserting one row and one hash-chained audit row per POST."""
    config = _config(url, folder)
    engine = sa.create_engine(url, **getattr(config, "SQLALCHEMY_ENGINE_OPTIONS", {}))
    configure_engine(engine, durable=False)
    app = Flask("floor")
    locking = " FOR UPDATE" if engine.dialect.name == "postgresql" else ""

    @app.post("/floor")
    def insert():
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("UPDATE floor_head SET seq = seq WHERE chain = 'c'")
            seq, prev = conn.exec_driver_sql(
                f"SELECT seq, hash FROM floor_head WHERE chain = 'c'{locking}"  # noqa: S608
            ).one()
            conn.execute(sa.text("INSERT INTO floor_row (note) VALUES ('x')"))
            payload = json.dumps({"seq": seq + 1, "note": "x"}, sort_keys=True)
            digest = hashlib.sha256((payload + prev).encode()).hexdigest()
            conn.execute(
                sa.text(
                    "INSERT INTO floor_audit (chain, seq, payload, prev_hash, hash)"
                    " VALUES ('c', :seq, :payload, :prev, :hash)"
                ),
                {"seq": seq + 1, "payload": payload, "prev": prev, "hash": digest},
            )
            conn.execute(
                sa.text("UPDATE floor_head SET seq = :seq, hash = :hash WHERE chain = 'c'"),
                {"seq": seq + 1, "hash": digest},
            )
        return {"seq": seq + 1}, 201

    return app


def _prepare_floor(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    # An id the database assigns, as the app's tables have: SQLite's rowid alias, and an
    # identity column on PostgreSQL (where INTEGER PRIMARY KEY has no default at all).
    serial = "INTEGER PRIMARY KEY"
    if engine.dialect.name == "postgresql":
        serial += " GENERATED BY DEFAULT AS IDENTITY"
    with engine.begin() as conn:
        for statement in FLOOR_TABLES.format(serial=serial).split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
        if conn.exec_driver_sql("SELECT count(*) FROM floor_head").scalar() == 0:
            conn.exec_driver_sql("INSERT INTO floor_head VALUES ('c', 0, '')")
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, folder: Path, kind: str = "app") -> Iterator[int]:
    """Run gunicorn with WORKERS sync workers serving kind; yield its port; stop it after."""
    port = _free_port()
    env = {**os.environ, "OPENBID_WB_URL": url, "OPENBID_WB_DIR": str(folder)}
    env["OPENBID_WB_KIND"] = kind
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--chdir",
        str(ROOT),
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--preload",  # the app is imported before the port opens, not by the first requests
        "bench.write_bench:served()",
    ]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own command line
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        _warm(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _warm(port: int, limit: float = 180.0) -> None:
    """Wait until every worker answers at once: rounds of 2 x WORKERS GETs, all under 1 s.

    On a loaded machine a freshly forked worker's first requests take seconds; a figure must
    not count them (nor a deadline pass while they are served).
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        start = time.perf_counter()
        load(port, [lambda p: request(p, "GET", "/auth/login")[0]] * (2 * WORKERS), 2 * WORKERS)
        if time.perf_counter() - start < 1.0:
            return


def request(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, Any]:
    """Send one request to 127.0.0.1:port; return (status, parsed JSON body or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(data) if data else None
    except ValueError:
        return response.status, None


def load(port: int, calls: list[Callable[[int], int]], clients: int = CLIENTS) -> tuple[int, float]:
    """Run the calls from clients threads; return (how many answered 2xx, seconds taken)."""
    lock = threading.Lock()
    pending = list(reversed(calls))
    ok = [0]

    def run() -> None:
        while True:
            with lock:
                if not pending:
                    return
                call = pending.pop()
            if 200 <= call(port) < 300:
                with lock:
                    ok[0] += 1

    threads = [threading.Thread(target=run) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok[0], time.perf_counter() - start


def floor_rate(url: str, folder: Path, requests: int = 1500) -> float:
    """Return the floor's inserts per second (one row and one chained audit row each)."""
    _prepare_floor(url)
    with gunicorn(url, folder, "floor") as port:
        load(port, [lambda p: request(p, "POST", "/floor")[0]] * 100)  # warm up
        done, seconds = load(port, [lambda p: request(p, "POST", "/floor")[0]] * requests)
    if done != requests:
        raise RuntimeError(f"floor: only {done} of {requests} inserts answered 201")
    return done / seconds


def result(name, value, unit, floor, goal: str, ok: bool, ratio=None) -> dict[str, Any]:
    """Return one figure as ``make bench`` prints it."""
    if ratio is None:
        ratio = value / floor if floor else 0.0
    return {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "floor": round(floor, 2),
        "ratio": round(ratio, 3),
        "goal": goal,
        "ok": bool(ok),
    }


# --- data ------------------------------------------------------------------------------


@contextmanager
def built_app(url: str, folder: Path) -> Iterator[Flask]:
    """Yield the app (migrated database) inside its app context."""
    from flask_migrate import upgrade

    import tests.conftest  # noqa: F401 - the tests' cheaper scrypt for the many accounts

    app = create_app(_config(url, folder))
    with app.app_context():
        upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _copy(row: Any, **changes: Any) -> dict[str, Any]:
    mapper = sa.inspect(type(row))
    values = {c.key: getattr(row, c.key) for c in mapper.column_attrs if c.key != "id"}
    return {**values, **changes}


def clone_applications(setup: Any, total: int, state: str = "submitted") -> list[int]:
    """Add copies of the setup's first application (new candidates) up to total; return ids."""
    from openbid.models import Application, ApplicationDocument, CandidateProfile, User

    template = setup.applications[0]
    profile = db.session.scalar(
        sa.select(CandidateProfile).where(CandidateProfile.user_id == template.candidate_id)
    )
    documents = db.session.scalars(
        sa.select(ApplicationDocument).where(ApplicationDocument.application_id == template.id)
    ).all()
    positions = [p.id for p in setup.selection.positions]
    ids = [a.id for a in setup.applications]
    for n in range(len(ids), total):
        user = User(**_copy(template.candidate, email=f"clone{n}@bench.invalid", name=f"Klon {n}"))
        db.session.add(user)
        db.session.flush()
        birth = date(1970, 1, 1) + timedelta(days=n // 900)
        nip = f"{birth:%Y%m%d}199503{1}{n % 900 + 1:03d}"
        db.session.add(CandidateProfile(**_copy(profile, user_id=user.id, nip=nip)))
        snapshot = {**(template.profile_snapshot or {}), "nip": nip, "name": user.name}
        application = Application(
            **_copy(
                template,
                candidate_id=user.id,
                position_id=positions[n % len(positions)],
                state=state,
                version=1,
                profile_snapshot=snapshot,
            )
        )
        db.session.add(application)
        db.session.flush()
        for doc in documents:
            db.session.add(ApplicationDocument(**_copy(doc, application_id=application.id)))
        ids.append(application.id)
    db.session.commit()
    return ids


def _token(user: Any) -> str:
    from openbid.stages.accounts.api_tokens import issue_token

    secret, _row = issue_token(user)
    db.session.commit()
    return secret


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
            token = _token(chair)
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
            tokens = {a.id: _token(db.session.get(User, a.candidate_id)) for a in drafts}
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


def _page_time(port: int, path: str, cookie: str, runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status, _body = request(port, "GET", path, headers={"Cookie": cookie})
        times.append(time.perf_counter() - start)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return statistics.median(times) * 1000


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, value = header.split(";")[0].partition("=")
        jar[name.strip()] = value
    return jar


def _login_cookie(port: int, email: str, password: str) -> str:
    """Log in through the form; return the Cookie header of the logged-in session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    html = response.read().decode()
    jar = _cookies(response, {})
    conn.close()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    form = urlencode({"email": email, "password": password, "csrf_token": csrf})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conn.request("POST", "/auth/login", form, headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    jar = _cookies(response, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def measure_screening_page_1000() -> dict[str, Any]:
    """The screening page's server time at 1,000 applications; floor: the same page at 10."""
    from tests.factories import PASSWORD, make_agency
    from tests.stage_factories import selection_in_screening

    with database() as (url, folder):
        with built_app(url, folder):
            agency = make_agency()
            small = selection_in_screening(agency, positions=2, per_post=5)
            large = selection_in_screening(agency, positions=2, per_post=4)
            large.selection.created_by_id = small.secretariat.id
            clone_applications(large, 1000)
            email, paths = (
                small.secretariat.email,
                [
                    f"/selections/{small.selection.id}/screening",
                    f"/selections/{large.selection.id}/screening",
                ],
            )
            db.session.commit()
        with gunicorn(url, folder) as port:
            cookie = _login_cookie(port, email, PASSWORD)
            floor = _page_time(port, paths[0], cookie)
            value = _page_time(port, paths[1], cookie)
    return result("screening_page_1000", value, "ms", floor, "<=200ms", value <= 200)


def main() -> None:
    """Print each figure as ``make bench`` does."""
    for measure in (
        measure_api_verdict_write,
        measure_deadline_submissions,
        measure_screening_page_1000,
    ):
        r = measure()
        print(
            f"BENCH {r['name']} value={r['value']}{r['unit']} floor={r['floor']}{r['unit']} "
            f"ratio={r['ratio']} goal={r['goal']} {'ok' if r['ok'] else 'FAIL'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
