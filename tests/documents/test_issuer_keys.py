"""Each agency signs with its own key; keys are imported by command; old documents verify."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest

from openbid.documents.signing import generate_self_signed
from openbid.extensions import db
from openbid.models import DocumentStatus, IssuedDocument
from openbid.stages import documents
from openbid.stages.documents.issuing import reserve_document
from tests.documents import scenario
from tests.documents.test_verify_signing import _issue_again, _scenario

pytestmark = pytest.mark.real_pdf  # examines issued PDFs' signatures

PLATFORM_CN = "openbid (demo)"


def _signer_of(document) -> str | None:
    report = documents.check_file(db.session, documents.document_bytes(document)).signature
    assert report.valid, report.summary
    return report.signer_name


def test_an_agency_signs_with_its_own_key_and_old_documents_still_verify(
    app, stages, client, runner, tmp_path: Path
) -> None:
    built = _scenario(stages)
    code = built.selection.agency.code
    documents.ensure_demo_signing(PLATFORM_CN, "openbid")
    before = _issue_again(built, "announcement")
    assert _signer_of(before) == PLATFORM_CN  # no own key yet: the platform's signs

    documents.ensure_issuer_signing(documents.AGENCY, code, "BKPSDM Kota Contoh", "Kota Contoh")
    key = documents.issuer_folder(documents.AGENCY, code) / "signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    decree = _issue_again(built, "decree")
    assert _signer_of(decree) == "BKPSDM Kota Contoh"
    assert _signer_of(before) == PLATFORM_CN  # still verifies, with its own signer

    # Production: the agency's real key is imported; what the demo key signed verifies on.
    cert, key = generate_self_signed(
        tmp_path / "real",
        "BKPSDM Kota Contoh (BSrE)",
        "Kota Contoh",
        valid_from=datetime(2014, 1, 1),
    )
    args = ["admin", "import-signing-key", "--agency", code, "--cert", str(cert), "--key", str(key)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "now signs as 'BKPSDM Kota Contoh (BSrE)'" in result.output
    minutes = _issue_again(built, "plenary_minutes")
    assert _signer_of(minutes) == "BKPSDM Kota Contoh (BSrE)"
    assert _signer_of(decree) == "BKPSDM Kota Contoh"
    page = client.get(f"/verify/{decree.verification_code}?lang=en").get_data(as_text=True)
    assert "Valid signature" in page and "BKPSDM Kota Contoh" in page
    path = tmp_path / "decree.pdf"
    path.write_bytes(documents.document_bytes(minutes))
    result = runner.invoke(args=["openbid", "verify-document", str(path)])
    assert "Signature:  valid; signer BKPSDM Kota Contoh (BSrE)" in result.output


def test_the_import_refuses_a_key_that_is_not_the_certificates(
    app, runner, stages, tmp_path: Path
) -> None:
    built = _scenario(stages)
    cert, _key = generate_self_signed(tmp_path / "a", "A", "A")
    _cert, other_key = generate_self_signed(tmp_path / "b", "B", "B")
    code = built.selection.agency.code
    args = ["admin", "import-signing-key", "--agency", code, "--cert", str(cert)]
    result = runner.invoke(args=[*args, "--key", str(other_key)])
    assert result.exit_code != 0 and "cannot be used" in result.output
    assert not documents.issuer_folder(documents.AGENCY, code).exists()
    result = runner.invoke(
        args=["admin", "import-signing-key", "--agency", "nope", "--cert", str(cert)]
    )
    assert result.exit_code != 0 and "no agency 'nope'" in result.output
    result = runner.invoke(args=["admin", "import-signing-key", "--cert", str(cert)])
    assert result.exit_code != 0 and "either --agency or --body" in result.output


def test_a_document_rendered_by_the_job_is_signed_with_its_agencys_key(app, stages) -> None:
    built = _scenario(stages)
    code = built.selection.agency.code
    documents.ensure_demo_signing(PLATFORM_CN, "openbid")
    documents.ensure_issuer_signing(documents.AGENCY, code, "BKPSDM Kota Contoh", "Kota Contoh")
    at = scenario.ISSUE_TIMES["decree"]
    context = documents.build_context(
        db.session, "decree", built.selection, issued_at=at, actor=built.secretariat
    )
    reserved = reserve_document(
        db.session,
        kind="decree",
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=at,
    )
    db.session.commit()
    documents.issue_pending(db.session, reserved.id)  # False when the queue ran it already
    document = db.session.get(IssuedDocument, reserved.id)
    db.session.refresh(document)
    assert document.status == DocumentStatus.ISSUED and document.signed
    assert _signer_of(document) == "BKPSDM Kota Contoh"
