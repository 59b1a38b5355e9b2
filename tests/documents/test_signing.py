"""PAdES signing and verification with a self-signed demo certificate (no network)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    load_pem_private_key,
    pkcs12,
)

from openbid.documents.render import pdf_text
from openbid.documents.signing import (
    Signer,
    generate_self_signed,
    sign_pdf,
    verify_signature,
)

from .conftest import DEMO_CN, DEMO_ORG, RenderedSamples

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

WIB = timezone(timedelta(hours=7))
SIGNED_AT = datetime(2019, 1, 14, 10, 0, tzinfo=WIB)


@pytest.fixture(scope="module")
def signed_decree(rendered: RenderedSamples, demo_signer: Signer) -> bytes:
    """The sample decree, signed by the demo agency."""
    return sign_pdf(
        rendered("decree"),
        demo_signer,
        reason="Keputusan Wali Kota Tangerang",
        location="Tangerang",
        timestamp=SIGNED_AT,
    )


def test_signed_document_verifies_against_the_agency_root(
    signed_decree: bytes, demo_keys: tuple[Path, Path]
) -> None:
    report = verify_signature(signed_decree, [demo_keys[0]])
    assert report.signed and report.intact and report.valid
    assert report.signer_name == DEMO_CN
    assert report.signed_at == SIGNED_AT
    assert "sah" in report.summary


def test_signing_keeps_the_content(signed_decree: bytes, rendered: RenderedSamples) -> None:
    assert signed_decree.startswith(rendered("decree"))
    assert pdf_text(signed_decree) == pdf_text(rendered("decree"))


def test_without_trust_roots_intact_but_not_valid(signed_decree: bytes) -> None:
    report = verify_signature(signed_decree, None)
    assert report.signed and report.intact and not report.valid
    assert report.signer_name == DEMO_CN
    assert "tidak dipercaya" in report.summary


def test_another_root_is_not_trusted(signed_decree: bytes, tmp_path: Path) -> None:
    other_cert, _ = generate_self_signed(tmp_path, DEMO_CN, DEMO_ORG)
    report = verify_signature(signed_decree, [other_cert])
    assert report.intact and not report.valid


def test_one_changed_byte_breaks_integrity(
    signed_decree: bytes, rendered: RenderedSamples, demo_keys: tuple[Path, Path]
) -> None:
    position = len(rendered("decree")) // 2  # inside the signed content
    tampered = bytearray(signed_decree)
    tampered[position] ^= 0x01
    report = verify_signature(bytes(tampered), [demo_keys[0]])
    assert report.signed and not report.intact and not report.valid
    assert "berubah" in report.summary


def test_unsigned_and_unreadable_files(rendered: RenderedSamples) -> None:
    report = verify_signature(rendered("decree"))
    assert (report.signed, report.intact, report.valid) == (False, False, False)
    assert "tidak bertanda tangan" in report.summary
    broken = verify_signature(b"bukan PDF")
    assert not broken.signed and "tidak dapat dibaca" in broken.summary


def test_the_signing_time_is_the_given_one(
    rendered: RenderedSamples, demo_signer: Signer, demo_keys: tuple[Path, Path]
) -> None:
    naive = datetime(2019, 1, 14, 10, 0)  # read as WIB
    data = sign_pdf(
        rendered("extension_notice"),
        demo_signer,
        reason="Pengumuman",
        location="Tangerang",
        timestamp=naive,
    )
    report = verify_signature(data, [demo_keys[0]])
    assert report.valid and report.signed_at == SIGNED_AT


def test_generate_self_signed_is_idempotent(tmp_path: Path) -> None:
    cert, key = generate_self_signed(tmp_path, DEMO_CN, DEMO_ORG)
    before = (cert.read_bytes(), key.read_bytes())
    assert generate_self_signed(tmp_path, "Lain", "Lain") == (cert, key)
    assert (cert.read_bytes(), key.read_bytes()) == before
    assert key.stat().st_mode & 0o077 == 0
    certificate = x509.load_pem_x509_certificate(before[0])
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert certificate.public_key().curve.name == "secp256r1"
    assert certificate.subject == certificate.issuer
    assert certificate.subject.rfc4514_string() == f"CN={DEMO_CN},O={DEMO_ORG},C=ID"


def test_pkcs12_with_password(
    tmp_path: Path, demo_keys: tuple[Path, Path], rendered: RenderedSamples
) -> None:
    cert_path, key_path = demo_keys
    bundle = tmp_path / "agency.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"bkpsdm",
            load_pem_private_key(key_path.read_bytes(), None),
            x509.load_pem_x509_certificate(cert_path.read_bytes()),
            None,
            BestAvailableEncryption(b"rahasia"),
        )
    )
    signer = Signer.load(bundle, password="rahasia")
    assert signer.subject_name == DEMO_CN
    data = sign_pdf(
        rendered("extension_notice"),
        signer,
        reason="Pengumuman",
        location="Tangerang",
        timestamp=SIGNED_AT,
    )
    assert verify_signature(data, [cert_path]).valid
    with pytest.raises(ValueError, match="cannot load"):
        Signer.from_pkcs12(bundle, "salah")


def test_pem_loading_errors(demo_keys: tuple[Path, Path], tmp_path: Path) -> None:
    cert_path, key_path = demo_keys
    with pytest.raises(ValueError, match="cannot load"):
        Signer.from_pem(cert_path, cert_path)
    with pytest.raises(ValueError, match="cannot load"):
        Signer.from_pem(tmp_path / "missing.pem", key_path)


def test_each_signing_builds_one_signature_container(
    rendered: RenderedSamples, demo_keys: tuple[Path, Path]
) -> None:
    """The space for the signature is sized once per key, not by a dry run before each."""
    signer = Signer.from_pem(*demo_keys)
    built: list[bool] = []
    inner = signer._signer.async_sign

    async def counted(*args: object, **kwargs: object) -> object:
        built.append(bool(kwargs.get("dry_run")))
        return await inner(*args, **kwargs)

    signer._signer.async_sign = counted
    for reason in ("Keputusan", "Pengumuman dengan alasan yang jauh lebih panjang " * 4):
        data = sign_pdf(
            rendered("decree"), signer, reason=reason, location="Tangerang", timestamp=SIGNED_AT
        )
        assert verify_signature(data, [demo_keys[0]]).valid
    assert built == [True, False, False]
