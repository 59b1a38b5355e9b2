"""The documents a candidate uploads to an application: what is asked, what is in force, uploads.

A document is stored as a checked PDF; a re-upload supersedes the earlier one, which stays in
the application's history (and in the audit trail) with its hash.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from openbid import audit, clock, storage, uploads
from openbid.extensions import db
from openbid.models import Application, ApplicationDocument, ApplicationState, StoredFile, User
from openbid.rules.eligibility import DocumentType
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.applications.registration import registration_reason, required_documents
from openbid.workflow.access import NOT_OWN


def current_documents(application: Application) -> dict[str, ApplicationDocument]:
    """Return the application's documents in force, by document type."""
    rows = db.session.scalars(
        sa.select(ApplicationDocument)
        .where(
            ApplicationDocument.application_id == application.id,
            ApplicationDocument.superseded_at.is_(None),
        )
        .options(joinedload(ApplicationDocument.file))
    )
    return {row.doc_type: row for row in rows}


def document_history(application: Application) -> list[ApplicationDocument]:
    """Return every document ever uploaded to the application, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApplicationDocument)
            .where(ApplicationDocument.application_id == application.id)
            .options(joinedload(ApplicationDocument.file))
            .order_by(ApplicationDocument.uploaded_at.desc(), ApplicationDocument.id.desc())
        )
    )


def missing_documents(application: Application) -> list[DocumentType]:
    """Return the required documents not uploaded yet."""
    present = current_documents(application)
    return [doc for doc in required_documents(application.selection) if doc.code not in present]


def _clean_name(filename: str) -> str:
    # Keep what the candidate called it, minus any folder a browser sent along.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(c for c in name if c.isprintable())[:255] or "document.pdf"


def upload_document(
    application: Application,
    candidate: User,
    doc_type: str,
    upload: FileStorage | None,
    max_bytes: int,
) -> ApplicationDocument:
    """Store a required document as PDF; a re-upload supersedes the earlier one.

    Checked by content (a PDF that opens, not encrypted, not empty, within the size limit).
    The file, the row and the audit events (``document_uploaded`` and, for a replacement,
    ``document_superseded``) are written in one transaction; on any problem nothing is.

    :raises ValidationFailed: not the candidate's, not a draft, unknown type, or a bad file.
    """
    document_type = _asked_document(application, candidate, doc_type)
    data = _read_pdf(upload, max_bytes)
    selection_id = application.selection.id
    stored = storage.store(db.session, data, "application/pdf")
    now = clock.now()
    previous = current_documents(application).get(doc_type)
    if previous is not None:
        _supersede(previous, candidate, selection_id, now)
    document = ApplicationDocument(
        application_id=application.id,
        doc_type=doc_type,
        file_id=stored.id,
        original_name=_clean_name(upload.filename or ""),
        uploaded_by_id=candidate.id,
        uploaded_at=now,
    )
    db.session.add(document)
    db.session.flush()
    _audit_upload(document, document_type, stored, previous, candidate, selection_id)
    db.session.commit()
    return document


def _asked_document(application: Application, candidate: User, doc_type: str) -> DocumentType:
    """Return the document type the upload is for, if the candidate may upload it now.

    :raises ValidationFailed: not the candidate's, not a draft, unknown type, or registration
        not open.
    """
    if application.candidate_id != candidate.id:
        raise ValidationFailed(NOT_OWN)
    if application.state != ApplicationState.DRAFT:
        raise ValidationFailed(
            Reason(
                "document.locked",
                N_("Documents can be changed only before the application is submitted."),
            )
        )
    wanted = {doc.code: doc for doc in required_documents(application.selection)}
    if doc_type not in wanted:
        raise ValidationFailed(
            Reason("document.unknown", N_("This selection does not ask for that document."))
        )
    reason = registration_reason(application.selection)
    if reason is not None:
        raise ValidationFailed(reason)
    return wanted[doc_type]


def _read_pdf(upload: FileStorage | None, max_bytes: int) -> bytes:
    """Return the upload's bytes if they are a PDF within max_bytes.

    :raises ValidationFailed: with what is wrong with the file.
    """
    data, reasons = uploads.read_upload(upload, max_bytes)
    if not reasons:
        reasons = uploads.check_pdf(data, max_bytes)
    if reasons:
        raise ValidationFailed(reasons)
    return data


def _supersede(
    previous: ApplicationDocument, candidate: User, selection_id: int, now: datetime
) -> None:
    """Mark the document in force as replaced, with its audit event."""
    previous.superseded_at = now
    audit.append(
        db.session,
        event="document_superseded",
        actor=candidate,
        subject_type="application_document",
        subject_id=previous.id,
        selection_id=selection_id,
        payload={
            "application_id": previous.application_id,
            "doc_type": previous.doc_type,
            "sha256": previous.file.sha256,
            "original_name": previous.original_name,
        },
    )


def _audit_upload(
    document: ApplicationDocument,
    document_type: DocumentType,
    stored: StoredFile,
    previous: ApplicationDocument | None,
    candidate: User,
    selection_id: int,
) -> None:
    """Record the upload's audit event: which document, its hash and size, what it replaces."""
    audit.append(
        db.session,
        event="document_uploaded",
        actor=candidate,
        subject_type="application_document",
        subject_id=document.id,
        selection_id=selection_id,
        payload={
            "application_id": document.application_id,
            "doc_type": document.doc_type,
            "document": document_type.name_id,
            "sha256": stored.sha256,
            "size": stored.size,
            "original_name": document.original_name,
            "replaces": previous.id if previous is not None else None,
        },
    )
