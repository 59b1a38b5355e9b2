"""The whole demo selection driven through the web pages alone, draft to decree.

Each person logs in and presses the buttons of their own pages: the secretariat, twelve
candidates in the portal, a committee member screening, the secretariat entering results,
every member scoring, the secretariat recording KASN's word, the PPK picking.

The transitions that issue documents run on a real job queue, as in production (issue
#12): the button answers at once with the overview's progress area, and the walk follows
that page, as a person would, until the job is done. Once with the embedded worker thread
(every pass), once with RQ on Redis and a real `flask openbid worker` process (the
PostgreSQL pass: production's shape). Both end with the selection completed, every document
issued, the numbers gapless and `flask openbid verify-audit` content.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from openbid import demo, jobs
from openbid.demo_flow import simulated_clock
from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import Application, IssuedDocument, Job, Position, Selection
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.storage import read
from tests.jobs.helpers import ROOT, assert_all_agree, cli_env
from tests.jobs.shared_clock import SharedClock, shared_clock
from tests.portal.helpers import good_pdf, post_file, profile_form

# The walk reads the decree's text: it is rendered with WeasyPrint (in the worker), the other
# documents of the walk strictly but as draft PDFs (tests/pdfs.py).
pytestmark = pytest.mark.real_pdf(only=("decree",))

REDIS_URL = os.environ.get("OPENBID_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REFRESH = re.compile(r'http-equiv="refresh" content="\d+;url=([^"]+)"')
# How often the walk looks at a page that is still refreshing before it gives up: a bound on
# a stuck worker, not a time anything must take.
MAX_LOOKS = 1200

CANDIDATES = {  # local part -> post index: four per post, all eligible
    "kandidat01": 0, "kandidat02": 0, "kandidat03": 0, "kandidat04": 0,
    "kandidat06": 1, "kandidat07": 1, "kandidat08": 1, "kandidat09": 1,
    "kandidat10": 2, "kandidat11": 2, "kandidat12": 2, "kandidat13": 2,
}  # fmt: skip


def _email(local: str) -> str:
    return f"{local}@{demo.DOMAIN}"


def _selection() -> Selection:
    db.session.expire_all()
    return demo.demo_selection()


class Walk:
    """A person at the browser, and how they wait for the queue (between two looks)."""

    def __init__(self, browser, wait: Callable[[], None]) -> None:
        self.browser = browser
        self.wait = wait
        self.jobs: list[int] = []

    def follow(self, response) -> None:
        """Follow an answer; if it is a job's progress area, look again until it is done."""
        location = response.headers["Location"]
        found = re.search(r"[?&]job=(\d+)", location)
        if found is None:
            return
        job_id = int(found.group(1))
        self.jobs.append(job_id)
        for _look in range(MAX_LOOKS):
            html = self.browser.client.get(location).get_data(as_text=True)
            assert 'id="job"' in html, location
            refresh = REFRESH.search(html)
            if refresh is None:
                break
            self.wait()
            location = unescape(refresh.group(1)).partition("#")[0]
        else:
            pytest.fail(f"job {job_id} still at work after {MAX_LOOKS} looks")
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status == "done", job.error
        assert "job-documents" in html and "badge ok" in html  # its documents, issued
        for document_id in job.result["documents"]:
            assert db.session.get(IssuedDocument, document_id).number in html

    def press(self, event: str) -> None:
        """Press an event's button on the overview and follow it to its end."""
        selection = _selection()
        sid, version = selection.id, selection.version
        url = f"/selections/{sid}/events/{event}"
        response = self.browser.post(url, {"version": version}, page=f"/selections/{sid}")
        assert response.status_code == 303, (event, response.status_code)
        self.follow(response)
        assert _selection().version == version + 1, f"{event} did not move the selection"

    def post(self, url: str, data: dict | None = None, page: str = "/home"):
        """POST a form; return the answer after following any job it started."""
        response = self.browser.post(url, data, page=page)
        if response.status_code == 303:
            self.follow(response)
        return response

    def log_in_as(self, local: str) -> None:
        """A new person at the browser: drop the previous session, then log in."""
        self.browser.client.delete_cookie("session")
        response = self.browser.login(_email(local), demo.PASSWORD)
        assert response.status_code == 302, local


