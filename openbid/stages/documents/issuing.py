"""Issuing documents: number, render, sign, store, register and audit in one transaction.

``issue_document`` runs inside the caller's transaction (a workflow action inside fire(),
or a service that commits afterwards): the counter row is locked and bumped (``numbers``),
the PDF is rendered and signed (``signers``), its bytes are stored by SHA-256, the registry
row and the ``document_issued`` audit event are written. Any failure raises and the caller
rolls back, so a failed render consumes no number and leaves no registry row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from openbid import audit, clock, storage
from openbid.documents import render, signing
from openbid.documents.contexts import template_name
from openbid.models import Agency, IssuedDocument, Selection, User
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
