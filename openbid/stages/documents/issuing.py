"""Issuing documents: number, render, sign, store, register and audit in one transaction.

``issue_document`` runs inside the caller's transaction (a workflow action inside fire(),
or a service that commits afterwards): the counter row is locked and bumped, the PDF is
rendered and signed, its bytes are stored by SHA-256, the registry row and the
``document_issued`` audit event are written. Any failure raises and the caller rolls
back, so a failed render consumes no number and leaves no registry row.

Numbering series. Real agencies keep one running number per kind of letter and year, and
the demo agency's patterns follow that: every pansel announcement (the announcement,
extension notices, result announcements, the three best) draws from the ``announcement``
series, both Berita Acara from ``minutes``, the decree from ``decree``, the report to the
oversight body from ``report``, and the auditor's trail exports from ``audit``. An agency
pattern keyed by a series applies to all its kinds; a pattern keyed by a kind itself (e.g.
``"screening_minutes"``) gives that kind its own series and counter. Each series counts
from 1 every year (the year of the issue date in WIB), without gaps.

Signing. When ``OPENBID_SIGNING_CERT`` (and ``_KEY``) are set, that certificate signs;
otherwise, when the demo's self-signed files exist in ``<instance>/signing/``, those do
(and are their own trust root). The key is loaded once per process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import ConfigError
from openbid import audit, clock, storage
from openbid.documents import numbering, render, signing
from openbid.documents.contexts import template_name
from openbid.models import (
    Agency,
    AuditEvent,
    DocumentCounter,
    IssuedDocument,
    Selection,
    StoredFile,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed

PDF_TYPE = "application/pdf"

# Kind -> the numbering series it draws from unless the agency gives the kind its own.
KIND_SERIES: dict[str, str] = {
    "announcement": "announcement",
    "extension_notice": "announcement",
    "screening_announcement": "announcement",
    "results_announcement": "announcement",
    "top_three_announcement": "announcement",
    "screening_minutes": "minutes",
    "plenary_minutes": "minutes",
    "decree": "decree",
    "oversight_report": "report",
    "audit_trail": "audit",
}

# Used when the agency has no pattern for a series; shaped like real Kota Tangerang numbers.
DEFAULT_PATTERNS: dict[str, str] = {
    "announcement": "800/{seq:02d}-Pansel/{year}",
    "minutes": "800/{seq:02d}/BA-Pansel/{year}",
    "decree": "821.2/Kep.{seq}-BKPSDM/{year}",
    "report": "800/{seq:02d}/Lap-BKPSDM/{year}",
    "audit": "AUDIT/{year}/{seq:04d}",
}

# The {kind} placeholder's value per document kind.
KIND_CODES: dict[str, str] = {
    "announcement": "PENG",
    "extension_notice": "PENG",
    "screening_announcement": "PENG",
    "results_announcement": "PENG",
    "top_three_announcement": "PENG",
    "screening_minutes": "BA",
    "plenary_minutes": "BA",
    "decree": "KPTS",
    "oversight_report": "LAP",
    "audit_trail": "AUDIT",
}

# The document's own (Indonesian) title, as printed and registered.
KIND_TITLES: dict[str, str] = {
    "announcement": "Pengumuman Panitia Seleksi",
    "extension_notice": "Pengumuman Perpanjangan Masa Pendaftaran",
    "screening_minutes": "Berita Acara Penetapan Hasil Seleksi Administrasi",
    "screening_announcement": "Pengumuman Hasil Seleksi Administrasi",
    "results_announcement": "Pengumuman Hasil Penilaian Kompetensi dan Wawancara",
    "plenary_minutes": "Berita Acara Sidang Panitia Seleksi (Penetapan Hasil Akhir)",
    "top_three_announcement": "Pengumuman Hasil Akhir (Tiga Besar)",
    "decree": "Keputusan {head_title} tentang Pengangkatan dalam Jabatan Pimpinan Tinggi Pratama",
    "oversight_report": "Laporan Pelaksanaan Seleksi Terbuka",
    "audit_trail": "Jejak Audit Seleksi Terbuka",
}

# The kind's name in the interface (English source, translated where shown).
KIND_LABELS: dict[str, str] = {
    "announcement": N_("Announcement"),
    "extension_notice": N_("Extension notice"),
    "screening_minutes": N_("Minutes of the administrative screening"),
    "screening_announcement": N_("Administrative screening results"),
    "results_announcement": N_("Assessment and interview results"),
    "plenary_minutes": N_("Minutes of the final plenary"),
    "top_three_announcement": N_("Announcement of the three best"),
    "decree": N_("Appointment decree"),
    "oversight_report": N_("Report to the oversight body"),
    "audit_trail": N_("Audit trail export"),
}

# Verification codes: 10 symbols without 0/O and 1/I, printed as XXXXX-XXXXX.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_PATTERN = re.compile(r"[%s]{5}-[%s]{5}" % (CODE_ALPHABET, CODE_ALPHABET))
SIGNING_FOLDER = "signing"  # under the instance folder: the demo's self-signed files


@dataclass(frozen=True)
class Numbering:
    """Which series a document draws its number from, and the pattern that formats it."""

    series: str
    pattern: str


def numbering_for(agency: Agency, kind: str, series: str | None = None) -> Numbering:
    """Return the series and pattern of a kind for an agency (see the module docstring).

    :raises KeyError: for an unknown kind.
    """
    patterns = agency.numbering_patterns or {}
    default_series = KIND_SERIES[kind]
    if series is None:
        if patterns.get(kind):
            return Numbering(kind, patterns[kind])
        series = default_series
    pattern = patterns.get(series) or DEFAULT_PATTERNS.get(series)
    return Numbering(series, pattern or DEFAULT_PATTERNS[default_series])


def _check_pattern(numbering_: Numbering) -> None:
    """Refuse an agency pattern the formatter cannot use, with a reason an admin can act on.

    :raises ValidationFailed: naming the series and the problem.
    """
    try:
        numbering.validate_pattern(numbering_.pattern)
    except ValueError as error:
        raise ValidationFailed(
            Reason(
                "documents.bad_pattern",
                N_("The numbering pattern of the %(series)s series cannot be used: %(problem)s"),
                {"series": numbering_.series, "problem": str(error)},
            )
        ) from None


def _lock_counter(session: Session, agency_id: int, series: str, year: int) -> DocumentCounter:
    """Return the counter row locked for this transaction, creating it on first use."""
    stmt = (
        sa.select(DocumentCounter)
        .where(
            DocumentCounter.agency_id == agency_id,
            DocumentCounter.series == series,
            DocumentCounter.year == year,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalars(stmt).first()
    if counter is not None:
        return counter
    try:
        with session.begin_nested():
            counter = DocumentCounter(agency_id=agency_id, series=series, year=year, last_seq=0)
            session.add(counter)
    except IntegrityError:
        # Another transaction created it first; wait for its lock like everyone else.
        counter = session.scalars(stmt).one()
    return counter


def allocate_number(
    session: Session, agency: Agency, kind: str, moment: datetime, series: str | None = None
) -> tuple[Numbering, int, str]:
    """Take the next number of the kind's series for the year of ``moment`` (WIB).

    The counter stays locked until the caller's transaction ends, so numbers are gapless:
    a rollback returns the number, and concurrent issuers queue on the row.

    :raises ValidationFailed: when the agency's pattern is unusable.
    """
    chosen = numbering_for(agency, kind, series)
    _check_pattern(chosen)
    local = clock.to_jakarta(moment)
    counter = _lock_counter(session, agency.id, chosen.series, local.year)
    counter.last_seq += 1
    session.flush()
    number = numbering.format_number(
        chosen.pattern,
        seq=counter.last_seq,
        year=local.year,
        month=local.month,
        kind_code=KIND_CODES[kind],
    )
    return chosen, counter.last_seq, number


def new_verification_code(session: Session) -> str:
    """Return a random, unused verification code such as ``K7QM2-X9PDT``."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{raw[:5]}-{raw[5:]}"
        taken = session.scalar(
            sa.select(IssuedDocument.id).where(IssuedDocument.verification_code == code)
        )
        if taken is None:
            return code


