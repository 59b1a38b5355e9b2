"""A real browser over a live server: Debian's Chromium driven by Playwright, with axe-core.

One demo database per test process (the demo driven to the appointment stage, where every
role has pages with content, built once per session: tests/snapshots.py), one werkzeug
server in a thread over it, one Chromium. Each role logs in once per viewport width and its
page is reused from test to test. The tests only read: forms they submit fail validation or
change nothing another test reads. axe-core runs on the pages a test checks (``open``), not
on those it only walks through to act (``goto``).

Chromium comes from the system (``apt-get install -y chromium``; ``scripts/check_system.py
--install`` does it as root): Playwright's own browser download is not used.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from config import TestConfig
from openbid import demo
from openbid.app import create_app
from openbid.extensions import db
from openbid.models import SelectionState
from tests import snapshots
from tests.shared_build import shared_root

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 390)
HEIGHT = 900
# What a page must not have: axe-core's two worst impact levels, and at any level the
# findings issue #13 named (two unlabelled navigations, empty table headers, unlabelled
# inputs, content outside every landmark).
BLOCKING = ("critical", "serious")
ALWAYS = frozenset({"landmark-unique", "empty-table-header", "label", "region"})
T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here ``browser``; skip them all, saying why, without Chromium."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
        "(or run `python3 scripts/check_system.py --install` as root)"
    )
    # The pages are served from their own SQLite demo whatever the suite's database, so the
    # PostgreSQL pass of CI would repeat exactly the SQLite pass's browser run: it runs once.
    once = pytest.mark.skip(
        reason="the browser suite serves its own SQLite demo; it runs in the SQLite pass"
    )
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)
            elif os.environ.get("OPENBID_TEST_DATABASE_URL"):
                item.add_marker(once)


AXE_PATH = "/__tests__/axe.min.js"


def serving_axe(app: Flask) -> Callable:
    """Wrap app so that AXE_PATH serves axe-core, cacheable, beside the app's own pages.

    Injected by URL rather than as 500 kB of inline text, Chromium keeps the script in its
    cache and reuses its compiled code: each page's check no longer sends and parses it anew.
    """
    script = AXE.read_bytes()

    def wsgi(environ: dict, start_response: Callable) -> Any:
        if environ.get("PATH_INFO") != AXE_PATH:
            return app(environ, start_response)
        headers = [
            ("Content-Type", "text/javascript; charset=utf-8"),
            ("Content-Length", str(len(script))),
            ("Cache-Control", "public, max-age=86400, immutable"),
        ]
        start_response("200 OK", headers)
        return [script]

    return wsgi


@dataclass
class LiveServer:
    """The demo served over HTTP: its base URL and the app (for look-ups in its context)."""

    url: str
    app: Flask


def demo_app(tmp_path_factory: pytest.TempPathFactory, through: str) -> Flask:
    """Return an app over this process's own copy of the session's demo at through.

    The demo is built once per session (tests/snapshots.py ``demo_folder``), shared with the
    tests that take the same stage.
    """
    saved = snapshots.demo_folder(shared_root(tmp_path_factory), through)
    root = tmp_path_factory.mktemp("browser-demo")
    shutil.copyfile(saved / "stage.db", root / "demo.db")
    shutil.copytree(saved / "instance", root / "instance")
    return create_app(TestConfig(f"sqlite:///{root / 'demo.db'}", root / "instance"))


@contextmanager
def serving(app: Flask, name: str) -> Iterator[LiveServer]:
    """Serve app (and axe-core) on a free port of 127.0.0.1 from a thread, until the block ends."""
    server = make_server("127.0.0.1", 0, serving_axe(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the demo, at the appointment stage, on a free port of 127.0.0.1."""
    app = demo_app(tmp_path_factory, SelectionState.APPOINTMENT)
    with serving(app, "live-server") as server:
        yield server


