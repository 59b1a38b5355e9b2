"""PAdES signatures on generated documents (pyHanko), and checking them.

Signatures are PAdES baseline B-B: no timestamp authority and no revocation data are
fetched, so signing and verifying never touch the network. The signing time is given
by the caller, so two signings of the same PDF differ only in the signature value
itself (ECDSA signatures are randomised): register the hash of the signed bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from openbid.documents.formatting import WIB

PathLike = str | os.PathLike[str]


class Signer:
    """An agency's signing key and certificate, loaded once and reused per document."""

    def __init__(self, signer: signers.SimpleSigner) -> None:
        """Wrap a loaded pyHanko signer; use :meth:`load` or the ``from_*`` methods."""
        self._signer = signer
        # pyHanko signers are not documented as thread-safe; signing takes ~30 ms.
        self._lock = threading.Lock()
        self._reserved: int | None = None

    @classmethod
    def from_pkcs12(cls, path: PathLike, password: str | bytes | None = None) -> Signer:
        """Load a signer from a PKCS#12 (.p12/.pfx) file.

        :raises ValueError: when the file cannot be read or the password is wrong.
        """
        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=_as_bytes(password))
        if signer is None:
            raise ValueError(f"cannot load a key and certificate from {path}")
        return cls(signer)

    @classmethod
    def from_pem(
        cls,
        cert_path: PathLike,
        key_path: PathLike,
        password: str | bytes | None = None,
        *,
        chain: Iterable[PathLike] = (),
    ) -> Signer:
        """Load a signer from PEM (or DER) certificate and private key files.

        :raises ValueError: when the files cannot be read or the password is wrong.
        """
        signer = signers.SimpleSigner.load(
            str(key_path),
            str(cert_path),
            ca_chain_files=[str(p) for p in chain] or None,
            key_passphrase=_as_bytes(password),
        )
        if signer is None:
            raise ValueError(
                f"cannot load a key from {key_path} and a certificate from {cert_path}"
            )
        return cls(signer)

    @classmethod
    def load(
        cls,
        path: PathLike,
        key_path: PathLike | None = None,
        password: str | bytes | None = None,
    ) -> Signer:
        """Load from a PKCS#12 file, or from a PEM certificate plus ``key_path``."""
        if key_path is None:
            return cls.from_pkcs12(path, password)
        return cls.from_pem(path, key_path, password)

    @property
    def subject_name(self) -> str:
        """The certificate subject's common name, as verifiers will show it."""
        return _common_name(self._signer.signing_cert)

    @property
    def certificate(self) -> asn1_x509.Certificate:
        """The signing certificate."""
        return self._signer.signing_cert

    @property
    def certificate_pem(self) -> str:
        """The signing certificate as PEM text."""
        der = self._signer.signing_cert.dump()
        return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()

    def reserved_size(self) -> int:
        """Return the bytes a PDF reserves for this key's signature container, sized once.

        Left to itself pyHanko builds a dry-run signature before every real one just to size
        that space: half the cost of signing a document. Our signatures carry no timestamp and
        no revocation data, so one key's container is the same size every time (give or take
        a byte of an ECDSA value); it is sized once, as pyHanko does, with its 50% margin.
        """
        if self._reserved is None:
            attributes = PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC))
            dry_run = self._signer.async_sign(
                hashlib.sha256().digest(),
                "sha256",
                use_pades=True,
                dry_run=True,
                signed_attr_settings=attributes,
            )
            size = len(asyncio.run(dry_run).dump()) * 2  # hex digits in the PDF
            self._reserved = size + 2 * (size // 4)
        return self._reserved

    def sign_bytes(self, data: bytes) -> bytes:
        """Return a raw signature of ``data`` with the private key (see :func:`verify_bytes`).

        ECDSA keys give a DER-encoded ECDSA-SHA256 signature, RSA keys PKCS#1 v1.5 SHA-256:
        what ``openssl dgst -sha256 -verify`` checks.
        """
        key = serialization.load_der_private_key(self._signer.signing_key.dump(), None)
        with self._lock:
            if isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(hashes.SHA256()))
            if isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        raise ValueError(f"cannot sign with a {type(key).__name__}")


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is given rather than read from the clock."""

    def __init__(
        self,
        signature_meta: signers.PdfSignatureMetadata,
        signer: signers.Signer,
        *,
        signing_time: dt.datetime,
    ) -> None:
        """Remember the signing time to stamp into the signature."""
        super().__init__(signature_meta, signer)
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: IncrementalPdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        """Start pyHanko's session, then replace its clock reading with the given time."""
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


def sign_pdf(
    data: bytes,
    signer: Signer,
    *,
    reason: str,
    location: str,
    field_name: str = "openbid",
    timestamp: dt.datetime,
) -> bytes:
    """Add an invisible PAdES B-B signature to a PDF, dated ``timestamp``.

    A naive ``timestamp`` is taken to be WIB (UTC+7).
    """
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=WIB)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        use_pades_lta=False,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    with signer._lock:
        pdf_signer = _TimedPdfSigner(meta, signer._signer, signing_time=timestamp)
        output = pdf_signer.sign_pdf(writer, bytes_reserved=signer.reserved_size())
    return output.getvalue()


@dataclass(frozen=True)
class SignatureReport:
    """What a verifier can say about a PDF's signatures."""

    signed: bool
    intact: bool
    valid: bool
    signer_name: str | None
    signed_at: dt.datetime | None
    summary: str
    # False when bytes were appended after the last signature: it then covers only an
    # earlier revision of the file, not the file as it is.
    whole_file: bool = True


