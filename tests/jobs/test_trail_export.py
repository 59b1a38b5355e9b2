"""The auditor's trail export runs in a job, never in the web request, and shows its progress.

With the embedded worker thread: the button answers at once with the selection's page and
its progress area; a failed render is shown with its reason and a "try again" button, and
trying again issues the same numbered export (no number lost, none doubled).
"""

from __future__ import annotations

import re
import threading

from openbid import jobs
from openbid.documents import render
from openbid.extensions import db
from openbid.models import IssuedDocument, Job
from tests.factories import PASSWORD
from tests.jobs.helpers import assert_all_agree


def test_the_trail_export_runs_in_the_worker_and_a_failure_can_be_retried(
    app, client, browser, stages, monkeypatch
) -> None:
    built = stages.scenario()
    app.config["JOBS_MODE"] = "thread"
    selection_id = built.selection.id
    released, threads = threading.Event(), []
    failing = {"error": "No space left on device"}
    original = render.render_pdf

    def held_render(template_name, context, **kwargs):
        threads.append(threading.current_thread().name)
        assert released.wait(60), "the test never released the worker"
        if failing["error"]:
            raise OSError(failing["error"])
        return original(template_name, context, **kwargs)

    monkeypatch.setattr(render, "render_pdf", held_render)
    browser.login(built.auditor.email, PASSWORD)
    client.get("/audit/?lang=en")
    page = f"/audit/selections/{selection_id}"

    response = browser.post(f"{page}/trail.pdf", page=page)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"{page}?export=") and location.endswith("#export")
    job_id = int(re.search(r"export=(\d+)", location).group(1))
    at_work = client.get(location).get_data(as_text=True)
    assert 'id="export"' in at_work and 'http-equiv="refresh"' in at_work
    assert "Work in progress" in at_work

    released.set()  # the render fails: the disk is full
    jobs.wait_for_thread(app)
    failed = client.get(location).get_data(as_text=True)
    assert "The work failed" in failed and "No space left on device" in failed
    assert "http-equiv" not in failed and "Try again" in failed
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == "failed"
    pending = db.session.query(IssuedDocument).filter_by(kind="audit_trail").one()
    assert pending.pending and "No space left on device" in pending.last_error

    failing["error"] = None  # space freed; the auditor tries again
    retried = browser.post(f"{page}/trail.pdf", page=page)
    jobs.wait_for_thread(app)
    done = client.get(retried.headers["Location"]).get_data(as_text=True)
    assert "http-equiv" not in done and "Done" in done
    assert f'href="/audit/documents/{pending.id}"' in done and pending.number in done
    assert threads and set(threads) == {"openbid-jobs"}  # never in the request's thread
    assert_all_agree(app, selection_id, built.selection.state, [pending.id], verify="chains")