def _publish(walk: Walk, clock, sid: int) -> None:
    browser, _press, _as = walk.browser, walk.press, walk.log_in_as
    # Secretariat: the plan to KASN, its letter, the announcement.
    _as("lutfi")
    _press("submit_for_approval")
    clock.at(date(2018, 11, 16))
    letter = {
        "kasn_recommendation-number": "B-3921/KASN/11/2018",
        "kasn_recommendation-letter_date": "2018-11-15",
        "kasn_recommendation-subject": "Rekomendasi Rencana Seleksi Terbuka JPT Pratama",
        "kasn_recommendation-pdf": (io.BytesIO(good_pdf("KASN")[0].getvalue()), "kasn.pdf"),
    }
    page = f"/selections/{sid}/approval"
    response = browser.post(f"{page}/gates/kasn_recommendation", letter, page=page)
    assert response.status_code == 303
    clock.at(date(2018, 11, 19))
    version = _selection().version
    assert walk.post(f"{page}/publish", {"version": version}, page=page).status_code == 303
    assert _selection().state == "announcement"


def _apply(walk: Walk, clock, sid: int, post_ids: list[int]) -> list[Application]:
    browser, _as = walk.browser, walk.log_in_as
    nips = {local: nip for local, _name, nip in demo.CANDIDATES}
    # Candidates: profile, apply, eleven documents, submit.
    clock.at(date(2018, 11, 21))
    for local, post in CANDIDATES.items():
        _as(local)
        form = profile_form(name=demo.CANDIDATES[int(local[-2:]) - 1][1], nip=nips[local])
        response = browser.post("/portal/profile", form, page="/portal/profile")
        assert response.status_code in (302, 303), (
            local,
            response.get_data(as_text=True)[:300],
        )
        response = browser.post(
            f"/portal/positions/{post_ids[post]}/apply", page="/portal/selections"
        )
        assert response.status_code in (302, 303), local
        application_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        page = f"/portal/applications/{application_id}"
        for code in REQUIRED_DOCUMENTS:
            url = f"{page}/documents/{code}"
            assert post_file(browser, url, page, good_pdf(f"{local} {code}")).status_code == 303
        db.session.expire_all()
        version = db.session.get(Application, application_id).version
        response = browser.post(f"{page}/submit", {"version": str(version)}, page=page)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    submitted = db.session.scalars(
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == sid, Application.state == "submitted")
    ).all()
    assert len(submitted) == 12
    return submitted


def _screen_and_assess(walk: Walk, clock, sid: int, submitted: list[Application]) -> None:
    browser, _press, _as = walk.browser, walk.press, walk.log_in_as
    # Secretariat closes registration after the window.
    clock.moment = _selection().registration_closes_at + timedelta(hours=9)
    _as("lutfi")
    _press("close_registration")

    # A committee member screens every application, then closes screening.
    _as("pansel.ketua")
    for application in submitted:
        url = f"/selections/{sid}/screening/{application.id}/verdict"
        db.session.refresh(application)
        data = {"passed": "1", "version": application.version}
        assert browser.post(url, data, page=f"/selections/{sid}/screening").status_code == 303
    _press("close_screening")

    # The secretariat enters the competency results and closes the stage.
    clock.at(date(2018, 12, 20))
    _as("lutfi")
    for index, application in enumerate(submitted):
        data = {
            "assessment_score": f"{80 + index % 5},50",
            "assessment_category": "MS",
            "assessed_on": "18-12-2018",
            "assessment_centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
            "paper_score": str(78 + index % 4),
            "track_record_score": str(82 - index % 3),
            "health_fit": "MS",
            "psych_fit": "MS",
        }
        url = f"/selections/{sid}/assessment/{application.id}"
        assert browser.post(url, data, page=f"/selections/{sid}/assessment").status_code == 303
    _press("close_assessment")


def _interview(walk: Walk, clock, sid: int, submitted: list[Application]) -> None:
    browser, _press, _as = walk.browser, walk.press, walk.log_in_as
    # Every member scores every candidate; the chair closes the interviews.
    clock.at(date(2019, 1, 7))
    for offset, member in enumerate(demo.COMMITTEE):
        _as(member[0])
        for index, application in enumerate(submitted):
            url = f"/selections/{sid}/interview/{application.id}/score"
            score = {"score": str(75 + (index * 3 + offset) % 15), "confirm": "1"}
            assert browser.post(url, score, page=f"/selections/{sid}/interview").status_code == 303
    _press("close_interview")
    assert _selection().state == "appointment"