def verify_signature(data: bytes, trust_roots: Iterable[PathLike] | None = None) -> SignatureReport:
    """Check every signature of a PDF; ``valid`` needs a chain to one of ``trust_roots``.

    ``intact`` means the signed bytes are unchanged, the signature value is correct and
    nothing but signature maintenance was appended afterwards. Never fetches anything.
    """
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:
        return SignatureReport(
            False, False, False, None, None, f"Berkas PDF tidak dapat dibaca: {error}"
        )
    if not embedded:
        return SignatureReport(
            False, False, False, None, None, "Dokumen tidak bertanda tangan elektronik."
        )
    roots = [load_cert_from_pemder(str(p)) for p in trust_roots or ()]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    intact = valid = True
    whole_file = False
    problems: list[str] = []
    signer_name: str | None = None
    signed_at: dt.datetime | None = None
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, signer_validation_context=context)
        except Exception as error:
            intact = valid = False
            problems.append(f"tanda tangan {signature.field_name} rusak: {error}")
            continue
        signer_name = _common_name(status.signing_cert)
        signed_at = status.signer_reported_dt
        sig_intact = (
            status.intact
            and status.valid
            and (status.docmdp_ok or status.modification_level is None)
        )
        whole_file |= status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        intact &= sig_intact
        valid &= sig_intact and status.trusted
        if not sig_intact:
            problems.append(f"isi dokumen berubah setelah ditandatangani ({signature.field_name})")
        elif not status.trusted:
            problems.append(f"sertifikat {signer_name} tidak dipercaya")
    if valid and not whole_file:
        summary = (
            f"Tanda tangan oleh {signer_name} hanya mencakup revisi sebelumnya dari berkas ini: "
            "ada isi yang ditambahkan setelah ditandatangani."
        )
    elif valid:
        summary = f"Tanda tangan sah dan dokumen utuh; ditandatangani oleh {signer_name}."
    else:
        summary = "Tanda tangan tidak sah: " + "; ".join(problems) + "."
    return SignatureReport(True, intact, valid, signer_name, signed_at, summary, whole_file)


@dataclass(frozen=True)
class BytesSignature:
    """What a verifier can say about a raw signature over some bytes."""

    valid: bool  # the signature matches the bytes and the certificate's key
    trusted: bool  # the certificate is, or is issued by, one of the trust roots
    signer_name: str | None
    problem: str | None  # why not valid, in English (for the command line)


def verify_bytes(
    data: bytes, signature: bytes, certificate_pem: str, trust_roots: Iterable[PathLike] = ()
) -> BytesSignature:
    """Check a raw signature (from :meth:`Signer.sign_bytes`) against the certificate given."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError as error:
        return BytesSignature(False, False, None, f"the certificate cannot be read ({error})")
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(names[0].value) if names else certificate.subject.rfc4514_string()
    key = certificate.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return BytesSignature(False, False, name, f"unsupported key {type(key).__name__}")
    except InvalidSignature:
        return BytesSignature(False, False, name, "the signature does not match the content")
    return BytesSignature(True, _trusted(certificate, trust_roots), name, None)


def _trusted(certificate: x509.Certificate, trust_roots: Iterable[PathLike]) -> bool:
    """Return whether a certificate is one of the roots or directly issued by one."""
    for path in trust_roots:
        try:
            root = x509.load_pem_x509_certificate(Path(path).read_bytes())
        except (OSError, ValueError):
            continue
        if root == certificate:
            return True
        try:
            certificate.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def generate_self_signed(
    directory: PathLike,
    common_name: str,
    organization: str,
    *,
    valid_from: dt.datetime | None = None,
    years: int = 10,
) -> tuple[Path, Path]:
    """Create an ECDSA P-256 self-signed certificate and key in ``directory``, once.

    Returns ``(cert_path, key_path)``; when both files already exist they are reused
    unchanged. The key file is unencrypted and readable by the owner only: this is for
    the demo agency, not for production keys.
    """
    folder = Path(directory)
    cert_path, key_path = folder / "signing-cert.pem", folder / "signing-key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    start = valid_from or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    if start.tzinfo is None:
        start = start.replace(tzinfo=WIB)
    certificate = _self_signed_certificate(key, name, start, start + dt.timedelta(days=365 * years))
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def install_key_pair(directory: PathLike, signer: Signer) -> tuple[Path, Path]:
    """Write a signer's certificate and (unencrypted, owner-only) key into ``directory``.

    A different certificate already there is kept in ``previous/<serial>.pem``: what it
    signed must go on verifying. Returns ``(cert_path, key_path)``.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "signing-cert.pem", folder / "signing-key.pem"
    new_pem = signer.certificate_pem.encode()
    if cert_path.is_file() and cert_path.read_bytes() != new_pem:
        old = x509.load_pem_x509_certificate(cert_path.read_bytes())
        (folder / "previous").mkdir(exist_ok=True)
        (folder / "previous" / f"{old.serial_number:x}.pem").write_bytes(cert_path.read_bytes())
    key = serialization.load_der_private_key(signer._signer.signing_key.dump(), None)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    os.chmod(key_path, 0o600)  # an existing file keeps its mode through os.open
    cert_path.write_bytes(new_pem)
    return cert_path, key_path


def _self_signed_certificate(
    key: ec.EllipticCurvePrivateKey, name: x509.Name, start: dt.datetime, end: dt.datetime
) -> x509.Certificate:
    """Return a certificate for ``key`` issued by itself: a root that may sign documents."""
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _common_name(certificate: asn1_x509.Certificate) -> str:
    """Return a certificate subject's common name, or its whole name without one."""
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _as_bytes(password: str | bytes | None) -> bytes | None:
    """Encode a password for pyHanko, which wants bytes."""
    if isinstance(password, str):
        return password.encode()
    return password
