"""A transition's documents after a killed worker or a read-only files folder (issue #12).

The transition commits with its documents numbered ``pending``; a worker renders them with
the real WeasyPrint. Whatever stops it, a retry issues them, and state, numbers, documents
and chain agree (`flask openbid verify-audit` exits 0).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openbid.extensions import db
from openbid.models import IssuedDocument
from openbid.stages import documents
from tests.jobs.helpers import ROOT, assert_all_agree, close_screening_pending

pytestmark = pytest.mark.real_pdf

# A worker process that renders for real, but stops forever inside the second render.
WORKER = """
import sys, time
from pathlib import Path
from config import TestConfig
from openbid.app import create_app
from openbid.documents import render
from openbid.stages import documents

url, instance, marker = sys.argv[1:4]
app = create_app(TestConfig(url, Path(instance)))
real, calls = render.render_pdf, []

def render_then_hang(*args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        Path(marker).write_text("rendering")
        time.sleep(3600)
    return real(*args, **kwargs)

render.render_pdf = render_then_hang
with app.app_context():
    documents.issue_all_pending()
"""


def test_a_worker_killed_while_rendering_then_retried(app, stages, monkeypatch, tmp_path) -> None:
    setup = stages.at("screening")
    ids = close_screening_pending(setup, monkeypatch)
    selection_id = setup.selection.id
    db.session.remove()
    marker = tmp_path / "rendering"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(app.config["INSTANCE_DIR"]),
            str(marker),
        ],
        cwd=ROOT,
    )
    try:
        for _ in range(600):
            if marker.exists() or worker.poll() is not None:
                break
            time.sleep(0.2)
        assert marker.exists(), "the worker never reached the second render"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    first, second = (db.session.get(IssuedDocument, i) for i in ids)
    assert (first.status, second.status) == ("issued", "pending")  # killed in between
    numbers = (first.number, second.number, second.verification_code)

    # The retry through the command, in this process (the killed one was a process).
    retried = app.test_cli_runner().invoke(args=["openbid", "issue-pending"])
    assert retried.exit_code == 0, retried.output
    assert "Issued 1 pending document(s); 0 failed." in retried.stdout
    # The command as an operator runs it; the other job tests invoke it in this process.
    assert_all_agree(app, selection_id, "competency_assessment", ids, verify="process")
    first, second = (db.session.get(IssuedDocument, i) for i in ids)
    assert (first.number, second.number, second.verification_code) == numbers


def test_a_read_only_files_folder_fails_the_job_then_a_retry_issues(app, stages, monkeypatch):
    setup = stages.at("screening")
    ids = close_screening_pending(setup, monkeypatch)
    selection_id = setup.selection.id
    files = Path(app.config["FILES_DIR"])
    files.mkdir(parents=True, exist_ok=True)
    folders = [files, *(p for p in files.rglob("*") if p.is_dir())]
    before = sorted(p for p in files.rglob("*") if p.is_file())
    _read_only(folders, True)
    try:
        issued, failures = documents.issue_all_pending()
    finally:
        _read_only(folders, False)
    assert issued == 0 and len(failures) == 2
    assert all("PermissionError" in failure for failure in failures), failures
    db.session.expire_all()
    rows = [db.session.get(IssuedDocument, i) for i in ids]
    assert [r.status for r in rows] == ["pending", "pending"]
    assert all(r.last_error.startswith("PermissionError") for r in rows)
    assert sorted(p for p in files.rglob("*") if p.is_file()) == before  # nothing half-written

    assert documents.issue_all_pending() == (2, [])
    assert_all_agree(app, selection_id, "competency_assessment", ids)


def _read_only(folders: list[Path], on: bool) -> None:
    """Make folders read-only (immutable for root, who ignores permissions) or writable."""
    if os.geteuid() != 0:
        for folder in folders:
            folder.chmod(stat.S_IRUSR | stat.S_IXUSR if on else stat.S_IRWXU)
        return
    for folder in folders:
        done = subprocess.run(["chattr", "+i" if on else "-i", str(folder)], check=False)
        if done.returncode != 0:
            pytest.skip("chattr cannot make the files folder read-only here")