def _appoint(walk: Walk, clock, sid: int, post_ids: list[int]) -> None:
    browser, _press, _as = walk.browser, walk.press, walk.log_in_as
    # The secretariat records KASN's recommendation on the results.
    clock.at(date(2019, 1, 11))
    _as("lutfi")
    recommendation = {
        "letter_number": "B-0158/KASN/01/2019",
        "letter_date": "2019-01-11",
        "subject": "Rekomendasi Hasil Seleksi Terbuka JPT Pratama",
        "file": (io.BytesIO(good_pdf("KASN hasil")[0].getvalue()), "rekomendasi.pdf"),
    }
    page = f"/selections/{sid}/appointment"
    assert browser.post(f"{page}/recommendation", recommendation, page=page).status_code == 303

    # The PPK picks the first of each post's three best.
    clock.at(date(2019, 1, 14))
    _as("walikota")
    db.session.expire_all()
    shortlisted = db.session.scalars(
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == sid, Application.state == "shortlisted")
        .order_by(Application.position_id, Application.id)
    ).all()
    picked: set[int] = set()
    for application in shortlisted:
        if application.position_id in picked:
            continue
        picked.add(application.position_id)
        url = f"{page}/pick/{application.id}"
        data = {"version": application.version}
        assert browser.post(url, data, page=page).status_code == 303
    assert picked == set(post_ids)

    # The secretariat issues the decree.
    _as("lutfi")
    _press("complete")


def _walk(walk: Walk, clock_for: Callable[[date], AbstractContextManager]) -> int:
    """Drive the demo selection from draft to decree through the pages; return its id."""
    demo.load()
    sid = _selection().id
    post_ids = list(
        db.session.scalars(
            sa.select(Position.id).where(Position.selection_id == sid).order_by(Position.id)
        )
    )
    with clock_for(date(2018, 10, 29)) as clock:
        _publish(walk, clock, sid)
        submitted = _apply(walk, clock, sid, post_ids)
        _screen_and_assess(walk, clock, sid, submitted)
        _interview(walk, clock, sid, submitted)
        _appoint(walk, clock, sid, post_ids)
    return sid


def _check_the_end(app, client, walk: Walk, sid: int) -> None:
    """Completed; every document issued, numbered without gaps; the chain verified."""
    # Publish, close screening, close interviews, complete: the four transitions that issue
    # documents ran as jobs, each followed to its end on the page.
    assert len(walk.jobs) == 4, walk.jobs
    decree = db.session.scalars(
        sa.select(IssuedDocument).where(
            IssuedDocument.selection_id == sid, IssuedDocument.kind == "decree"
        )
    ).one()
    text = pdf_text(read(decree.file))
    assert "KEPUTUSAN WALI KOTA TANGERANG" in text and decree.number in text
    download = client.get(f"/selections/{sid}/documents/{decree.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    ids = db.session.scalars(
        sa.select(IssuedDocument.id).where(IssuedDocument.selection_id == sid)
    ).all()
    assert_all_agree(app, sid, "completed", list(ids))  # and `verify-audit` exits 0


def test_the_demo_selection_from_draft_to_decree_with_the_worker_thread(
    app, client, browser
) -> None:
    # The embedded default's shape (`make run`: SQLite, a worker thread); the PostgreSQL pass
    # walks the same pages on production's shape, RQ and a worker process, below.
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the worker-thread walk runs in the SQLite pass (the embedded default)")
    app.config["JOBS_MODE"] = "thread"
    walk = Walk(browser, lambda: jobs.wait_for_thread(app))
    sid = _walk(walk, simulated_clock)
    _check_the_end(app, client, walk, sid)


def _redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: the RQ walk needs it")
    return connection


def test_the_demo_selection_from_draft_to_decree_with_rq_and_a_worker_process(
    app, client, browser, tmp_path: Path
) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the RQ walk runs in the PostgreSQL pass (production's shape)")
    connection = _redis_or_skip()
    queue = f"openbid-test-{uuid.uuid4().hex[:12]}"
    app.config.update(JOBS_MODE="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE=queue)
    clock_file = tmp_path / "clock"
    env = {
        **cli_env(app),
        "OPENBID_JOBS_MODE": "rq",
        "OPENBID_REDIS_URL": REDIS_URL,
        "OPENBID_JOBS_QUEUE": queue,
    }
    walk = Walk(browser, lambda: time.sleep(0.1))
    worker = None

    @contextmanager
    def clock_for(start: date) -> Iterator[SharedClock]:
        nonlocal worker
        with shared_clock(clock_file, start) as clocked:
            # The worker runs on the walk's clock: the story happens in 2018 for both.
            command = [sys.executable, "-m", "tests.jobs.shared_clock", str(clock_file)]
            worker = subprocess.Popen(
                [*command, "worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            yield clocked

    try:
        sid = _walk(walk, clock_for)
    finally:
        if worker is not None:
            worker.terminate()
            output = worker.communicate(timeout=60)[0].decode(errors="replace")
        for key in connection.scan_iter(f"rq:*{queue}*"):
            connection.delete(key)
    assert worker is not None and "Traceback" not in output, output[-3000:]
    _check_the_end(app, client, walk, sid)
