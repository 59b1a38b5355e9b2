"""Fixtures: a fresh, migrated database per test (SQLite, or PostgreSQL in CI), app, clients.

The schema comes from the Alembic migrations, built once per test process into a template:
on SQLite each test gets a file copy of it; on PostgreSQL the process copies it once
(CREATE DATABASE ... TEMPLATE) and empties every table before each test. Stages that take
long to build are snapshotted the same way (tests/snapshots.py). Set
OPENBID_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run on it.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

import openbid.models.user as user_model
import openbid.stages  # noqa: F401 - registers the stages' guards and actions, as create_app does
from config import TestConfig
from openbid.app import create_app
from openbid.documents import render
from openbid.extensions import db as _db
from tests.pdfs import draft_renderer, real_only_for
from tests.shared_build import shared_root
from tests.snapshots import Snapshots, snapshots_for_session

# Cheaper scrypt for the many accounts tests create; the algorithm stays the real one.
user_model.PASSWORD_METHOD = "scrypt:128:8:1"

PG_URL = os.environ.get("OPENBID_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(TestConfig(url, instance))
    with app.app_context():
        upgrade()
        _db.engine.dispose()


def _pg_admin_engine() -> sa.Engine:
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def _pg_url_for(name: str) -> str:
    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


class PgDatabases:
    """Copy and drop this test process's PostgreSQL databases over one admin connection.

    Drops happen in a background thread, so a test's teardown does not wait for them; the
    session waits for them at its end. (``STRATEGY FILE_COPY`` copies faster alone but forces a
    checkpoint per copy, which made the whole suite slower.)
    """

    def __init__(self) -> None:
        self.engine = _pg_admin_engine()
        self.conn = self.engine.connect()
        self.doomed: queue.Queue[str | None] = queue.Queue()
        self.dropper = threading.Thread(target=self._drop_all, name="drop-databases")
        self.dropper.start()

    def create(self, name: str, template: str | None = None) -> None:
        """Create database name, empty or as a copy of template."""
        copy = f' TEMPLATE "{template}"' if template else ""
        self.conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))

    def drop_later(self, name: str) -> None:
        """Drop database name in the background."""
        self.doomed.put(name)

    def _drop_all(self) -> None:
        with self.engine.connect() as conn:
            while (name := self.doomed.get()) is not None:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Finish the pending drops and close the connections."""
        self.doomed.put(None)
        self.dropper.join()
        self.conn.close()
        self.engine.dispose()


class PgWorkerDatabase:
    """One copy of the migrated template per test process, put back to it before each test.

    Copying the template for every test (``CREATE DATABASE … TEMPLATE``, then a drop) costs
    PostgreSQL about 150 ms a test; emptying every table in one transaction and restarting the
    sequences costs about 20. The migrations seed no rows (checked when the copy is made), so
    an emptied database is the template. A stage snapshot's rows are put back into it the same
    way (tests/pg_rows.py).
    """

    def __init__(self, databases: PgDatabases, template: str) -> None:
        self.name = f"openbid_w_{os.getpid()}"
        databases.conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        databases.create(self.name, template=template)
        self.admin = databases.conn
        self.url = _pg_url_for(self.name)
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        with self.engine.connect() as conn:
            names = conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            self.tables = [name for name in names if name != "alembic_version"]
            self.sequences = list(
                conn.execute(
                    sa.text(
                        "SELECT sequence_name FROM information_schema.sequences "
                        "WHERE sequence_schema = 'public'"
                    )
                ).scalars()
            )
            seeded = [
                table
                for table in self.tables
                if conn.execute(sa.text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar()
            ]
        assert not seeded, f"migrations seed rows in {seeded}: emptying would lose them"
        self.used = False

    def fresh(self) -> str:
        """Return the URL of the database, emptied back to the migrated template."""
        if self.used:
            # A test that left connections open (threads, a failed teardown) must not block.
            self.admin.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            )
            with self.engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in self.tables:
                    conn.execute(sa.text(f'DELETE FROM "{table}"'))
                for sequence in self.sequences:
                    conn.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        self.used = True
        return self.url


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases | None]:
    """Return this process's PostgreSQL database manager (None on SQLite)."""
    if not ON_POSTGRES:
        yield None
        return
    databases = PgDatabases()
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session")
def database_template(
    tmp_path_factory: pytest.TempPathFactory, pg_databases: PgDatabases | None
) -> Iterator[str]:
    """Build the migrated template database once per test session."""
    instance = tmp_path_factory.mktemp("template-instance")
    if pg_databases is not None:
        name = f"openbid_tpl_{os.getpid()}"
        pg_databases.conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        pg_databases.create(name)
        _migrate(_pg_url_for(name), instance)
        yield name
        pg_databases.drop_later(name)
    else:
        path = instance / "template.db"
        _migrate(f"sqlite:///{path}", instance)
        yield str(path)


@pytest.fixture(scope="session")
def pg_worker_database(
    database_template: str, pg_databases: PgDatabases | None
) -> Iterator[PgWorkerDatabase | None]:
    """Return this test process's own PostgreSQL database, emptied before each test."""
    if pg_databases is None:
        yield None
        return
    worker = PgWorkerDatabase(pg_databases, database_template)
    yield worker
    pg_databases.drop_later(worker.name)