def normalise_code(text: str | None) -> str | None:
    """Return the canonical form of a code a person typed (any case, spaces, dashes), or None."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:5]}-{cleaned[5:]}"


def verify_url(code: str) -> str:
    """Return the public verification address printed on a document."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/verify/{code}"


def agency_context(agency: Agency) -> dict[str, Any]:
    """Return the letterhead keys of ``contexts.Agency`` from an agency row."""
    return {
        "name": agency.name,
        "region_name": agency.region_name,
        "province": agency.province,
        "seat": agency.seat,
        "head_title": agency.head_title,
        "head_name": agency.head_name,
        "office_name": agency.office_name,
        "office_head_name": agency.office_head_name or "",
        "address": agency.address or "",
        "phone": agency.phone or "",
        "email": agency.email or "",
        "website": agency.website or "",
    }


def document_title(kind: str, agency: Agency) -> str:
    """Return the registered title of a kind for an agency."""
    return KIND_TITLES[kind].format(head_title=agency.head_title)


# --- signing --------------------------------------------------------------------------


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
    """Return the certificates a signature must chain to for the verifier to call it valid."""
    setup = signing_setup()
    if setup is not None:
        return setup.trust_roots
    return tuple(current_app.config.get("SIGNING_TRUST_ROOTS") or ())


