"""Documents in ``make bench`` (issue #12): the decree step, the long announcement, worker memory.

``measure_decree_step()``: median time to issue a decree (number, render, PAdES ECDSA P-256
signature, store, register, audit event, commit) in a finished two-post selection, against a
bare WeasyPrint ``write_pdf`` of the same HTML in the same process; goal <= 1.3x.

``measure_long_announcement()``: wall time to render a 1,000-row announcement (chunks on the
warm worker processes, joined) and sign it, against a bare single WeasyPrint render of the
same HTML; goal <= 2 s. Its note gives the CPU time behind it.

``measure_worker_rss()``: resident memory growth of a process over 1,000 decree renders after
a warm-up; the floor is its resident memory after the warm-up; goal <= 20 MB.

Each returns ``{name, value, unit, floor, ratio, goal, ok}``; ``bench/run.py`` prints them.
The decree step uses PostgreSQL when ``OPENBID_BENCH_DATABASE_URL`` names an empty database,
SQLite otherwise. Never run by the tests.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import TestConfig  # noqa: E402
from openbid.app import create_app  # noqa: E402
from openbid.documents import chunked, render  # noqa: E402
from openbid.documents.signing import Signer, generate_self_signed, sign_pdf  # noqa: E402
from openbid.extensions import db  # noqa: E402
from openbid.models import Selection, User  # noqa: E402
from openbid.stages.documents import build_context, issue_document  # noqa: E402
from tests.documents import scenario  # noqa: E402
from tests.documents.long_documents import TEMPLATE, long_announcement  # noqa: E402

DECREE_GOAL = 1.3
LONG_GOAL_S = 2.0
RSS_GOAL_MB = 20.0
LONG_ROWS = 1000


def figure(name: str, value: float, unit: str, floor: float, goal: str, ok: bool) -> dict:
    """One figure of ``make bench``."""
    ratio = value / floor if floor else 0.0
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "ratio": ratio,
        "goal": goal,
        "ok": ok,
    }


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """Run an action ``runs`` times; return the median seconds."""
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def bare_pdf(html: str) -> bytes:
    """The floor: WeasyPrint's own ``write_pdf`` of the HTML, with the process's fonts."""
    weasyprint, font_config = render._load_weasyprint()
    page = weasyprint.HTML(string=html, base_url=str(render.TEMPLATES_DIR) + os.sep)
    return page.write_pdf(font_config=font_config)


@functools.cache
def decree_app() -> tuple[Any, Any]:
    """An app on a fresh database with a finished selection and a signing key, once."""
    folder = Path(tempfile.mkdtemp(prefix="openbid-render-bench-"))
    url = os.environ.get("OPENBID_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    config = TestConfig(url, folder)
    cert, key = generate_self_signed(folder / "keys", "BKPSDM Kota Contoh", "Bench")
    config.SIGNING_CERT, config.SIGNING_KEY, config.SIGNING_TRUST_ROOTS = cert, key, (cert,)
    app = create_app(config)
    with app.app_context():
        upgrade()
        built = scenario.build()
        db.session.commit()
        return app, (built.selection.id, built.auditor.id)


def _issue_decree(captured: list[tuple[str, Mapping[str, Any]]] | None = None) -> float:
    """Issue one decree inside the current app context and commit; return the seconds.

    The timed step is the issue itself (number, render, sign, store, register, audit event,
    commit); the context is built from the database beforehand, untimed.
    """
    _, (selection_id, auditor_id) = decree_app()
    selection, auditor = db.session.get(Selection, selection_id), db.session.get(User, auditor_id)
    at = scenario.ISSUE_TIMES["decree"]
    context = build_context(db.session, "decree", selection, issued_at=at, actor=auditor)

    def capture(template: str, full: Mapping[str, Any], *, base_url: Any = None) -> bytes:
        if captured is not None:
            captured.append((template, full))
        return render.weasyprint_pdf(template, full, base_url=base_url)

    with render.use_renderer(capture):
        start = time.perf_counter()
        issue_document(
            db.session,
            kind="decree",
            selection=selection,
            actor=auditor,
            context=context,
            issued_at=at,
        )
        db.session.commit()
        return time.perf_counter() - start


def decree_html() -> tuple[str, Mapping[str, Any]]:
    """The HTML and full context of an issued decree (issues one to capture them)."""
    app, _ = decree_app()
    captured: list[tuple[str, Mapping[str, Any]]] = []
    with app.app_context():
        _issue_decree(captured)
    template, context = captured[-1]
    return render.render_html(template, context), context


def measure_decree_step(runs: int = 15) -> dict:
    """Issue a decree (render, sign, store, register) against a bare ``write_pdf``."""
    app, _ = decree_app()
    html, _ = decree_html()
    floors, values = [], []
    with app.app_context():
        _issue_decree()
        bare_pdf(html)
        # Floor and step taken in turns, so a slower stretch of a shared machine weighs on
        # both alike rather than on whichever ran during it.
        for _ in range(runs):
            floors.append(median_seconds(lambda: bare_pdf(html), 1))
            values.append(_issue_decree())
    floor, value = statistics.median(floors), statistics.median(values)
    ratio = value / floor
    return figure(
        "decree_step", value * 1000, "ms", floor * 1000, f"<={DECREE_GOAL}x", ratio <= DECREE_GOAL
    )


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process and its finished children used so far, from /proc.

    A render worker lays each chunk out in a child it forks and waits for: the child's time
    counts once the child has ended (``children_cpu_settled``).
    """
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children_cpu_settled(pids: list[int], timeout: float = 10.0) -> None:
    """Wait until none of the processes has a child left (their CPU is then counted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_children(pid) for pid in pids):
            return
        time.sleep(0.01)


def _children(pid: int) -> str:
    """The ids of a process's children, from /proc (empty when it has none or cannot tell)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return children.read().strip()
    except OSError:
        return ""