@pytest.fixture
def database_url(
    database_template: str, tmp_path: Path, pg_worker_database: PgWorkerDatabase | None
) -> str:
    """Return the URL of a clean, migrated database for this test only."""
    if pg_worker_database is not None:
        return pg_worker_database.fresh()
    path = tmp_path / "test.db"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def stage_snapshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshots]:
    """Hold the stages built once in this test session (see tests/snapshots.py)."""
    yield from snapshots_for_session(shared_root(tmp_path_factory), ON_POSTGRES)


@pytest.fixture
def stages(app: Flask, stage_snapshots: Snapshots) -> Snapshots:
    """Return the stage snapshots; ``stages.stage(key, build)`` must come before other rows."""
    return stage_snapshots


@pytest.fixture(autouse=True)
def pdf_renderer(request: pytest.FixtureRequest) -> Iterator[None]:
    """Issue documents with WeasyPrint only in tests marked ``real_pdf``.

    Every other test still renders each document's HTML strictly (a bad context fails) and
    stores a small real PDF with its number and verification code (tests/pdfs.py). A test
    marked ``real_pdf(only=kinds)`` gets WeasyPrint for those kinds alone.
    """
    marker = request.node.get_closest_marker("real_pdf")
    if marker is None:
        renderer = draft_renderer
    elif "only" in marker.kwargs:
        # A stage snapshot is keyed by WeasyPrint or draft alone: a mix would be saved as one.
        assert "stages" not in request.fixturenames, "real_pdf(only=...) takes no snapshots"
        renderer = real_only_for(*marker.kwargs["only"])
    else:
        renderer = None
    with render.use_renderer(renderer):
        yield


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled page templates kept for the whole test process.

    Each test builds its own app, and each app its own Jinja environment, which would compile
    every page template again; the bytecode is the same (Jinja checks the source's checksum).
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill bucket with the bytecode compiled earlier, if any."""
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep bucket's bytecode for later apps."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_BYTECODE = _MemoryBytecodeCache()


def _share_url_builders() -> None:
    """Let the per-test apps share werkzeug's compiled URL builders.

    Each test builds its own app, and werkzeug compiles two URL-builder functions for every
    rule of every app: about 80% of create_app's time. A compiled builder depends only on the
    rule's parts, its defaults and ``append_unknown`` (it reads the converters through its
    ``self`` argument when called), so equal rules can share it. Production builds one app
    per process and is untouched.
    """
    original = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def compile_builder(self: Rule, append_unknown: bool = True) -> object:
        defaults = self.defaults or {}
        resolved = tuple(
            (name, self._converters[name].to_url(defaults[name]))
            for dynamic, name in self._trace
            if dynamic and name in defaults
        )
        key = (tuple(self._trace), tuple(map(repr, defaults.items())), resolved, append_unknown)
        if key not in compiled:
            compiled[key] = original(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_builder


def _share_parsed_rules() -> None:
    """Let the per-test apps share werkzeug's parsed URL rules.

    With the builders shared, parsing each rule's string (a regex walk, converter arguments)
    was most of what is left of create_app (about 60%, by cProfile). The parts depend only on
    the rule string and the map's converter classes; a rule also records its trace, its
    converters and its arguments, which are replayed. The converter objects are shared: the
    app's converters (werkzeug's and openbid's IdConverter) keep nothing of their map that
    ``to_python`` or ``to_url`` reads.
    """
    original = Rule._parse_rule
    parsed: dict[tuple, tuple] = {}

    def parse_rule(self: Rule, rule: str) -> list:
        key = (rule, tuple(self.map.converters.items()))
        if key not in parsed:
            trace_from, converters = len(self._trace), dict(self._converters)
            parts = list(original(self, rule))
            added = {k: v for k, v in self._converters.items() if converters.get(k) is not v}
            parsed[key] = (parts, self._trace[trace_from:], added)
            return parts
        parts, trace, added = parsed[key]
        self._trace.extend(trace)
        self._converters.update(added)
        self.arguments.update(added)
        return list(parts)

    Rule._parse_rule = parse_rule


_share_url_builders()
_share_parsed_rules()


# One (dialect, compiled-statement cache) per database kind and dialect settings, for the
# whole test process: see _share_compiled_statements.
_SHARED_DIALECTS: dict[tuple, tuple[sa.Dialect, Any]] = {}


def _share_compiled_statements(engine: sa.Engine) -> None:
    """Let the per-test engines share one dialect and its compiled SQL statements.

    SQLAlchemy caches each statement's compiled SQL per engine, keyed by the engine's
    dialect object; each test builds its own app and engine, so every test compiled every
    statement it ran anew (a sixth of tests/views' time, by cProfile). Production builds one
    engine per process and is untouched. The dialects shared are of one class with the same
    settings, so a statement compiles to the same SQL either way; each engine keeps its own
    pool and connections (their set-up on connect stays the engine's own).
    """
    if engine._compiled_cache is None:
        return
    dialect = engine.dialect
    key = (
        type(dialect),
        engine.url.drivername,
        dialect.isolation_level,
        getattr(dialect, "_json_serializer", None),
        getattr(dialect, "_json_deserializer", None),
        dialect.paramstyle,
    )
    if key not in _SHARED_DIALECTS:
        # The whole suite's statements: more than one app's default 500 would keep.
        _SHARED_DIALECTS[key] = (dialect, sa.util.LRUCache(20_000))
    shared = _SHARED_DIALECTS[key]
    engine.dialect, engine._compiled_cache = shared
    engine.pool._dialect = shared[0]


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """Return the app bound to this test's database, inside an app context."""
    instance = tmp_path / "instance"
    instance.mkdir()
    application = create_app(TestConfig(database_url, instance))
    application.jinja_env.bytecode_cache = _TEMPLATE_BYTECODE
    with application.app_context():
        _share_compiled_statements(_db.engine)
        yield application
        _db.session.remove()
        _db.engine.dispose()


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The app fixture keeps an app context pushed for the test body; without this, requests
    would share its ``g`` (the cached user and locale) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client (cookies kept between requests, like a browser)."""
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """Return a CLI runner for `flask openbid ...` commands."""
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Browser:
    """Drive the app like a person: open pages, submit their forms with their CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        # (page, the session's secret) -> the token that page gave: a person who submits a
        # second form from the same page reuses its token, as long as the session lasts.
        self.tokens: dict[tuple[str, str], str] = {}

    def token(self, url: str = "/auth/login") -> str:
        """Return a CSRF token from the page at url (opened once per session and page)."""
        secret = self._session_secret()
        if secret is not None and (url, secret) in self.tokens:
            return self.tokens[url, secret]
        token = csrf_from(self.client.get(url).get_data(as_text=True))
        secret = self._session_secret()
        if secret is not None:
            self.tokens[url, secret] = token
        return token

    def _session_secret(self) -> str | None:
        """The session's CSRF secret (what every token of this session is signed from)."""
        app = self.client.application
        cookie = self.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return None
        serializer = app.session_interface.get_signing_serializer(app)
        try:
            return serializer.loads(cookie.value).get("csrf_token")
        except Exception:  # an unreadable cookie: open the page, as before
            return None

    def login(self, email: str, password: str):
        """Log in through the form."""
        return self.client.post(
            "/auth/login",
            data={"email": email, "password": password, "csrf_token": self.token()},
        )

    def post(self, url: str, data: dict | None = None, page: str = "/home", **kwargs):
        """POST to url with a CSRF token taken from page."""
        payload = {"csrf_token": self.token(page), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    """Return a Browser over the test client."""
    return Browser(client)


# Tests that take several seconds alone (whole walks, real worker processes, long renders).
# They are started first so that no worker is still running one after the rest are done:
# pytest-xdist hands out tests in collection order.
LONG_RUNNING = frozenset(
    {
        "test_the_demo_selection_from_draft_to_decree_with_the_worker_thread",
        "test_the_demo_selection_from_draft_to_decree_with_rq_and_a_worker_process",
        "test_demo_selection_from_draft_to_decree_through_the_api",
        "test_demo_through_completed_issues_the_decree_and_its_trail_runs_forwards",
        "test_a_worker_killed_while_rendering_then_retried",
        "test_rq_on_redis_with_a_real_worker_process",
        "test_long_announcement_in_chunks_reads_as_one_render",
        "test_api_conforms_to_its_openapi_document",
        "test_the_engine_issues_every_kind_on_its_transitions",
        "test_role_path_fits_and_passes_axe",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the long-running tests first; skip PostgreSQL-only tests on SQLite."""
    items.sort(key=lambda item: getattr(item, "originalname", item.name) not in LONG_RUNNING)
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set OPENBID_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Where the test's temporary folders may go: in memory, when the machine has room there.
SHM = Path("/dev/shm")  # noqa: S108 - pytest makes its own 0700 per-user folder in it
SHM_NEEDED = 2 * 1024**3


def pytest_configure(config: pytest.Config) -> None:
    """Keep the temporary folders (databases, instance folders) in memory if there is room.

    Every test copies a SQLite file and an instance folder, and most stage snapshots copy a
    folder of uploaded and issued files; on these machines' shared disk, creating and then
    removing 150 small files costs about 0.6 s, on tmpfs 0.06 s. (A container's default
    64 MB /dev/shm is too small: then the system's temporary folder is used, as before.)
    """
    if "PYTEST_DEBUG_TEMPROOT" in os.environ or not SHM.is_dir() or not os.access(SHM, os.W_OK):
        return
    stats = os.statvfs(SHM)
    if stats.f_bavail * stats.f_frsize >= SHM_NEEDED:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(SHM)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile stale or missing .mo catalogues, as `make translations` does, before tests run."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    translations = Path(__file__).resolve().parent.parent / "openbid" / "translations"
    for po in translations.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")  # atomic for parallel runs
        with partial.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        os.replace(partial, mo)