def init_app(app: Flask) -> None:
    """Load a configured signer at start-up, so a wrong key or password stops the app early.

    :raises ConfigError: when OPENBID_SIGNING_* name files that cannot be loaded.
    """
    setup = signing_setup(app)
    if setup is not None and setup.source == "environment":
        load_signer(setup)


# --- issuing --------------------------------------------------------------------------


def document_base(
    agency: Agency,
    *,
    number: str,
    issued_at: datetime,
    code: str,
    signed: bool,
    chain_seq: int = 0,
    chain_hash: str = audit.GENESIS_HASH,
) -> dict[str, Any]:
    """Return the keys every document context starts with (``contexts.DocumentBase``)."""
    return {
        "agency": agency_context(agency),
        "number": number,
        "issued_at": clock.to_jakarta(issued_at),
        "verification_code": code,
        "verify_url": verify_url(code),
        "signed": signed,
        "chain_seq": chain_seq,
        "chain_hash": chain_hash,
    }


def issue_document(
    session: Session,
    *,
    kind: str,
    selection: Selection,
    actor: User | None,
    context: Mapping[str, Any],
    series: str | None = None,
    subject: Mapping[str, Any] | None = None,
    title: str | None = None,
    issued_at: datetime | None = None,
) -> IssuedDocument:
    """Number, render, sign, store and register a document inside the caller's transaction.

    ``context`` holds the kind's own keys (see ``openbid.documents.contexts``); the shared
    keys (agency, number, date, verification code and link, signed, chain head) are added
    here.
    ``issued_at`` defaults to now; the number's year is its year in WIB.

    :raises ValidationFailed: when the agency's numbering pattern is unusable.
    :raises KeyError: for an unknown kind.
    :raises Exception: whatever rendering, signing or storage raise; the caller rolls back.
    """
    template = template_name(kind)
    agency = selection.agency
    moment = issued_at or clock.now()
    chosen, seq, number = allocate_number(session, agency, kind, moment, series)
    code = new_verification_code(session)
    signer = current_signer()
    # The head before this document's own event, locked so nothing slips in between: the
    # PDF (and its signature) then vouches for the chain up to here.
    chain_seq, chain_hash = audit.lock_head(session, selection.id)
    base = document_base(
        agency,
        number=number,
        issued_at=moment,
        code=code,
        signed=signer is not None,
        chain_seq=chain_seq,
        chain_hash=chain_hash,
    )
    clash = set(base) & set(context)
    if clash:
        raise ValueError(f"document context may not set {', '.join(sorted(clash))}")
    title = title or document_title(kind, agency)
    # Looked up on the module at call time, so a crash can be simulated in tests.
    pdf = render.render_pdf(template, {**context, **base})
    if signer is not None:
        pdf = signing.sign_pdf(
            pdf,
            signer,
            reason=f"{title} Nomor {number}",
            location=agency.seat,
            timestamp=clock.to_jakarta(moment),
        )
    stored = storage.store(session, pdf, PDF_TYPE)
    document = IssuedDocument(
        agency_id=agency.id,
        selection_id=selection.id,
        kind=kind,
        series=chosen.series,
        year=clock.to_jakarta(moment).year,
        seq=seq,
        number=number,
        title=title[:300],
        file_id=stored.id,
        sha256=stored.sha256,
        verification_code=code,
        signed=signer is not None,
        issued_by_id=actor.id if actor is not None else None,
        issued_at=moment,
        subject=dict(subject or {}),
        chain_seq=chain_seq,
        chain_hash=chain_hash,
    )
    session.add(document)
    session.flush()
    audit.append(
        session,
        event="document_issued",
        actor=actor,
        subject_type="document",
        subject_id=document.id,
        selection_id=selection.id,
        payload={
            "kind": kind,
            "title": document.title,
            "number": number,
            "series": chosen.series,
            "sha256": stored.sha256,
            "verification_code": code,
            "signed": document.signed,
            "subject": document.subject,
            "chain_seq": chain_seq,
            "chain_hash": chain_hash,
        },
    )
    return document


# --- registry look-ups ----------------------------------------------------------------


def find_by_code(session: Session, code: str) -> IssuedDocument | None:
    """Return the document registered under a verification code (any typing), or None."""
    canonical = normalise_code(code)
    if canonical is None:
        return None
    return session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.verification_code == canonical)
    )


