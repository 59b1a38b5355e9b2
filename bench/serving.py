"""The bench's servers and load: a database of its own, gunicorn serving openbid or the floor.

The floor is a bare Flask route inserting one row and one hash-chained audit row (reading and
locking the chain head) on the same database with the same engine settings and server setup as
openbid; ``floor_rate`` measures it in the run that measures openbid.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from config import TestConfig  # noqa: E402
from openbid.app import create_app  # noqa: E402
from openbid.extensions import configure_engine  # noqa: E402

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


class BenchConfig(TestConfig):
    """The tests' throw-away settings in production's shape: not in testing mode.

    In testing mode every API answer is also checked against its documented schema
    (``openbid.api.declare.check_json``), a cost production never pays.
    """

    TESTING = False


def app_config(url: str, folder: Path) -> TestConfig:
    """Return the settings openbid and the floor are served with."""
    return BenchConfig(url, folder)


def served() -> Flask:
    """Return the app gunicorn serves: openbid, or the floor (``OPENBID_WB_KIND=floor``)."""
    url, folder = os.environ["OPENBID_WB_URL"], Path(os.environ["OPENBID_WB_DIR"])
    if os.environ.get("OPENBID_WB_KIND") == "floor":
        return floor_app(url, folder)
    return create_app(app_config(url, folder))


def floor_app(url: str, folder: Path) -> Flask:
    """Return a bare Flask app inserting one row and one hash-chained audit row per POST."""
    config = app_config(url, folder)
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
        "bench.serving:served()",
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
