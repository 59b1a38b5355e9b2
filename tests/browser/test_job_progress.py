"""The overview's job progress area in the real browser: while the work runs and after it
failed, at desktop and phone width; it fits, passes axe, and each state is screenshotted.

The jobs are rows written straight into the demo's database (nothing runs them) and removed
afterwards, so the other browser tests see the demo as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from openbid import demo, jobs
from openbid.extensions import db
from openbid.models import IssuedDocument, Job, JobStatus, User
from openbid.rules.reasons import Reason
from openbid.stages import documents
from tests.browser.conftest import WIDTHS, LiveServer

# Where the screenshots go to be looked at (the test's own folder unless this is set).
SHOTS_DIR = "OPENBID_BROWSER_SHOTS"


@pytest.fixture
def job_rows(live_server: LiveServer) -> Iterator[dict[str, int]]:
    """A job at work (its documents issued so far listed) and one that failed, by state."""
    with live_server.app.app_context():
        selection = demo.demo_selection()  # Kota Tangerang's (the demo has two agencies)
        secretariat = db.session.scalars(sa.select(User).where(User.email.like("lutfi@%"))).one()
        issued = db.session.scalars(
            sa.select(IssuedDocument.id).where(IssuedDocument.selection_id == selection.id)
        ).all()[:2]
        full = jobs.reason_to_json(
            Reason("jobs.error", jobs.UNEXPECTED, {"error": "OSError: No space left on device"})
        )

        def job(status: str, **fields) -> Job:
            return Job(
                func=documents.RUN_EVENT,
                args={"event": "complete", "data": {}, "expected_version": selection.version},
                status=status,
                selection_id=selection.id,
                actor_id=secretariat.id,
                **fields,
            )

        rows = {
            "running": job(JobStatus.RUNNING, result={"fired": True, "documents": issued}),
            "failed": job(
                JobStatus.FAILED,
                result={"fired": True, "documents": issued},
                error={"reasons": [full], "status": 500},
            ),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {state: row.id for state, row in rows.items()}
        selection_id = selection.id
        db.session.remove()
    try:
        yield {"selection": selection_id, **ids}
    finally:
        with live_server.app.app_context():
            db.session.execute(sa.delete(Job).where(Job.id.in_(ids.values())))
            db.session.commit()
            db.session.remove()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_job_progress_area_at_work_and_failed(
    width: int, tabs, job_rows, tmp_path: Path
) -> None:
    tab = tabs("sekretariat", width)
    shots = Path(os.environ.get(SHOTS_DIR) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for state in ("running", "failed"):
        path = f"/selections/{job_rows['selection']}?job={job_rows[state]}"
        visit = tab.open(path)
        area = tab.do(lambda page: page.inner_text("#job"))
        if state == "running":
            assert "Sedang dikerjakan" in area or "Work in progress" in area, area
            # It updates itself in place (openbid.js), not by reloading the page under the
            # reader (axe's meta-refresh; the <noscript> refresh is only for no JavaScript).
            assert tab.do(lambda page: page.locator("#job[data-poll]").count()) == 1
        else:
            assert "No space left on device" in area, area
            assert tab.do(lambda page: page.locator("#job[data-poll]").count()) == 0
            assert tab.do(lambda page: page.locator("#job button[type=submit]").count()) == 1
        tab.do(lambda page: page.locator("#job").scroll_into_view_if_needed())
        tab.screenshot(shots / f"job-{state}-{width}.png")
        if visit.status != 200:
            problems.append(f"{state}: status {visit.status}")
        if visit.scroll_width > visit.inner_width:
            problems.append(f"{state}: {visit.scroll_width} px wide at {visit.inner_width}")
        problems += [f"{state}: {line}" for line in visit.blocking()]
    assert not problems, "\n".join(problems)
