"""Witnesses outside the database: an insider who rewrites the audit chain is still caught.

The attacker here has database write access and the source: they change, delete or insert
an event, recompute every later hash with the project's own ``audit.compute_hash`` and
update ``audit_chain_head``. What they lack is the signing key, so the chain heads printed
in issued documents and the checkpoint files written outside the database contradict them.
Rendering, the database and the workflow engine are all real.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from openbid import audit, checkpoints
from openbid.documents import render, signing
from openbid.extensions import db
from openbid.models import AuditChainHead, AuditEvent, IssuedDocument, StoredFile
from openbid.stages import documents
from tests.factories import make_agency, make_selection
from tests.stage_factories import publish


def _published() -> int:
    """Publish a selection (two transitions, the announcement issued); return its id."""
    selection, secretariat = make_selection(make_agency(), start=date(2018, 11, 19))
    publish(selection, secretariat)
    return selection.id


def _events(selection_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.chain == audit.chain_for(selection_id))
            .order_by(AuditEvent.seq)
        )
    )


def _rehash_from(selection_id: int, events: list[AuditEvent]) -> None:
    """Renumber and relink ``events`` as the whole chain, as the insider would, and commit."""
    for event in events:  # out of the way first: (chain, seq) is unique
        event.seq += 100_000
    db.session.flush()
    prev = audit.GENESIS_HASH
    for seq, event in enumerate(events, start=1):
        event.seq, event.prev_hash = seq, prev
        event.hash = audit.compute_hash(event)
        prev = event.hash
    head = db.session.get(AuditChainHead, audit.chain_for(selection_id))
    head.seq, head.hash = len(events), prev
    db.session.commit()


def _verify(runner, *args: str) -> Result:
    return runner.invoke(args=["openbid", "verify-audit", *args])


def _snapshot(app: Flask) -> Path:
    """Keep a copy of the checkpoint folder, as an auditor would."""
    kept = Path(app.instance_path) / "auditor-copy"
    shutil.copytree(app.config["CHECKPOINT_DIR"], kept)
    return kept


@pytest.mark.real_pdf  # reads the chain state from the PDF's signed metadata
def test_an_insider_rewrite_contradicts_the_witnesses(app: Flask, runner) -> None:
    selection_id = _published()
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    assert "1 issued documents, 2 checkpoints" in result.output

    document = db.session.scalar(sa.select(IssuedDocument))
    events = _events(selection_id)
    issued = next(e for e in events if e.event == "document_issued")
    # The document recorded the head just before its own event, also in the audit payload.
    assert (document.chain_seq, document.chain_hash) == (issued.seq - 1, issued.prev_hash)
    assert issued.payload["chain_seq"] == document.chain_seq
    pdf = db.session.get(StoredFile, document.file_id)
    data = Path(app.config["FILES_DIR"]) / pdf.sha256[:2] / pdf.sha256[2:4] / pdf.sha256
    pdf_bytes = data.read_bytes()
    assert render.chain_state_in_pdf(pdf_bytes) == (document.chain_seq, document.chain_hash)
    assert f"Rantai audit #{document.chain_seq} · {document.chain_hash[:16]}" in (
        render.pdf_text(pdf_bytes)
    )
    kept = _snapshot(app)

    # 1. Change an early event's payload and recompute every later hash and the head.
    target = events[1]
    target.payload = {**target.payload, "note": "diubah"}
    _rehash_from(selection_id, events)
    assert audit.verify_all(db.session).ok  # the chain alone no longer notices
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"selection {selection_id}, event id {target.id}: event #{target.seq}" in (result.output)
    assert "differs from checkpoint" in result.output
    assert "the chain was rewritten from this event on" in result.output
    # Against the auditor's own copy of the checkpoints too.
    result = _verify(runner, "--checkpoints", str(kept))
    assert result.exit_code == 1
    assert f"event #{target.seq}" in result.output
    # The registry's head is contradicted as well, without any checkpoint at all.
    shutil.rmtree(app.config["CHECKPOINT_DIR"])
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"differs from document {document.number}" in result.output
    shutil.copytree(kept, app.config["CHECKPOINT_DIR"])

    # Undo: the honest chain passes again.
    target.payload = {k: v for k, v in target.payload.items() if k != "note"}
    _rehash_from(selection_id, events)
    assert _verify(runner).exit_code == 0

    # 2. Delete an event, renumber the later ones and rehash.
    removed = events[2]
    db.session.delete(removed)
    db.session.flush()
    remaining = [e for e in events if e is not removed]
    _rehash_from(selection_id, remaining)
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"event #{removed.seq} " in result.output
    assert "differs from checkpoint" in result.output

    # 3. Insert an event (into the original chain) and rehash.
    original = list(events)
    db.session.add(removed := _copy(removed))
    db.session.flush()
    _rehash_from(selection_id, original[:2] + [removed] + original[3:])
    assert _verify(runner).exit_code == 0  # the same events as issued: honest again
    forged = _copy(original[1], event="committee_note")
    db.session.add(forged)
    db.session.flush()
    _rehash_from(selection_id, original[:2] + [forged] + [removed] + original[3:])
    result = _verify(runner)
    assert result.exit_code == 1
    assert "event #3 (committee_note) differs from checkpoint" in result.output


def _copy(original: AuditEvent, **changes: object) -> AuditEvent:
    """Return a new row with an event's content (to re-insert it, or forge a neighbour)."""
    fields = {
        c.key: getattr(original, c.key)
        for c in AuditEvent.__table__.columns
        if c.key not in ("id", "seq", "hash", "prev_hash")
    }
    fields.update(changes)
    return AuditEvent(seq=0, hash="", prev_hash="", **fields)


