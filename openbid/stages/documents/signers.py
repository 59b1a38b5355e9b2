"""The certificates that sign issued documents, and the roots verifiers trust.

Each issuer signs with its own key: an agency's documents with the key in
``<instance>/signing/agency/<code>/``, an oversight body's letters with the one in
``<instance>/signing/oversight/<code>/`` (demo: self-signed, made by ``demo``; production:
imported with ``flask openbid signing import``). An agency without its own key falls back to
the platform's certificate: ``OPENBID_SIGNING_CERT`` (and ``_KEY``) when set, else the
demo's self-signed files in ``<instance>/signing/``. Every one of these certificates stays a
trust root, so documents signed before a key was replaced still verify. Keys are loaded
once per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from flask import Flask, current_app

from config import ConfigError
from openbid.documents import signing

SIGNING_FOLDER = "signing"  # under the instance folder: the demo's and issuers' files
IssuerKind = Literal["agency", "oversight"]
AGENCY: IssuerKind = "agency"
OVERSIGHT: IssuerKind = "oversight"


@dataclass(frozen=True)
class SigningSetup:
    """Where the signing certificate and key come from, and which roots verifiers trust."""

    cert: Path
    key: Path | None
    password: str | None
    trust_roots: tuple[Path, ...]
    source: str  # "environment" or "instance" (the demo's self-signed files)


def signing_setup(app: Flask | None = None) -> SigningSetup | None:
    """Return the signing configuration in force, or None when documents go unsigned."""
    app = app or current_app
    config = app.config
    roots = tuple(config.get("SIGNING_TRUST_ROOTS") or ())
    if config.get("SIGNING_CERT"):
        key = config.get("SIGNING_KEY")
        return SigningSetup(
            Path(config["SIGNING_CERT"]),
            Path(key) if key else None,
            config.get("SIGNING_PASSWORD"),
            roots,
            "environment",
        )
    folder = Path(app.instance_path) / SIGNING_FOLDER
    cert, key = folder / "signing-cert.pem", folder / "signing-key.pem"
    if cert.is_file() and key.is_file():
        # A self-signed demo certificate is its own root; nothing else could vouch for it.
        return SigningSetup(cert, key, None, roots or (cert,), "instance")
    return None


_signers: dict[tuple[str, ...], signing.Signer] = {}
_signers_lock = threading.Lock()


def _file_stamp(path: Path | None) -> str:
    if path is None:
        return ""
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}"


def load_signer(setup: SigningSetup) -> signing.Signer:
    """Return the signer of a setup, loading the key only once per process.

    :raises ConfigError: naming the variables when the files cannot be used.
    """
    try:
        cache_key = (_file_stamp(setup.cert), _file_stamp(setup.key), setup.password or "")
    except OSError as error:
        raise ConfigError(f"the signing files cannot be read: {error}") from None
    with _signers_lock:
        signer = _signers.get(cache_key)
        if signer is None:
            try:
                signer = signing.Signer.load(setup.cert, setup.key, setup.password)
            except Exception as error:
                where = (
                    "OPENBID_SIGNING_CERT / OPENBID_SIGNING_KEY / OPENBID_SIGNING_PASSWORD"
                    if setup.source == "environment"
                    else f"the demo signing files in {setup.cert.parent}"
                )
                raise ConfigError(
                    f"{where}: cannot load a certificate and private key ({error}). Check the "
                    "files and the password."
                ) from None
            _signers[cache_key] = signer
    return signer


def current_signer() -> signing.Signer | None:
    """Return the signer for generated documents, or None when none is configured."""
    setup = signing_setup()
    return load_signer(setup) if setup is not None else None


def trust_roots() -> tuple[Path, ...]:
    """Return the certificates a signature must chain to for the verifier to call it valid.

    The oversight bodies' demo certificates count too: their letters are verified on the
    same page as the agency's documents.
    """
    setup = signing_setup()
    roots = setup.trust_roots if setup is not None else ()
    roots = roots or tuple(current_app.config.get("SIGNING_TRUST_ROOTS") or ())
    # A platform certificate named by the environment hides the demo files; documents the
    # demo signed with them before it was set must still verify.
    legacy = Path(current_app.instance_path) / SIGNING_FOLDER / "signing-cert.pem"
    if legacy.is_file() and legacy not in roots:
        roots += (legacy,)
    root = _issuer_root()
    issuers = sorted(root.glob("*/*/signing-cert.pem")) + sorted(root.glob("*/*/previous/*.pem"))
    return roots + tuple(path for path in issuers if path not in roots)


def _issuer_root() -> Path:
    return Path(current_app.instance_path) / SIGNING_FOLDER


def issuer_folder(kind: IssuerKind, code: str) -> Path:
    """Return the folder of an agency's or oversight body's own key and certificate."""
    return _issuer_root() / kind / code.lower()


def issuer_signer(kind: IssuerKind, code: str) -> signing.Signer | None:
    """Return the signer of an agency or oversight body (by its code), or None without keys."""
    folder = issuer_folder(kind, code)
    cert, key = folder / "signing-cert.pem", folder / "signing-key.pem"
    if not (cert.is_file() and key.is_file()):
        return None
    return load_signer(SigningSetup(cert, key, None, (cert,), "instance"))


def oversight_signer(code: str) -> signing.Signer | None:
    """Return the signer of an oversight body's letters (by its code), or None without keys."""
    return issuer_signer(OVERSIGHT, code)


