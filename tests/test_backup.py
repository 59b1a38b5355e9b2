"""Backups: a selection with issued documents survives backup and restore, and verifies.

The restore goes into a second, freshly migrated database (SQLite or PostgreSQL, like the
rest of the suite) with fresh files and checkpoint folders; nothing is mocked.
"""

from __future__ import annotations

import shutil
import tarfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import TestConfig
from openbid import audit
from openbid.app import create_app
from openbid.extensions import db
from openbid.models import AuditChainHead, AuditEvent, IssuedDocument
from openbid.stages import documents
from tests.conftest import ON_POSTGRES, _pg_admin_engine, _pg_url_for
from tests.factories import make_agency, make_selection
from tests.stage_factories import publish


@pytest.fixture
def second_app(database_template: str, tmp_path: Path) -> Iterator[Flask]:
    """Return an app on another fresh, migrated database with empty folders."""
    instance = tmp_path / "restored-instance"
    instance.mkdir()
    if ON_POSTGRES:
        name = f"openbid_r_{uuid.uuid4().hex[:16]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{database_template}"'))
        url = _pg_url_for(name)
    else:
        shutil.copyfile(database_template, tmp_path / "restored.db")
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    application = create_app(TestConfig(url, instance))
    yield application
    with application.app_context():
        db.engine.dispose()
    if ON_POSTGRES:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_restore_then_everything_verifies(
    app: Flask, runner, second_app: Flask, tmp_path: Path
) -> None:
    selection, secretariat = make_selection(make_agency(), start=date(2018, 11, 19))
    publish(selection, secretariat)
    issued = db.session.scalars(sa.select(IssuedDocument)).all()
    assert issued
    pdfs = []
    for document in issued:
        pdfs.append(tmp_path / f"{document.id}.pdf")
        pdfs[-1].write_bytes(documents.document_bytes(document))
    archive = tmp_path / "openbid-backup.tar.gz"
    result = runner.invoke(args=["openbid", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names and "tables/audit_event.jsonl" in names
    assert any(n.startswith("files/") for n in names)
    assert any(n.startswith("checkpoints/selection-") for n in names)
    # The same file name twice is refused, and nothing is overwritten.
    again = runner.invoke(args=["openbid", "backup", str(archive)])
    assert again.exit_code == 2 and "already exists" in again.output
    kept = tmp_path / "auditor-checkpoints"
    shutil.copytree(app.config["CHECKPOINT_DIR"], kept)

    runner2 = second_app.test_cli_runner()

    def restored(*args: str):
        # The CLI runs in whichever app context is current: make it the restored app's.
        with second_app.app_context():
            return runner2.invoke(args=["openbid", *args])

    bad = restored("restore", str(pdfs[0]))
    assert bad.exit_code == 2 and "as a tar.gz archive" in bad.output
    result = restored("restore", str(archive))
    assert result.exit_code == 0, result.output
    result = restored("verify-audit")
    assert result.exit_code == 0, result.output
    assert f"{len(issued)} issued documents" in result.output
    for pdf in pdfs:
        result = restored("verify-document", str(pdf))
        assert result.exit_code == 0, result.output
        assert "VERIFIED" in result.output
    # A second restore into the now-full database is refused.
    result = restored("restore", str(archive))
    assert result.exit_code == 1 and "not empty" in result.output

    with second_app.app_context():
        # New rows get new ids (PostgreSQL's sequences were moved past the restored ones).
        another, who = make_selection(make_agency(), start=date(2018, 11, 19))
        assert another.id > selection.id
        # An insider rewrites the restored chain; the auditor's own checkpoints notice.
        chain = audit.chain_for(selection.id)
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
        ).all()
        events[0].payload = {**events[0].payload, "title": "diubah"}
        prev = audit.GENESIS_HASH
        for event in events:
            event.prev_hash = prev
            event.hash = prev = audit.compute_hash(event)
        head = db.session.get(AuditChainHead, chain)
        head.hash = prev
        db.session.commit()
        first_id = events[0].id
        db.session.remove()
    shutil.rmtree(second_app.config["CHECKPOINT_DIR"])
    result = restored("verify-audit", "--checkpoints", str(kept))
    assert result.exit_code == 1
    assert f"selection {selection.id}, event id {first_id}: event #1" in result.output
