"""Issuing documents: number, render, sign, store, register and audit in one transaction.

``issue_document`` runs inside the caller's transaction (a workflow action inside fire(),
or a service that commits afterwards): the counter row is locked and bumped (``numbers``),
the PDF is rendered and signed (``signers``), its bytes are stored by SHA-256, the registry
row and the ``document_issued`` audit event are written. Any failure raises and the caller
rolls back, so a failed render consumes no number and leaves no registry row.
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
from openbid.models import Agency, IssuedDocument, Selection, StoredFile, User
from openbid.stages.documents.codes import new_verification_code, verify_url
from openbid.stages.documents.kinds import document_title
from openbid.stages.documents.numbers import allocate_number
from openbid.stages.documents.signers import current_signer

PDF_TYPE = "application/pdf"


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
    agency = selection.agency
    moment = issued_at or clock.now()
    signer = current_signer()
    stamp = _stamp(session, selection, kind, moment, series)
    base = document_base(
        agency,
        number=stamp.number,
        issued_at=moment,
        code=stamp.code,
        signed=signer is not None,
        chain_seq=stamp.chain_seq,
        chain_hash=stamp.chain_hash,
    )
    clash = set(base) & set(context)
    if clash:
        raise ValueError(f"document context may not set {', '.join(sorted(clash))}")
    title = title or document_title(kind, agency)
    reason = f"{title} Nomor {stamp.number}"
    pdf = _signed_pdf(template, {**context, **base}, signer, reason, agency.seat, moment)
    stored = storage.store(session, pdf, PDF_TYPE)
    return _register(
        session,
        selection=selection,
        kind=kind,
        stamp=stamp,
        title=title,
        stored=stored,
        signed=signer is not None,
        actor=actor,
        issued_at=moment,
        subject=subject,
    )


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


def _register(
    session: Session,
    *,
    selection: Selection,
    kind: str,
    stamp: _Stamp,
    title: str,
    stored: StoredFile,
    signed: bool,
    actor: User | None,
    issued_at: datetime,
    subject: Mapping[str, Any] | None,
) -> IssuedDocument:
    """Add the registry row of an issued document and append its ``document_issued`` event."""
    document = IssuedDocument(
        agency_id=selection.agency.id,
        selection_id=selection.id,
        kind=kind,
        series=stamp.series,
        year=clock.to_jakarta(issued_at).year,
        seq=stamp.seq,
        number=stamp.number,
        title=title[:300],
        file_id=stored.id,
        sha256=stored.sha256,
        verification_code=stamp.code,
        signed=signed,
        issued_by_id=actor.id if actor is not None else None,
        issued_at=issued_at,
        subject=dict(subject or {}),
        chain_seq=stamp.chain_seq,
        chain_hash=stamp.chain_hash,
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
            "number": stamp.number,
            "series": stamp.series,
            "sha256": stored.sha256,
            "verification_code": stamp.code,
            "signed": document.signed,
            "subject": document.subject,
            "chain_seq": stamp.chain_seq,
            "chain_hash": stamp.chain_hash,
        },
    )
    return document
