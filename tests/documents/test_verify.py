"""The public verification page and `flask openbid verify-document`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, IssuedDocument
from openbid.stages import documents
from tests.documents import scenario
from tests.factories import PASSWORD

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures


@pytest.fixture
def issued(stages, app, client) -> tuple[scenario.Scenario, IssuedDocument, bytes]:
    """The scenario's announcement, issued and committed, with its bytes; pages in English."""
    client.get("/verify/?lang=en")  # the session keeps the language; assertions read English
    built = stages.scenario()
    document = scenario.issued(built, "announcement")
    return built, document, documents.document_bytes(document)


def _altered(data: bytes) -> bytes:
    """Change one byte in the middle of the file."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _upload(browser, url: str, data: bytes, name: str = "pengumuman.pdf"):
    return browser.post(
        url,
        {"file": (io.BytesIO(data), name)},
        page=url,
        content_type="multipart/form-data",
    )


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


# --- the page -------------------------------------------------------------------------


def test_page_tells_what_was_issued_by_whom_and_when(client, issued) -> None:
    built, document, _ = issued
    response = client.get(f"/verify/{document.verification_code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert document.number in page
    assert document.sha256 in page
    assert document.title in page
    assert built.selection.title in page
    assert built.agency.name in page
    assert built.secretariat.name in page
    assert "19 Nov 2018 08.00.00 WIB" in page  # issued at 08.00 WIB
    assert "Not signed" in page


def test_unknown_or_malformed_code_is_not_registered(client, issued) -> None:
    for code in ("ZZZZZ-ZZZZZ", "not-a-code", "00000-00000"):
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert code in page
        assert "not registered" in page


def test_a_code_typed_loosely_leads_to_its_page(client, issued) -> None:
    _, document, _ = issued
    loose = document.verification_code.replace("-", "").lower()
    response = client.get(f"/verify/{loose}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{document.verification_code}")
    response = client.get(f"/verify/?code= {loose} ")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/verify/{document.verification_code}")
    response = client.get("/verify/?code=K7QM")
    assert response.status_code == 422
    assert "10" in response.get_data(as_text=True)


def test_uploading_the_registered_file_says_identical(browser, issued) -> None:
    _, document, data = issued
    before = _events()
    response = _upload(browser, f"/verify/{document.verification_code}", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "byte-identical to the registered document" in page
    db.session.expire_all()
    assert _events() == before  # checking writes nothing


def test_uploading_a_file_with_one_byte_changed_says_not_identical(browser, issued) -> None:
    _, document, data = issued
    response = _upload(browser, f"/verify/{document.verification_code}", _altered(data))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "differs from the registered document" in page
    assert "byte-identical to the registered document" not in page


def test_the_general_check_finds_a_document_by_its_content(browser, issued) -> None:
    _, document, data = issued
    page = _upload(browser, "/verify/", data).get_data(as_text=True)
    assert document.number in page and document.verification_code in page
    page = _upload(browser, "/verify/", _altered(data)).get_data(as_text=True)
    # The altered file still prints its code: it is recognised, and refused.
    assert document.verification_code in page
    assert "differs from the registered document" in page
    page = _upload(browser, "/verify/", b"%PDF-1.4 nothing registered").get_data(as_text=True)
    assert "Not registered" in page


def test_bad_uploads_are_refused_with_a_message(browser, issued, app) -> None:
    _, document, _ = issued
    url = f"/verify/{document.verification_code}"
    response = _upload(browser, url, b"")
    assert response.status_code == 422
    response = browser.post(url, {}, page=url, content_type="multipart/form-data")
    assert response.status_code == 422
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = _upload(browser, url, b"%PDF-" + b"x" * 4096)
    assert response.status_code == 413
    response = browser.client.post(
        url,
        data={"file": (io.BytesIO(b"%PDF-"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400  # no CSRF token


def test_auditors_check_a_file_on_the_verify_page(browser, issued) -> None:
    """An auditor uploads the PDF they hold and is told whether it is the registered one."""
    built, document, data = issued
    browser.login(built.auditor.email, PASSWORD)
    url = f"/verify/{document.verification_code}"
    page = browser.client.get(url).get_data(as_text=True)
    assert 'type="file"' in page and "sha256sum" not in page
    response = _upload(browser, url, data)
    assert response.status_code == 200
    assert "byte-identical to the registered document" in response.get_data(as_text=True)
    # The content decides, not the name: the same name with one byte changed is refused.
    page = _upload(browser, url, _altered(data)).get_data(as_text=True)
    assert "differs from the registered document" in page
    # Still a form with a CSRF token and a size limit, as for everyone.
    response = browser.client.post(
        url, data={"file": (io.BytesIO(data), "a.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    browser.client.application.config["VERIFY_MAX_BYTES"] = 16
    assert _upload(browser, url, data).status_code == 413


# --- the command ----------------------------------------------------------------------


def test_command_accepts_the_registered_file(runner, issued, tmp_path: Path) -> None:
    _, document, data = issued
    path = tmp_path / "pengumuman.pdf"
    path.write_bytes(data)
    result = runner.invoke(args=["openbid", "verify-document", str(path)])
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.output
    assert document.number in result.output
    assert document.verification_code in result.output
    assert "Signature:  none" in result.output


def test_command_refuses_a_file_with_one_byte_changed(runner, issued, tmp_path: Path) -> None:
    _, document, data = issued
    path = tmp_path / "pengumuman.pdf"
    path.write_bytes(_altered(data))
    result = runner.invoke(args=["openbid", "verify-document", str(path)])
    assert result.exit_code == 1
    assert "NOT VERIFIED" in result.output
    assert document.verification_code in result.output  # found by the printed code


def test_command_refuses_unknown_and_missing_files(runner, issued, tmp_path: Path) -> None:
    stranger = tmp_path / "lain.pdf"
    stranger.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = runner.invoke(args=["openbid", "verify-document", str(stranger)])
    assert result.exit_code == 1
    assert "no registered document" in result.output
    result = runner.invoke(args=["openbid", "verify-document", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1
    assert "cannot read" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(args=["openbid", "verify-document", str(tmp_path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