def find_by_sha256(session: Session, digest: str) -> IssuedDocument | None:
    """Return the document whose registered bytes hash to ``digest``, or None."""
    return session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.sha256 == digest.lower())
        .order_by(IssuedDocument.id)
    )


def latest(session: Session, selection_id: int, kind: str) -> IssuedDocument | None:
    """Return the most recent document of a kind issued for a selection, or None."""
    return session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == selection_id, IssuedDocument.kind == kind)
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )


def selection_documents(session: Session, selection_id: int) -> list[tuple[IssuedDocument, str]]:
    """Return a selection's documents in issue order, each with its issuer's name."""
    rows = session.execute(
        sa.select(IssuedDocument, User.name)
        .outerjoin(User, User.id == IssuedDocument.issued_by_id)
        .where(IssuedDocument.selection_id == selection_id)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)
    ).all()
    return [(document, name or "system") for document, name in rows]


def document_bytes(document: IssuedDocument) -> bytes:
    """Return the registered bytes of a document.

    :raises OSError: when the stored file is missing or no longer matches its hash.
    """
    return storage.storage().get(document.sha256)


def download_name(document: IssuedDocument) -> str:
    """Return a file name for a download, e.g. ``decree_821.2-Kep.15-BKPSDM-2019.pdf``."""
    number = re.sub(r"[^A-Za-z0-9.\-]+", "-", document.number).strip("-")
    return f"{document.kind}_{number}.pdf"


# --- verification ---------------------------------------------------------------------

_CODE_IN_TEXT = re.compile(
    r"(?:Kode verifikasi:|/verify/)\s*([%s]{5}-[%s]{5})" % (CODE_ALPHABET, CODE_ALPHABET)
)


def code_in_pdf(data: bytes) -> str | None:
    """Return the verification code printed in a PDF's text, or None when unreadable."""
    try:
        text = render.pdf_text(data)
    except Exception:
        return None
    match = _CODE_IN_TEXT.search(text)
    return match.group(1) if match else None


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking a file against the registry."""

    sha256: str
    document: IssuedDocument | None  # the registered document it was compared with
    matched_by: str | None  # "sha256", "code" (printed code, bytes differ) or None
    identical: bool  # byte-identical to the registered document
    signature: signing.SignatureReport
    # The audit chain head the document recorded at issue: read from the file's metadata
    # when it carries one, else from the registry; and how today's chain contradicts it.
    chain_seq: int | None = None
    chain_hash: str | None = None
    chain_from_file: bool = False
    chain_problem: Reason | None = None


def check_file(session: Session, data: bytes, expected: IssuedDocument | None = None) -> FileCheck:
    """Compare a file with the registry: by hash, else by the verification code it prints.

    With ``expected`` the file is compared with that document only.
    """
    digest = hashlib.sha256(data).hexdigest()
    report = signing.verify_signature(data, trust_roots())
    if expected is not None:
        identical = digest == expected.sha256
        check = FileCheck(digest, expected, "sha256" if identical else None, identical, report)
        return _with_chain_state(session, check, data)
    document = find_by_sha256(session, digest)
    if document is not None:
        return _with_chain_state(session, FileCheck(digest, document, "sha256", True, report), data)
    code = code_in_pdf(data)
    document = find_by_code(session, code) if code else None
    check = FileCheck(digest, document, "code" if document else None, False, report)
    return _with_chain_state(session, check, data)


def _with_chain_state(session: Session, check: FileCheck, data: bytes) -> FileCheck:
    """Add the chain head the document recorded, and whether today's chain still has it."""
    document = check.document
    if document is None:
        return check
    printed = render.chain_state_in_pdf(data)
    state = printed or (
        (document.chain_seq, document.chain_hash) if document.chain_seq is not None else None
    )
    if state is None:
        return check
    return dataclasses.replace(
        check,
        chain_seq=state[0],
        chain_hash=state[1],
        chain_from_file=printed is not None,
        chain_problem=chain_state_problem(session, document, state),
    )


# --- witnesses of the audit chain -----------------------------------------------------


def chain_witnesses(session: Session) -> list[audit.Witness]:
    """Return the chain head every issued document recorded, as witnesses of its chain.

    The registered head is what the document's PDF prints and carries (signed) in its
    metadata; a stored PDF whose metadata says otherwise is named by ``registry_problems``.
    """
    rows = session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id.is_not(None), IssuedDocument.chain_seq.is_not(None))
        .order_by(IssuedDocument.id)
    )
    return [
        audit.Witness(
            audit.chain_for(document.selection_id),
            document.chain_seq,
            document.chain_hash,
            f"document {document.number} ({document.verification_code}, issued "
            f"{clock.to_jakarta(document.issued_at):%Y-%m-%d %H:%M} WIB)",
        )
        for document in rows
    ]