def agency_signer(agency_code: str) -> signing.Signer | None:
    """Return the signer of an agency's documents: its own key, else the platform's, else None."""
    return issuer_signer(AGENCY, agency_code) or current_signer()


def ensure_issuer_signing(
    kind: IssuerKind, code: str, common_name: str, organization: str
) -> tuple[Path, Path]:
    """Create an agency's or body's demo self-signed certificate and key, once.

    Valid from 2014 like the demo's other certificate (see ``ensure_demo_signing``).
    """
    return signing.generate_self_signed(
        issuer_folder(kind, code),
        common_name,
        organization,
        valid_from=datetime(2014, 1, 1, tzinfo=UTC),
        years=40,
    )


def ensure_oversight_signing(code: str, common_name: str, organization: str) -> tuple[Path, Path]:
    """Create an oversight body's demo self-signed certificate and key, once."""
    return ensure_issuer_signing(OVERSIGHT, code, common_name, organization)


def import_issuer_signing(
    kind: IssuerKind,
    code: str,
    cert_path: Path,
    key_path: Path | None = None,
    password: str | None = None,
) -> signing.Signer:
    """Install an agency's or body's own key and certificate (PEM pair or PKCS#12).

    The key is checked by signing with it, then kept unencrypted and readable by the owner
    only in the instance folder (the signer must use it unattended); the certificate
    replaced stays a trust root in ``<folder>/previous/`` so its documents still verify.

    :raises ValueError: when the files cannot be loaded or the key does not sign.
    """
    signer = signing.Signer.load(cert_path, key_path, password)
    probe = b"openbid key check"
    verdict = signing.verify_bytes(probe, signer.sign_bytes(probe), signer.certificate_pem)
    if not verdict.valid:
        raise ValueError(f"the key does not match the certificate ({verdict.problem})")
    folder = issuer_folder(kind, code)
    signing.install_key_pair(folder, signer)
    return signer


def init_app(app: Flask) -> None:
    """Load a configured signer at start-up, so a wrong key or password stops the app early.

    :raises ConfigError: when OPENBID_SIGNING_* name files that cannot be loaded.
    """
    setup = signing_setup(app)
    if setup is not None and setup.source == "environment":
        load_signer(setup)


def ensure_demo_signing(common_name: str, organization: str) -> tuple[Path, Path]:
    """Create the demo's self-signed certificate and key in ``<instance>/signing``, once.

    Valid from 2014 so documents dated anywhere in a replayed selection's history verify.
    Never for production: the key is unencrypted and nobody else trusts the certificate.
    """
    folder = Path(current_app.instance_path) / SIGNING_FOLDER
    return signing.generate_self_signed(
        folder,
        common_name,
        organization,
        valid_from=datetime(2014, 1, 1, tzinfo=UTC),
        years=40,
    )