def issue_long(context: Mapping[str, Any], signer: Signer) -> bytes:
    """Render the long announcement (chunked, joined) and sign it, as issuing does."""
    data = render.render_pdf(TEMPLATE, context)
    return sign_pdf(
        data, signer, reason="bench", location="Tangerang", timestamp=context["issued_at"]
    )


def measure_long_announcement(runs: int = 5) -> dict:
    """Render and sign a 1,000-row announcement (chunked) against one bare WeasyPrint render.

    Its note gives the CPU seconds per document of this process and of the render workers:
    the wall time on a machine shared with other work says little on its own.
    """
    context = long_announcement(LONG_ROWS)
    context.update(chain_seq=42, chain_hash="0" * 64)
    html = render.render_html(TEMPLATE, context)
    cert, key = generate_self_signed(Path(tempfile.mkdtemp()), "BKPSDM Kota Contoh", "Bench")
    signer = Signer.from_pem(cert, key)
    issue_long(context, signer)  # starts the workers, learns the page size
    pids = chunked.worker_pids()
    children_cpu_settled(pids)
    parent, workers = time.process_time(), sum(map(process_cpu_seconds, pids))
    value = median_seconds(lambda: issue_long(context, signer), runs)
    parent = (time.process_time() - parent) / runs
    children_cpu_settled(pids)
    workers = (sum(map(process_cpu_seconds, pids)) - workers) / runs
    floor = median_seconds(lambda: bare_pdf(html), 2)
    result = figure(
        "long_announcement_1000", value, "s", floor, f"<={LONG_GOAL_S}s", value <= LONG_GOAL_S
    )
    result["note"] = (
        f"cpu per document: parent {parent:.2f}s, {len(pids)} workers {workers:.2f}s "
        f"(wall on {len(pids)} idle cores >= {(parent + workers) / len(pids):.2f}s)"
    )
    return result


def rss_mb() -> float:
    """This process's resident memory in MB, from /proc."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def measure_worker_rss(renders: int = 1000, warm_up: int = 30) -> dict:
    """Memory growth over ``renders`` decree renders in one process, after a warm-up."""
    _, context = decree_html()
    template = "documents/decree.html"
    for _ in range(warm_up):
        render.render_pdf(template, context)
    start = rss_mb()
    for _ in range(renders):
        render.render_pdf(template, context)
    growth = rss_mb() - start
    return figure(
        "worker_rss_1000_renders",
        growth,
        "MB",
        start,
        f"<={RSS_GOAL_MB:g}MB",
        growth <= RSS_GOAL_MB,
    )