class BrowserThread:
    """Chromium, driven from a thread of its own.

    Playwright's sync API keeps an asyncio loop running in the thread that started it; in the
    test process's main thread that loop would break every later test that calls
    ``asyncio.run`` (signing a PDF does). So Playwright lives in this thread, and the tests
    hand it functions to run there.
    """

    def __init__(self) -> None:
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._serve, name="chromium", daemon=True)
        self.started = threading.Event()
        self.failed: BaseException | None = None
        self.thread.start()
        self.started.wait()
        if self.failed is not None:
            raise self.failed

    def _serve(self) -> None:
        try:
            playwright = sync_playwright().start()
            self.browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        except BaseException as error:  # reported by __init__, in the test's thread
            self.failed = error
            self.started.set()
            return
        self.started.set()
        while (job := self.jobs.get()) is not None:
            function, done = job
            try:
                done.put((True, function()))
            except BaseException as error:  # handed back to the test, raised there
                done.put((False, error))
        self.browser.close()
        playwright.stop()

    def run(self, function: Callable[[], T]) -> T:
        """Run function in the browser's thread and return what it returns (or raise)."""
        done: queue.Queue = queue.Queue()
        self.jobs.put((function, done))
        ok, value = done.get()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Close Chromium and end the thread."""
        self.jobs.put(None)
        self.thread.join()


@pytest.fixture(scope="session")
def chromium() -> Iterator[BrowserThread]:
    """Launch the system's Chromium once for the test process."""
    browser = BrowserThread()
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class Visit:
    """What one page load showed: its final URL, status, overflow and axe's findings."""

    url: str
    status: int
    scroll_width: int
    inner_width: int
    violations: list[dict] = field(default_factory=list)

    def blocking(self) -> list[str]:
        """Return the violations a page must not have, one readable line each."""
        return [
            f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. "
            f"{v['nodes'][0]['target']})"
            for v in self.violations
            if v["impact"] in BLOCKING or v["id"] in ALWAYS
        ]


class Tab:
    """One logged-in (or anonymous) browser page at one width, reused between tests.

    Its methods run in the browser's thread; ``do(function)`` runs any function of the
    Playwright page there (``tab.do(lambda page: page.click("..."))``).
    """

    def __init__(self, browser: BrowserThread, page, base: str) -> None:
        self.browser = browser
        self.page = page
        self.base = base

    def do(self, function: Callable[[Any], T]) -> T:
        """Run function(page) in the browser's thread."""
        return self.browser.run(lambda: function(self.page))

    def goto(self, path: str) -> int:
        """Load path and return its status, checking nothing (a step before an action)."""

        def load() -> int:
            response = self.page.goto(self.base + path)
            return response.status if response else 0

        return self.browser.run(load)

    def open(self, path: str, axe: bool = True) -> Visit:
        """Load path, then measure its width and (unless axe is False) run axe-core on it."""
        return self.check(self.goto(path), axe=axe)

    def screenshot(self, path: Path) -> None:
        """Save the whole page as a PNG."""
        self.do(lambda page: page.screenshot(path=str(path), full_page=True))

    def check(self, status: int = 200, axe: bool = True) -> Visit:
        """Measure the page as it is now and (unless axe is False) run axe-core on it."""
        return self.browser.run(lambda: self._check(status, axe))

    def _check(self, status: int, axe: bool) -> Visit:
        page = self.page
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if not axe:
            return Visit(page.url, status, widths[0], widths[1])
        page.add_script_tag(url=self.base + AXE_PATH)
        result = page.evaluate(
            "async () => JSON.stringify((await axe.run(document, "
            "{resultTypes: ['violations']})).violations)"
        )
        return Visit(page.url, status, widths[0], widths[1], json.loads(result))

    def login(self, email: str, password: str = demo.PASSWORD) -> None:
        """Log in through the form."""
        self.browser.run(lambda: self._login(email, password))

    def _login(self, email: str, password: str) -> None:
        page = self.page
        page.goto(self.base + "/auth/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("main form [type=submit]")
        page.wait_for_load_state()
        assert "/auth/login" not in page.url, f"{email} could not log in"


@pytest.fixture(scope="session")
def tabs(chromium, live_server: LiveServer) -> Iterator:
    """Return a function giving the reused Tab of a demo account at a width.

    An account logs in through the form once; its tab at another width starts from the
    cookies that log-in left (Playwright's storage state), as a second window would.
    """
    opened: dict[tuple[str | None, int], Tab] = {}
    logged_in: dict[str, dict] = {}

    def tab_for(local: str | None, width: int) -> Tab:
        key = (local, width)
        if key not in opened:
            state = logged_in.get(local) if local is not None else None
            page = chromium.run(
                lambda: chromium.browser.new_context(
                    viewport={"width": width, "height": HEIGHT},
                    bypass_csp=True,
                    storage_state=state,
                ).new_page()
            )
            tab = Tab(chromium, page, live_server.url)
            if local is not None and state is None:
                tab.login(f"{local}@{demo.DOMAIN}")
                logged_in[local] = tab.do(lambda page: page.context.storage_state())
            opened[key] = tab
        return opened[key]

    yield tab_for
    for tab in opened.values():
        tab.do(lambda page: page.context.close())