def test_swapped_and_missing_stored_files_are_named(app: Flask, runner) -> None:
    _published()
    files = db.session.scalars(sa.select(StoredFile).order_by(StoredFile.id)).all()
    assert len(files) >= 2
    first, second = files[0], files[-1]
    root = Path(app.config["FILES_DIR"])

    def path(row: StoredFile) -> Path:
        return root / row.sha256[:2] / row.sha256[2:4] / row.sha256

    a, b = path(first).read_bytes(), path(second).read_bytes()
    path(first).write_bytes(b)
    path(second).write_bytes(a)
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"stored file id {first.id}" in result.output
    assert f"stored file id {second.id}" in result.output
    assert "no longer matches the registry hash" in result.output
    document = db.session.scalar(sa.select(IssuedDocument))
    assert f"document {document.number}" in result.output
    path(first).unlink()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"stored file id {first.id}" in result.output and "the file is missing" in result.output


def test_checkpoints_are_written_at_transitions_and_by_the_command(app: Flask, runner) -> None:
    selection_id = _published()
    folder = Path(app.config["CHECKPOINT_DIR"]) / f"selection-{selection_id}"
    files = sorted(folder.glob("*.json"))
    assert len(files) == 2  # submit_for_approval, publish_announcement
    content = json.loads(files[-1].read_bytes())
    head = db.session.get(AuditChainHead, audit.chain_for(selection_id))
    assert (content["seq"], content["hash"]) == (head.seq, head.hash)
    assert content["signer_certificate"] is None and not files[-1].with_suffix(".sig").exists()
    assert [seq for seq, _ in content["events"]] == list(
        range(content["since"] + 1, content["seq"] + 1)
    )
    # The scheduled command writes the chains that moved since (the system chain), then
    # nothing more.
    created = runner.invoke(
        args=["openbid", "create-user", "--email", "calon@example.org", "--name", "Calon"]
        + ["--role", "candidate", "--password", "rahasia-sekali"]
    )
    assert created.exit_code == 0, created.output
    result = runner.invoke(args=["openbid", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert "system/" in result.output and "unsigned" in result.output
    result = runner.invoke(args=["openbid", "checkpoint"])
    assert result.exit_code == 0 and "Nothing to do" in result.output
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "unsigned" in result.output
    # A missing --checkpoints folder is a usage error: exit 2, nothing checked.
    result = _verify(runner, "--checkpoints", str(folder / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.real_pdf  # reads the chain state from the PDF's signed metadata
def test_signed_witnesses_and_the_verify_page(app: Flask, runner, browser, tmp_path: Path) -> None:
    """Signed: checkpoints verify, a forged one is named; /verify flags appended bytes."""
    cert, key = signing.generate_self_signed(
        tmp_path / "keys", "BKPSDM Contoh", "Kota Contoh", valid_from=datetime(2014, 1, 1)
    )
    app.config.update(SIGNING_CERT=cert, SIGNING_KEY=key, SIGNING_TRUST_ROOTS=(cert,))
    selection_id = _published()
    folder = Path(app.config["CHECKPOINT_DIR"]) / f"selection-{selection_id}"
    paths = sorted(folder.glob("*.json"))
    for path in paths:
        read = checkpoints.read_file(path, (cert,))
        assert read.signature is not None and read.signature.valid and read.signature.trusted
    assert _verify(runner).exit_code == 0

    document = db.session.scalar(sa.select(IssuedDocument))
    assert document.signed
    signed_pdf = documents.document_bytes(document)
    page = browser.client.get(f"/verify/{document.verification_code}").get_data(as_text=True)
    assert "Audit trail consistent" in page or "Rantai audit konsisten" in page
    # Bytes appended after signing: the signature covers only an earlier revision.
    response = browser.post(
        "/verify/",
        data={"file": (io.BytesIO(signed_pdf + b"\n% ditambahkan\n"), "pengumuman.pdf")},
        page="/verify/",
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "hanya mencakup revisi sebelumnya" in html
    assert "Tanda tangan sah" not in html

    # A checkpoint edited after signing is named; its wrong content is not trusted.
    raw = paths[0].read_bytes()
    paths[0].write_bytes(raw.replace(b'"since":0', b'"since":1'))
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"{paths[0].name}): the signature is not valid" in result.output
    paths[0].write_bytes(raw)

    # The rewrite shows on the verification page of the document people already hold.
    events = _events(selection_id)
    events[0].payload = {**events[0].payload, "note": "diubah"}
    _rehash_from(selection_id, events)
    response = browser.post(
        f"/verify/{document.verification_code}",
        data={"file": (io.BytesIO(signed_pdf), "pengumuman.pdf")},
        page=f"/verify/{document.verification_code}",
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "jejak audit telah ditulis ulang" in html
    assert "dibaca dari berkas" in html
