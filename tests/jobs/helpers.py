"""Shared steps of the job tests: a transition left with pending documents, and checks."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from openbid import audit, jobs, storage
from openbid.extensions import db
from openbid.models import AuditEvent, DocumentCounter, IssuedDocument, Selection
from openbid.workflow import fire
from tests.stage_factories import Setup, pass_everyone

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def close_screening_pending(setup: Setup, monkeypatch) -> list[int]:
    """Close screening (two documents) with the queue holding the issuing job back.

    Returns the ids of the two documents, committed ``pending`` with the transition.
    """
    held: list[tuple] = []
    pass_everyone(setup)
    with monkeypatch.context() as patch:
        patch.setattr(jobs, "enqueue", lambda path, *args: held.append((path, args)))
        result = fire(setup.selection, "close_screening", setup.secretariat)
    ids = result.outputs["documents"]
    issuing = [args for path, args in held if path.endswith("pending:issue_documents")]
    assert issuing == [(ids,)]  # held back (mail, enqueued too, is held as well)
    assert [db.session.get(IssuedDocument, i).status for i in ids] == ["pending", "pending"]
    return ids


def cli_env(app: Flask) -> dict[str, str]:
    """The environment that makes `flask --app wsgi` use this test's database and folders."""
    instance = Path(app.config["INSTANCE_DIR"])
    return {
        **os.environ,
        "OPENBID_INSTANCE_DIR": str(instance),
        "OPENBID_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "OPENBID_FILES_DIR": str(app.config["FILES_DIR"]),
        "OPENBID_CHECKPOINT_DIR": str(app.config["CHECKPOINT_DIR"]),
        "OPENBID_MAIL_OUTBOX_DIR": str(app.config["MAIL_OUTBOX_DIR"]),
        "OPENBID_JOBS_MODE": "eager",
        "OPENBID_LOG_LEVEL": "WARNING",
    }


def flask_cli(app: Flask, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi openbid ARGS` on this test's database."""
    return subprocess.run(
        [str(FLASK), "--app", "wsgi", "openbid", *args],
        cwd=ROOT,
        env=env or cli_env(app),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_all_agree(
    app: Flask, selection_id: int, state: str, ids: list[int], *, verify: str = "command"
) -> None:
    """State, numbers, documents and the chain agree, and `verify-audit` exits 0.

    ``verify`` says how the chains are checked: ``"process"`` runs `flask --app wsgi openbid
    verify-audit` in a process of its own, as an operator does; ``"command"`` invokes the
    same command through the app's CLI runner, without an interpreter that imports the whole
    app again (seconds); ``"chains"`` only verifies the chains (a test whose subject is not
    the command).
    """
    db.session.expire_all()
    selection = db.session.get(Selection, selection_id)
    assert selection.state == state
    documents = [db.session.get(IssuedDocument, i) for i in ids]
    assert [d.status for d in documents] == ["issued"] * len(ids)
    for document in documents:
        data = storage.storage().get(document.sha256)
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert data.startswith(b"%PDF")
        events = db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.event == "document_issued", AuditEvent.subject_id == document.id
            )
        ).all()
        assert len(events) == 1 and events[0].payload["sha256"] == document.sha256
    # Gapless: every counter's last number is the count of its documents, 1..n each.
    for counter in db.session.scalars(sa.select(DocumentCounter)):
        seqs = db.session.scalars(
            sa.select(IssuedDocument.seq).where(
                IssuedDocument.agency_id == counter.agency_id,
                IssuedDocument.series == counter.series,
                IssuedDocument.year == counter.year,
            )
        ).all()
        assert sorted(seqs) == list(range(1, counter.last_seq + 1))
    if verify == "chains":
        assert audit.verify_all(db.session).ok
        return
    db.session.remove()
    if verify == "process":
        checked = flask_cli(app, "verify-audit")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    else:
        assert verify == "command", verify
        checked = app.test_cli_runner().invoke(args=["openbid", "verify-audit"])
        assert checked.exit_code == 0, checked.output
    assert "OK: " in checked.stdout and "Pending:" not in checked.stdout
