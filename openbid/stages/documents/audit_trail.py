"""The auditor's export of a selection's audit trail: every event and document, and whether
the chain holds.

The export is long work (it re-verifies the chain and renders every event), so the page
hands it to the job queue (``submit_trail_export``); the job numbers it ``pending`` in a
short transaction, then renders and issues it holding no lock, like a transition's
documents. A failed render leaves it pending; the next export issues that one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session, joinedload

from openbid import audit, clock, jobs
from openbid.audit.labels import EVENT_LABELS, SUBJECT_LABELS
from openbid.extensions import db
from openbid.models import (
    Approval,
    AuditEvent,
    DocumentStatus,
    IssuedDocument,
    Job,
    Selection,
    User,
)
from openbid.stages.documents.common import selection_context
from openbid.stages.documents.issuing import reserve_document
from openbid.stages.documents.letters import authority_name
from openbid.stages.documents.pending import issue_documents
from openbid.stages.documents.wording import STAGE_LABELS_ID
from openbid.workflow.definition import WorkflowDefinition
from openbid.workflow.installed import definition_of


def _event_text(event: AuditEvent) -> str:
    text = event.event
    if event.subject_type not in ("selection",) and event.subject_id is not None:
        text = f"{text} ({event.subject_type} #{event.subject_id})"
    elif event.subject_type not in ("selection",):
        text = f"{text} ({event.subject_type})"
    return text


def _labels_in(locale: str) -> dict[str, str]:
    """Return every event's and subject's readable name in one language (one locale switch)."""
    with force_locale(locale):
        return {key: gettext(text) for key, text in (*EVENT_LABELS.items(), *_SUBJECTS)}


# Subjects keyed apart from events (a subject and an event may share a machine name).
_SUBJECTS = tuple((f"subject:{key}", text) for key, text in SUBJECT_LABELS.items())


def _event_label(event: AuditEvent, names: dict[str, str]) -> str:
    text = names.get(event.event, event.event)
    if event.subject_type != "selection":
        what = names.get(f"subject:{event.subject_type}", event.subject_type)
        number = f" #{event.subject_id}" if event.subject_id is not None else ""
        text = f"{text} — {what}{number}"
    return text


def audit_trail_context(
    session: Session, selection: Selection, definition: WorkflowDefinition, exported_by: User
) -> dict[str, Any]:
    """Return the ``AuditTrailContext`` keys: every event and document so far, chain status."""
    status, message, final_hash = _chain_status(session, selection)
    events = _event_rows(session, selection)
    machine = definition.machine("selection")
    return {
        "selection": selection_context(selection),
        "reference": f"{selection.agency.code.upper()}-{selection.year}-{selection.id}",
        "definition": f"{definition.key} versi {definition.version} ({definition.title})",
        "state": STAGE_LABELS_ID.get(selection.state, machine.state_label(selection.state)),
        "chain_status": status,
        "chain_message": message,
        "final_hash": final_hash,
        "events": events,
        "documents": _document_rows(session, selection),
        "exported_by": f"{exported_by.name} <{exported_by.email}>",
    }


def _chain_status(session: Session, selection: Selection) -> tuple[str, str, str]:
    """Recompute the selection's chain: its status word, what it means, its final hash."""
    count, problem, final_hash = audit.verify_chain(session, audit.chain_for(selection.id))
    if problem is None:
        message = (
            f"Rantai {count} peristiwa dihitung ulang: setiap hash cocok dengan isinya dan "
            "tersambung dengan peristiwa sebelumnya."
        )
        return "utuh", message, final_hash
    return (
        "rusak",
        f"Rantai rusak mulai peristiwa nomor {problem.seq}: {problem.message}.",
        final_hash,
    )


def _event_rows(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """Return every event of the selection's chain (``contexts.AuditRow``), in order."""
    events = session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_for(selection.id))
        .order_by(AuditEvent.seq)
    )
    indonesian, english = _labels_in("id"), _labels_in("en")
    return [
        {
            "seq": event.seq,
            "at": clock.to_jakarta(event.occurred_at),
            "actor": event.actor,
            "event": _event_text(event),
            # One registered document whoever asks: both languages rather than the
            # asking auditor's, the machine name (what the chain records) beside them.
            "label": _event_label(event, indonesian),
            "label_en": _event_label(event, english),
            "from_state": event.from_state or "",
            "to_state": event.to_state or "",
            "hash": event.hash,
        }
        for event in events
    ]


