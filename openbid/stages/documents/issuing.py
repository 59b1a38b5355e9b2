"""Issuing documents: number, render, sign, store, register and audit.

``issue_document`` runs inside the caller's transaction (a service that commits afterwards,
e.g. the auditor's trail export): the counter row is locked and bumped (``numbers``), the
PDF is rendered and signed (``signers``), its bytes are stored by SHA-256, the registry row
and the ``document_issued`` audit event are written. Any failure raises and the caller rolls
back, so a failed render consumes no number and leaves no registry row.

``reserve_document`` is what a transition does inside fire(): the number, the code and the
chain head are taken and the row is written ``pending`` with its whole render context
frozen, in milliseconds; a job renders, signs and stores it afterwards
(``openbid.stages.documents.pending``), so the counter is never held while a PDF renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from openbid import audit, clock, storage
from openbid.documents import render, signing
from openbid.documents.contexts import template_name
from openbid.models import Agency, DocumentStatus, IssuedDocument, Selection, User
from openbid.stages.documents.codes import new_verification_code, verify_url
from openbid.stages.documents.frozen import freeze
from openbid.stages.documents.kinds import document_title
from openbid.stages.documents.numbers import allocate_number
from openbid.stages.documents.signers import agency_signer, oversight_signer

PDF_TYPE = "application/pdf"
# session.info key: ids of the documents numbered pending in the session's open transaction.
RESERVED = "openbid.pending_documents"
# The series of an oversight body's letters: "oversight:KASN" is signed with KASN's key.
OVERSIGHT_SERIES_PREFIX = "oversight:"


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
    :raises ValueError: when ``context`` sets one of the shared keys.
    :raises Exception: whatever rendering, signing or storage raise; the caller rolls back.
    """
    template = template_name(kind)
    signer = agency_signer(selection.agency.code)
    prepared = _prepare(
        session, kind, selection, context, issued_at, series, title, signed=signer is not None
    )
    pdf = _signed_pdf(
        template, prepared.context, signer, prepared.reason, selection.agency.seat, prepared.moment
    )
    stored = storage.store(session, pdf, PDF_TYPE)
    document = _row(selection, kind, prepared, actor, subject, signed=signer is not None)
    document.file_id, document.sha256 = stored.id, stored.sha256
    session.add(document)
    session.flush()
    append_issued_event(session, document, actor)
    return document


