"""An event that issues documents, pressed on the overview page, run by a real job queue.

With the embedded worker thread and with RQ on Redis (a real `flask openbid worker`
process), the button answers at once with the job, the page shows it at work, then its
result, and the documents are issued by the worker (issue #12).
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date

import pytest
import redis

from openbid import jobs
from openbid.extensions import db
from openbid.models import Approval, IssuedDocument, Job, Selection
from openbid.workflow import fire
from tests.factories import PASSWORD, make_agency, make_selection
from tests.jobs.helpers import assert_all_agree, cli_env, flask_cli

REDIS_URL = os.environ.get("OPENBID_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _ready_to_publish():
    """A selection whose plan is approved (KASN letter on file), ready to publish."""
    selection, secretariat = make_selection(make_agency(), positions=2)
    fire(selection, "submit_for_approval", secretariat)
    db.session.add(
        Approval(
            selection_id=selection.id,
            purpose="gate:kasn_recommendation",
            authority="KASN",
            letter_number="B-3870/KASN/11/2018",
            letter_date=date(2018, 11, 16),
            recorded_by_id=secretariat.id,
        )
    )
    db.session.commit()
    return selection, secretariat


def _press_publish(browser, selection: Selection, secretariat) -> int:
    """Log in, press "publish" on the overview; return the job the page reports."""
    browser.login(secretariat.email, PASSWORD)
    page = f"/selections/{selection.id}"
    response = browser.post(
        f"{page}/events/publish_announcement",
        {"version": str(selection.version)},
        page=page,
    )
    assert response.status_code == 303
    found = re.search(r"[?&]job=(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


# Each pass drives one queue through the whole walk (tests/views/test_whole_flow.py: the
# worker thread on SQLite, RQ on PostgreSQL) and the other one here, for publication only.


def _on_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def test_the_embedded_worker_thread_issues_the_announcement(app, client, browser) -> None:
    if not _on_postgres(app):
        pytest.skip("on SQLite the whole walk runs on the worker thread")
    app.config["JOBS_MODE"] = "thread"
    selection, secretariat = _ready_to_publish()
    selection_id = selection.id
    job_id = _press_publish(browser, selection, secretariat)
    jobs.wait_for_thread(app)
    html = client.get(f"/selections/{selection_id}?job={job_id}").get_data(as_text=True)
    assert 'id="job"' in html and "http-equiv" not in html  # finished: no more refreshing
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "done", job.error
    [document_id] = job.result["documents"]
    assert db.session.get(IssuedDocument, document_id).number in html
    assert_all_agree(app, selection_id, "announcement", [document_id])


def test_a_failed_event_shows_its_reason_and_can_be_retried(app, client, browser) -> None:
    app.config["JOBS_MODE"] = "thread"
    selection, secretariat = _ready_to_publish()
    db.session.execute(db.delete(Approval))  # the gate fails in the worker
    db.session.commit()
    selection_id = selection.id
    job_id = _press_publish(browser, selection, secretariat)
    jobs.wait_for_thread(app)
    html = client.get(f"/selections/{selection_id}?job={job_id}").get_data(as_text=True)
    assert "Coba lagi" in html or "Try again" in html
    assert db.session.get(Job, job_id).status == "failed"


def _redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return connection


def test_rq_on_redis_with_a_real_worker_process(app, client, browser) -> None:
    if _on_postgres(app):
        pytest.skip("on PostgreSQL the whole walk runs on RQ and a worker process")
    connection = _redis_or_skip()
    queue = f"openbid-test-{uuid.uuid4().hex[:12]}"
    app.config.update(JOBS_MODE="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE=queue)
    try:
        selection, secretariat = _ready_to_publish()
        selection_id = selection.id
        job_id = _press_publish(browser, selection, secretariat)
        html = client.get(f"/selections/{selection_id}?job={job_id}").get_data(as_text=True)
        assert "http-equiv" in html  # queued: the page refreshes itself until it is done
        db.session.remove()
        env = {
            **cli_env(app),
            "OPENBID_JOBS_MODE": "rq",
            "OPENBID_REDIS_URL": REDIS_URL,
            "OPENBID_JOBS_QUEUE": queue,
        }
        worked = flask_cli(app, "worker", "--burst", env=env)
        assert worked.returncode == 0, worked.stdout + worked.stderr
    finally:
        for key in connection.scan_iter(f"rq:*{queue}*"):
            connection.delete(key)
    job = db.session.get(Job, job_id)
    assert job.status == "done", (job.error, worked.stderr)
    html = client.get(f"/selections/{selection_id}?job={job_id}").get_data(as_text=True)
    assert "http-equiv" not in html
    assert_all_agree(app, selection_id, "announcement", job.result["documents"])