@dataclass(frozen=True)
class StoredFileProblem:
    """A stored file that is missing or no longer matches its registry hash."""

    file_id: int
    sha256: str
    what: str  # what refers to it, e.g. "document 800/01-Pansel/2018"
    message: str


def _file_users(session: Session) -> dict[int, str]:
    """Return, per stored file id, the registered document that refers to it."""
    rows = session.execute(sa.select(IssuedDocument.file_id, IssuedDocument.number))
    return {file_id: f"document {number}" for file_id, number in rows}


def registry_problems(session: Session) -> list[StoredFileProblem]:
    """Check every stored file against its registry hash, and each PDF's printed chain head.

    A file is named when it is missing, when its bytes no longer hash to the registry's
    SHA-256 (altered, or swapped with another), or when an issued document's PDF carries
    a chain head other than the one registered for it.
    """
    backend = storage.storage()
    users = _file_users(session)
    documents_by_file = {
        document.file_id: document
        for document in session.scalars(
            sa.select(IssuedDocument).where(IssuedDocument.chain_seq.is_not(None))
        )
    }
    problems: list[StoredFileProblem] = []
    for row in session.scalars(sa.select(StoredFile).order_by(StoredFile.id)):
        what = users.get(row.id, row.content_type)
        try:
            data = backend.get(row.sha256)
        except FileNotFoundError:
            problems.append(StoredFileProblem(row.id, row.sha256, what, "the file is missing"))
            continue
        except OSError:
            problems.append(
                StoredFileProblem(
                    row.id,
                    row.sha256,
                    what,
                    "its content no longer matches the registry hash (altered or swapped)",
                )
            )
            continue
        document = documents_by_file.get(row.id)
        if document is None:
            continue
        printed = render.chain_state_in_pdf(data)
        if printed is not None and printed != (document.chain_seq, document.chain_hash):
            problems.append(
                StoredFileProblem(
                    row.id,
                    row.sha256,
                    what,
                    f"the PDF records audit chain event #{printed[0]} ({printed[1][:16]}…) "
                    f"but the registry says #{document.chain_seq} "
                    f"({(document.chain_hash or '')[:16]}…)",
                )
            )
    return problems


def chain_state_problem(
    session: Session, document: IssuedDocument, state: tuple[int, str] | None = None
) -> Reason | None:
    """Return how today's chain contradicts the head a document recorded, or None.

    ``state`` is the (seq, hash) read from a file's metadata; the registry's otherwise.
    """
    if state is None:
        if document.chain_seq is None or document.chain_hash is None:
            return None
        state = (document.chain_seq, document.chain_hash)
    seq, digest = state
    if seq == 0 or document.selection_id is None:
        return None
    event = session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.chain == audit.chain_for(document.selection_id), AuditEvent.seq == seq
        )
    )
    if event is None:
        return Reason(
            "documents.chain_shorter",
            N_("The audit chain no longer has event #%(seq)s that this document recorded."),
            {"seq": seq},
        )
    if event.hash != digest:
        return Reason(
            "documents.chain_rewritten",
            N_(
                "The audit chain today has a different event #%(seq)s than when this "
                "document was issued: the audit trail was rewritten."
            ),
            {"seq": seq},
        )
    return None


# --- the auditor's export -------------------------------------------------------------


def export_audit_trail(session: Session, selection: Selection, auditor: User) -> IssuedDocument:
    """Return the registered trail PDF of a selection's chain as it stands, issuing it if new.

    The export is itself a numbered document (series ``audit``) whose issue is the chain's
    newest event; while nothing else happens, exporting again returns the same document
    rather than consuming another number. Commits.
    """
    # Imported here: the context builders import this module's registry helpers.
    from openbid.stages.documents.contexts import audit_trail_context
    from openbid.workflow import definition_of

    last = session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_for(selection.id))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    if (
        last is not None
        and last.event == "document_issued"
        and (last.payload or {}).get("kind") == "audit_trail"
    ):
        previous = session.get(IssuedDocument, last.subject_id)
        if previous is not None:
            return previous
    context = audit_trail_context(session, selection, definition_of(selection), auditor)
    document = issue_document(
        session,
        kind="audit_trail",
        selection=selection,
        actor=auditor,
        context=context,
        subject={
            "events": len(context["events"]),
            "documents": len(context["documents"]),
            "final_hash": context["final_hash"],
            "chain_status": context["chain_status"],
        },
    )
    session.commit()
    return document


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