def reserve_document(
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
    """Number a document and register it ``pending`` with its frozen context (no render).

    Same arguments and errors as ``issue_document``, except that nothing is rendered: the
    row holds everything the render needs, and ``pending.issue_pending`` issues it.

    :raises TypeError: when ``context`` holds a value the frozen JSON cannot keep.
    """
    template_name(kind)  # an unknown kind fails here, not in the job
    signed = agency_signer(selection.agency.code) is not None
    prepared = _prepare(session, kind, selection, context, issued_at, series, title, signed=signed)
    document = _row(selection, kind, prepared, actor, subject, signed=signed)
    document.status = DocumentStatus.PENDING
    document.context = freeze(prepared.context)
    session.add(document)
    session.flush()
    # Its issuing is enqueued when this transaction commits (pending._after_commit).
    session.info.setdefault(RESERVED, []).append(document.id)
    return document


def render_reserved(
    document: IssuedDocument, context: Mapping[str, Any], agency_code: str
) -> bytes:
    """Render and sign a pending document from its thawed context, as ``issue_document`` would.

    :raises RuntimeError: when it was numbered as signed but no signer is configured now.
    :raises Exception: whatever rendering and signing raise.
    """
    body_code = document.series.removeprefix(OVERSIGHT_SERIES_PREFIX)
    if body_code != document.series:  # an oversight body's letter: its key, its seat
        signer, location = oversight_signer(body_code), context["body"]["seat"]
    else:
        signer, location = agency_signer(agency_code), context["agency"]["seat"]
    if document.signed and signer is None:
        raise RuntimeError("the document was numbered as signed, but no signing key is set")
    reason = f"{document.title} Nomor {document.number}"
    return _signed_pdf(
        template_name(document.kind),
        context,
        signer if document.signed else None,
        reason,
        location,
        document.issued_at,
    )


@dataclass(frozen=True)
class _Prepared:
    """A document's number, its full render context, title and signature reason."""

    stamp: _Stamp
    context: dict[str, Any]
    title: str
    reason: str
    moment: datetime


def _prepare(
    session: Session,
    kind: str,
    selection: Selection,
    context: Mapping[str, Any],
    issued_at: datetime | None,
    series: str | None,
    title: str | None,
    *,
    signed: bool,
) -> _Prepared:
    """Take the number, code and chain head and build the whole render context.

    :raises ValueError: when ``context`` sets one of the shared keys.
    """
    agency = selection.agency
    moment = issued_at or clock.now()
    stamp = _stamp(session, selection, kind, moment, series)
    base = document_base(
        agency,
        number=stamp.number,
        issued_at=moment,
        code=stamp.code,
        signed=signed,
        chain_seq=stamp.chain_seq,
        chain_hash=stamp.chain_hash,
    )
    clash = set(base) & set(context)
    if clash:
        raise ValueError(f"document context may not set {', '.join(sorted(clash))}")
    title = title or document_title(kind, agency)
    reason = f"{title} Nomor {stamp.number}"
    return _Prepared(stamp, {**context, **base}, title, reason, moment)


@dataclass(frozen=True)
class _Stamp:
    """What a document gets before it is rendered: its number, its code, the chain head."""

    series: str
    seq: int
    number: str
    code: str
    chain_seq: int
    chain_hash: str


def _stamp(
    session: Session, selection: Selection, kind: str, moment: datetime, series: str | None
) -> _Stamp:
    """Take the next number and a fresh code, and lock the chain head the document records."""
    chosen, seq, number = allocate_number(session, selection.agency, kind, moment, series)
    code = new_verification_code(session)
    # The head before this document's own event, locked so nothing slips in between: the
    # PDF (and its signature) then vouches for the chain up to here.
    chain_seq, chain_hash = audit.lock_head(session, selection.id)
    return _Stamp(chosen.series, seq, number, code, chain_seq, chain_hash)


def _signed_pdf(
    template: str,
    context: Mapping[str, Any],
    signer: signing.Signer | None,
    reason: str,
    location: str,
    moment: datetime,
) -> bytes:
    """Render the document and sign it when a signer is configured, dated as issued."""
    # Looked up on the module at call time, so a crash can be simulated in tests.
    pdf = render.render_pdf(template, context)
    if signer is None:
        return pdf
    return signing.sign_pdf(
        pdf, signer, reason=reason, location=location, timestamp=clock.to_jakarta(moment)
    )


def _row(
    selection: Selection,
    kind: str,
    prepared: _Prepared,
    actor: User | None,
    subject: Mapping[str, Any] | None,
    *,
    signed: bool,
) -> IssuedDocument:
    """Return the registry row of a document (not added; no file yet)."""
    stamp = prepared.stamp
    return IssuedDocument(
        agency_id=selection.agency.id,
        selection_id=selection.id,
        kind=kind,
        series=stamp.series,
        year=clock.to_jakarta(prepared.moment).year,
        seq=stamp.seq,
        number=stamp.number,
        title=prepared.title[:300],
        verification_code=stamp.code,
        signed=signed,
        issued_by_id=actor.id if actor is not None else None,
        issued_at=prepared.moment,
        subject=dict(subject or {}),
        chain_seq=stamp.chain_seq,
        chain_hash=stamp.chain_hash,
        status=DocumentStatus.ISSUED,
    )


def append_issued_event(session: Session, document: IssuedDocument, actor: User | None) -> None:
    """Append the ``document_issued`` event of a document that has its file."""
    audit.append(
        session,
        event="document_issued",
        actor=actor,
        subject_type="document",
        subject_id=document.id,
        selection_id=document.selection_id,
        payload={
            "kind": document.kind,
            "title": document.title,
            "number": document.number,
            "series": document.series,
            "sha256": document.sha256,
            "verification_code": document.verification_code,
            "signed": document.signed,
            "subject": document.subject,
            "chain_seq": document.chain_seq,
            "chain_hash": document.chain_hash,
        },
    )
