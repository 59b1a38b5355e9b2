"""The candidate's several-documents upload and the member's score confirmation, in Chromium.

These pages need states the demo (at the appointment stage) does not have: an application
still in draft with registration open, and a selection in the interview. One small database
is built for them once per test process and served beside the demo.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from config import TestConfig
from openbid import clock
from openbid.app import create_app
from openbid.documents import render
from openbid.extensions import db
from openbid.models import ApplicationDocument
from openbid.stages import applications as portal
from tests.browser.conftest import HEIGHT, WIDTHS, LiveServer, Tab, serving_axe
from tests.factories import PASSWORD, make_agency
from tests.interview_factories import members, selection_in_interview
from tests.pdfs import draft_renderer
from tests.portal.helpers import candidate, open_selection, profile_form, raw_profile
from tests.stage_factories import tiny_pdf


@pytest.fixture(scope="module")
def shots() -> Path | None:
    """Return the folder OPENBID_SCREENSHOTS names, for screenshots to look at; else None.

    Full-page screenshots of a 4,000 px phone page cost seconds: taken only when asked for.
    """
    folder = os.environ.get("OPENBID_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def _build(root: Path) -> tuple[LiveServer, dict]:
    instance = root / "instance"
    instance.mkdir()
    app = create_app(TestConfig(f"sqlite:///{root / 'pages.db'}", instance))
    with app.app_context(), render.use_renderer(draft_renderer):
        upgrade()
        selection, _ = open_selection(make_agency())
        user = candidate()
        # Performance ratings of the two years before the real clock's (the server's) year.
        year = clock.now().year
        ratings = {"ratings-0-year": str(year - 1), "ratings-1-year": str(year - 2)}
        portal.save_profile(user, raw_profile(profile_form(**ratings)))
        application = portal.start_application(user, selection.positions[0])
        interview = selection_in_interview(make_agency(), per_post=4)
        ids = {
            "candidate": user.email,
            "application": application.id,
            "member": members(interview)[0].email,
            "selection": interview.selection.id,
            "scored": interview.applications[0].id,
        }
        db.session.remove()
    return LiveServer("", app), ids


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    """Serve the draft application and the interview on a free port of 127.0.0.1."""
    server, ids = _build(tmp_path_factory.mktemp("browser-pages"))
    http = make_server("127.0.0.1", 0, serving_axe(server.app), threaded=True)
    thread = threading.Thread(target=http.serve_forever, name="pages-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{http.server_port}", server.app), ids
    finally:
        http.shutdown()
        thread.join()
        with server.app.app_context():
            db.engine.dispose()


def _tab(chromium, base: str, width: int, email: str) -> Tab:
    page = chromium.run(
        lambda: chromium.browser.new_context(
            viewport={"width": width, "height": HEIGHT}, bypass_csp=True
        ).new_page()
    )
    tab = Tab(chromium, page, base)
    tab.login(email, PASSWORD)
    return tab


def _fits_and_passes(visit, where: str) -> None:
    assert visit.scroll_width <= visit.inner_width, f"{where}: {visit.scroll_width} px wide"
    assert not visit.blocking(), f"{where}: {visit.blocking()}"


def _pdf(name: str) -> dict:
    return {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf(name)}


def _choose_and_upload(page) -> dict:
    page.set_input_files("#file-cv", _pdf("cv"))
    page.set_input_files("#file-skp", _pdf("skp"))
    fake = {"name": "ijazah.pdf", "mimeType": "application/pdf", "buffer": b"\x89PNG\r\n" * 40}
    page.set_input_files("#file-ijazah", fake)
    page.click("form[data-multi-upload] button[type=submit]")
    page.wait_for_function("document.querySelector('.upload-summary').textContent.length > 0")
    return page.evaluate(
        """() => Object.fromEntries(['cv', 'skp', 'ijazah'].map(code => {
            const box = document.getElementById('file-' + code).parentNode;
            return [code, {result: box.querySelector('.upload-result').className,
                           text: box.querySelector('.upload-result').textContent,
                           progress: box.querySelector('progress').value,
                           bar: !box.querySelector('progress').hidden}];
        }))"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_several_documents_upload_with_progress_and_a_result_per_file(
    width: int, chromium, pages, shots: Path | None
) -> None:
    server, ids = pages
    tab = _tab(chromium, server.url, width, ids["candidate"])
    path = f"/portal/applications/{ids['application']}"
    tab.do(lambda page: page.goto(server.url + path))  # axe runs once, on the results
    results = tab.do(_choose_and_upload)
    assert results["cv"]["result"].endswith(" ok") and results["cv"]["progress"] == 100
    assert results["skp"]["result"].endswith(" ok") and results["skp"]["progress"] == 100
    assert results["ijazah"]["result"].endswith(" bad") and not results["ijazah"]["bar"]
    assert "bukan dokumen PDF" in results["ijazah"]["text"]
    summary = tab.do(lambda page: page.text_content(".upload-summary"))
    assert summary == "2 dari 3 berkas terunggah."
    _fits_and_passes(tab.check(), f"{path} after the uploads")
    if shots is not None:
        tab.screenshot(shots / f"portal-upload-{width}.png")
        tab.do(
            lambda page: page.locator("#documents ol").screenshot(path=shots / f"docs-{width}.png")
        )
    badge = tab.do(lambda page: page.text_content("#doc-skp .doc-state .badge"))
    assert badge.strip() == "Sudah diunggah"  # the row says so without a reload
    with server.app.app_context():
        stored = db.session.scalars(
            sa.select(ApplicationDocument.doc_type).where(
                ApplicationDocument.application_id == ids["application"],
                ApplicationDocument.superseded_at.is_(None),
            )
        ).all()
        db.session.remove()
    assert sorted(stored) == ["cv", "skp"]
    tab.do(lambda page: page.context.close())


@pytest.mark.parametrize("width", WIDTHS)
def test_a_score_asks_for_confirmation_and_flags_an_unusual_one(
    width: int, chromium, pages, shots: Path | None
) -> None:
    server, ids = pages
    tab = _tab(chromium, server.url, width, ids["member"])
    path = f"/selections/{ids['selection']}/interview"
    tab.do(lambda page: page.goto(server.url + path))  # the list is another helper's page

    def enter(page) -> str:
        page.fill(f"#score-{ids['scored']}", "8")
        page.click(f"#c{ids['scored']} form.score-form button[type=submit]")
        page.wait_for_load_state()
        return page.text_content("main")

    text = tab.do(enter)
    assert "8.00 untuk" in text and "apakah Anda yakin?" in text
    assert "jauh dari rentang nilai wawancara yang lazim" in text
    _fits_and_passes(tab.check(), "score confirmation")
    if shots is not None:
        tab.screenshot(shots / f"score-confirm-{width}.png")
    tab.do(lambda page: page.context.close())
