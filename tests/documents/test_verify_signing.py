"""Signed documents: configuration, the demo's own certificate, and validation with pyHanko."""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from config import Config, ConfigError, TestConfig
from openbid.app import create_app
from openbid.documents import render
from openbid.documents.render import pdf_text
from openbid.documents.signing import generate_self_signed
from openbid.extensions import db
from openbid.stages import documents
from openbid.stages import documents as document_contexts
from tests.documents import scenario
from tests.pdfs import draft_renderer
from tests.startup import stop_at_start_up

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

CN, ORG = "BKPSDM Kota Contoh", "Pemerintah Kota Contoh"


def _scenario(stages) -> scenario.Scenario:
    """The scenario run through the engine, its own documents issued cheaply and unsigned.

    What a test examines is then issued again (``_issue_again``) with WeasyPrint and the
    test's signing set-up, so only that one document pays for a real render and signature.
    """
    with render.use_renderer(draft_renderer):
        return stages.scenario()


def _issue_again(built: scenario.Scenario, kind: str):
    """Issue another document of a kind for the scenario's selection, now."""
    at = scenario.ISSUE_TIMES[kind]
    context = document_contexts.build_context(
        db.session, kind, built.selection, issued_at=at, actor=built.secretariat
    )
    document = documents.issue_document(
        db.session,
        kind=kind,
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=at,
    )
    db.session.commit()
    return document


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key, valid since 2014 (the documents are dated 2018)."""
    return generate_self_signed(tmp_path / "keys", CN, ORG, valid_from=datetime(2014, 1, 1))


@pytest.fixture
def signing_app(app, keys):
    """The test app signing with the configured certificate, trusting it as a root."""
    cert, key = keys
    app.config.update(SIGNING_CERT=cert, SIGNING_KEY=key, SIGNING_TRUST_ROOTS=(cert,))
    return app


def test_a_signed_document_validates_with_pyhanko(signing_app, keys, stages) -> None:
    built = _scenario(stages)
    document = _issue_again(built, "decree")
    assert document.signed
    data = documents.document_bytes(document)
    assert document.verification_code in pdf_text(data)
    reader = PdfFileReader(io.BytesIO(data))
    [signature] = reader.embedded_regular_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(keys[0]))])
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == CN
    assert status.signer_reported_dt == scenario.ISSUE_TIMES["decree"]


def test_verify_page_and_command_report_the_signature(
    signing_app,
    client,
    runner,
    tmp_path: Path,
    stages,
) -> None:
    built = _scenario(stages)
    document = _issue_again(built, "announcement")
    page = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "Valid signature" in page
    assert CN in page
    path = tmp_path / "signed.pdf"
    path.write_bytes(documents.document_bytes(document))
    result = runner.invoke(args=["openbid", "verify-document", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Signature:  valid; signer {CN}" in result.output


def test_without_trust_roots_the_signature_is_intact_but_not_trusted(
    app, keys, client, stages
) -> None:
    cert, key = keys
    app.config.update(SIGNING_CERT=cert, SIGNING_KEY=key, SIGNING_TRUST_ROOTS=())
    built = _scenario(stages)
    document = _issue_again(built, "announcement")
    report = documents.check_file(db.session, documents.document_bytes(document)).signature
    assert report.signed and report.intact and not report.valid
    page = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "Intact, signer not trusted" in page


def test_the_signer_is_loaded_once(signing_app) -> None:
    assert documents.current_signer() is documents.current_signer()


def test_the_demo_certificate_in_the_instance_folder_signs(app, stages) -> None:
    assert documents.signing_setup() is None
    built = _scenario(stages)
    assert _issue_again(built, "announcement").signed is False  # no certificate yet
    cert, _key = documents.ensure_demo_signing(CN, ORG)
    setup = documents.signing_setup()
    assert setup.source == "instance" and setup.trust_roots == (cert,)
    document = _issue_again(built, "announcement")  # the same people cannot apply twice
    assert document.signed
    report = documents.check_file(db.session, documents.document_bytes(document)).signature
    assert report.valid and report.signer_name == CN
    assert documents.ensure_demo_signing(CN, ORG) == (cert, _key)  # created once, then kept


def test_configured_signing_takes_precedence_over_the_demo_files(signing_app, keys) -> None:
    documents.ensure_demo_signing(CN, ORG)
    setup = documents.signing_setup()
    assert (setup.source, setup.cert) == ("environment", keys[0])


def test_signing_variables_are_checked(tmp_path: Path, monkeypatch, keys) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("OPENBID_SIGNING_CERT", raising=False)
    monkeypatch.setenv("OPENBID_SIGNING_KEY", str(keys[1]))
    with pytest.raises(ConfigError, match="set OPENBID_SIGNING_CERT"):
        Config()
    monkeypatch.setenv("OPENBID_SIGNING_CERT", str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match="OPENBID_SIGNING_CERT names .*missing.pem"):
        Config()
    monkeypatch.setenv("OPENBID_SIGNING_CERT", str(keys[0]))
    monkeypatch.setenv("OPENBID_SIGNING_TRUST_ROOTS", f"{keys[0]}{os.pathsep}{tmp_path}/nope.pem")
    with pytest.raises(ConfigError, match="OPENBID_SIGNING_TRUST_ROOTS names"):
        Config()
    monkeypatch.setenv("OPENBID_SIGNING_TRUST_ROOTS", str(keys[0]))
    config = Config()
    assert (config.SIGNING_CERT, config.SIGNING_KEY) == keys
    assert config.SIGNING_TRUST_ROOTS == (keys[0],)


def test_an_unusable_key_stops_start_up(database_url: str, tmp_path: Path, keys) -> None:
    garbage = tmp_path / "key.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    config = TestConfig(database_url, tmp_path)
    config.SIGNING_CERT, config.SIGNING_KEY = keys[0], garbage
    with pytest.raises(ConfigError, match="cannot load a certificate and private key"):
        create_app(config)


def test_start_up_with_a_missing_signing_file_prints_a_message(tmp_path: Path, monkeypatch) -> None:
    stopped = stop_at_start_up(
        monkeypatch, tmp_path, OPENBID_SIGNING_CERT=str(tmp_path / "nope.p12")
    )
    assert stopped.code.startswith("openbid cannot start: OPENBID_SIGNING_CERT names")