def _document_rows(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """Return the documents issued, then the letters uploaded (``contexts.DocumentRow``)."""
    documents = session.execute(
        sa.select(IssuedDocument, User.name)
        .outerjoin(User, User.id == IssuedDocument.issued_by_id)
        .where(IssuedDocument.selection_id == selection.id)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)
    ).all()
    uploaded = session.execute(
        sa.select(Approval, User.name)
        .outerjoin(User, User.id == Approval.recorded_by_id)
        .where(Approval.selection_id == selection.id, Approval.file_id.is_not(None))
        .options(joinedload(Approval.file))
        .order_by(Approval.recorded_at, Approval.id)
    ).all()
    rows = [
        {
            "kind": document.title,
            "number": document.number,
            "sha256": document.sha256,
            "issued_at": clock.to_jakarta(document.issued_at),
            "issued_by": name or "sistem",
        }
        for document, name in documents
    ]
    rows += [
        {
            "kind": f"Surat {authority_name(approval, selection.agency)} (diunggah)",
            "number": approval.letter_number,
            "sha256": approval.file.sha256,
            "issued_at": clock.to_jakarta(approval.recorded_at),
            "issued_by": name or "sistem",
        }
        for approval, name in uploaded
    ]
    return rows


EXPORT_TRAIL = "openbid.stages.documents.audit_trail:run_export"


def submit_trail_export(selection: Selection, auditor: User) -> Job:
    """Enqueue the export of the selection's trail; return its job (eager: finished)."""
    return jobs.submit(EXPORT_TRAIL, {}, selection_id=selection.id, actor_id=auditor.id)


def run_export(job: Job) -> dict[str, Any]:
    """Export the job's selection's trail (the worker's side of ``submit_trail_export``)."""
    session = db.session
    selection = session.get(Selection, job.selection_id)
    auditor = session.get(User, job.actor_id)
    return {"documents": [export_audit_trail(session, selection, auditor).id]}


def export_job(session: Session, selection_id: int, job_id: int | None) -> Job | None:
    """Return the trail export job ``job_id`` of the selection, or None."""
    job = session.get(Job, job_id) if job_id is not None else None
    if job is None or job.func != EXPORT_TRAIL or job.selection_id != selection_id:
        return None
    return job


def export_audit_trail(session: Session, selection: Selection, auditor: User) -> IssuedDocument:
    """Return the registered trail PDF of a selection's chain as it stands, issuing it if new.

    The export is itself a numbered document (series ``audit``) whose issue is the chain's
    newest event; while nothing else happens, exporting again returns the same document
    rather than consuming another number. It is numbered ``pending`` and committed first,
    then rendered holding no lock; an export left pending by a failed render is issued
    before any new one is numbered. Commits.

    :raises Exception: whatever rendering, signing or storing raise (it stays pending).
    """
    document = _current_export(session, selection) or _pending_export(session, selection)
    if document is None:
        context = audit_trail_context(session, selection, definition_of(selection), auditor)
        document = reserve_document(
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
    document_id = document.id
    if document.pending:
        issue_documents([document_id])
    return session.get(IssuedDocument, document_id, populate_existing=True)


def _pending_export(session: Session, selection: Selection) -> IssuedDocument | None:
    """Return a trail export numbered but not issued yet (its render failed), or None."""
    return session.scalar(
        sa.select(IssuedDocument)
        .where(
            IssuedDocument.selection_id == selection.id,
            IssuedDocument.kind == "audit_trail",
            IssuedDocument.status == DocumentStatus.PENDING,
        )
        .order_by(IssuedDocument.id)
        .limit(1)
    )


def _current_export(session: Session, selection: Selection) -> IssuedDocument | None:
    """Return the trail export whose issue is still the chain's newest event, or None."""
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
        return session.get(IssuedDocument, last.subject_id)
    return None
