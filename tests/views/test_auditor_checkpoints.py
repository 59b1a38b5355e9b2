"""Auditors see and download a selection's checkpoints; nobody else does."""

from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, Role
from tests.factories import PASSWORD, make_agency, make_user


def _hash_at(selection_id: int, seq: int) -> str:
    return db.session.scalar(
        sa.select(AuditEvent.hash).where(
            AuditEvent.chain == f"selection:{selection_id}", AuditEvent.seq == seq
        )
    )


def test_the_auditor_lists_and_downloads_the_checkpoints(stages, app, browser) -> None:
    setup = stages.at("screening")  # three transitions so far, each wrote a checkpoint
    auditor = make_user(Role.AUDITOR, setup.agency)
    browser.login(auditor.email, PASSWORD)
    page = browser.client.get(f"/audit/selections/{setup.selection.id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Checkpoints" in html and "unsigned" in html  # the test agency has no signing key

    download = browser.client.get(f"/audit/selections/{setup.selection.id}/checkpoints.zip")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".json"))
        written = [json.loads(archive.read(name)) for name in names]
    assert len(written) >= 3, names
    for checkpoint in written:
        assert checkpoint["selection_id"] == setup.selection.id
        assert checkpoint["hash"] == _hash_at(setup.selection.id, checkpoint["seq"])
        assert checkpoint["hash"][:16] in html  # each is listed on the page


def test_others_cannot_read_the_checkpoints(stages, app, client, browser) -> None:
    setup = stages.at("screening")
    url = f"/audit/selections/{setup.selection.id}/checkpoints.zip"
    assert client.get(url).status_code in (302, 401)  # not logged in: to the log-in page
    elsewhere = make_user(Role.AUDITOR, make_agency())
    browser.login(elsewhere.email, PASSWORD)
    assert client.get(url).status_code in (403, 404)
    browser.post("/auth/logout")
    candidate = make_user(Role.CANDIDATE)
    browser.login(candidate.email, PASSWORD)
    assert client.get(url).status_code == 403
