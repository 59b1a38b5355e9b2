"""Issuing a transition's pending documents, off the web request, until they are issued.

fire() numbers a transition's documents ``pending`` (``issuing.reserve_document``) in its own
short transaction. After it commits, a job renders each from its frozen context, signs and
stores it, then in a short transaction marks it ``issued`` and appends its
``document_issued`` event. Rendering holds no lock: the counter and chain head were taken
in the transition. Issuing is idempotent (a document already issued is skipped; the same
number, code and context give the same document), so after any failure (a killed worker,
a render error, a full disk) the job is simply run again: RQ retries it, the worker sweeps
what is pending when it starts, and `flask openbid issue-pending` does it by hand.

A page or the API can also enqueue the whole event (``submit_event``): the worker fires it,
then issues its documents, and the job row tells the page how it went.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from openbid import clock, jobs, storage
from openbid.extensions import db
from openbid.models import (
    Agency,
    Approval,
    DocumentStatus,
    IssuedDocument,
    Job,
    JobStatus,
    Selection,
    User,
)
from openbid.rules.reasons import N_, Reason
from openbid.stages.documents.frozen import thaw
from openbid.stages.documents.issuing import (
    PDF_TYPE,
    RESERVED,
    append_issued_event,
    render_reserved,
)
from openbid.workflow.definition import TransitionDef
from openbid.workflow.engine import FireResult, WorkflowError, fire

log = logging.getLogger(__name__)
ISSUE_DOCUMENTS = "openbid.stages.documents.pending:issue_documents"
RUN_EVENT = "openbid.stages.documents.pending:run_event"
# The actions that number documents (openbid.stages.documents.actions).
DOCUMENT_ACTIONS = frozenset(
    {
        "issue_announcement",
        "issue_extension_notice",
        "issue_screening_documents",
        "issue_results_documents",
        "issue_decree",
        "issue_oversight_report",
        # The oversight body's letters (openbid.stages.oversight.actions).
        "issue_plan_letter",
        "issue_results_letter",
        "issue_extension_letter",
    }
)


def issues_documents(transition: TransitionDef) -> bool:
    """True when the transition's actions number documents (so it belongs in a job)."""
    return any(name in DOCUMENT_ACTIONS for name in transition.actions)


def pending_ids(session: Session, selection_id: int | None = None) -> list[int]:
    """Return the ids of pending documents, oldest first (of one selection, if given)."""
    stmt = sa.select(IssuedDocument.id).where(IssuedDocument.status == DocumentStatus.PENDING)
    if selection_id is not None:
        stmt = stmt.where(IssuedDocument.selection_id == selection_id)
    return list(session.scalars(stmt.order_by(IssuedDocument.id)))


def issue_pending(session: Session, document_id: int) -> bool:
    """Render, sign and store a pending document, then mark it issued with its event.

    Returns False when it was not pending (already issued, by this or another worker).
    The read transaction ends before the render, so nothing is locked while it runs.

    :raises Exception: whatever rendering, signing or storing raise; the row stays pending
        with the error noted, and the next try starts over.
    """
    document = session.get(IssuedDocument, document_id)
    if document is None or document.status != DocumentStatus.PENDING:
        session.rollback()
        return False
    context = thaw(document.context or {})
    agency_code = session.scalar(sa.select(Agency.code).where(Agency.id == document.agency_id))
    session.expunge(document)
    session.rollback()  # nothing held while rendering
    try:
        pdf = render_reserved(document, context, agency_code or "")
        stored = storage.store(session, pdf, PDF_TYPE)
    except Exception as exc:
        session.rollback()
        _note_error(session, document_id, exc)
        raise
    return _mark_issued(session, document_id, stored.id, stored.sha256)


def _mark_issued(session: Session, document_id: int, file_id: int, sha256: str) -> bool:
    """Mark the document issued and append its event, unless someone else did first."""
    claimed = session.execute(
        sa.update(IssuedDocument)
        .where(IssuedDocument.id == document_id, IssuedDocument.status == DocumentStatus.PENDING)
        .values(
            status=DocumentStatus.ISSUED,
            file_id=file_id,
            sha256=sha256,
            context=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return False
    # An oversight letter's approval points at its file from now on.
    session.execute(
        sa.update(Approval)
        .where(Approval.document_id == document_id, Approval.file_id.is_(None))
        .values(file_id=file_id)
        .execution_options(synchronize_session=False)
    )
    document = session.get(IssuedDocument, document_id, populate_existing=True)
    actor = session.get(User, document.issued_by_id) if document.issued_by_id else None
    append_issued_event(session, document, actor)
    session.commit()
    return True


def _note_error(session: Session, document_id: int, exc: Exception) -> None:
    """Write why the last try failed on the pending row (best effort)."""
    try:
        session.execute(
            sa.update(IssuedDocument)
            .where(IssuedDocument.id == document_id)
            .values(last_error=f"{type(exc).__name__}: {exc}"[:2000])
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except Exception:  # the database may be what failed; the job's error says it anyway
        session.rollback()


def issue_documents(document_ids: list[int]) -> int:
    """Issue the given pending documents in order, in a session of their own.

    Returns how many this call issued.

    :raises Exception: the first failure; documents before it stay issued.
    """
    with Session(db.engine) as session:
        return sum(1 for document_id in document_ids if issue_pending(session, document_id))


def issue_all_pending(selection_id: int | None = None) -> tuple[int, list[str]]:
    """Issue every pending document (of one selection); return (issued, failures)."""
    issued, failures = 0, []
    with Session(db.engine) as session:
        for document_id in pending_ids(session, selection_id):
            try:
                issued += issue_pending(session, document_id)
            except Exception as exc:
                log.exception("pending document %s not issued", document_id)
                failures.append(f"document id {document_id}: {type(exc).__name__}: {exc}")
    return issued, failures


def _after_commit(session: Session) -> None:
    # Also called when a SAVEPOINT is released; only the outermost commit publishes the rows.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(RESERVED, None)
    if not ids or not has_app_context() or jobs.in_job():
        return  # a job that fired the event issues them itself
    try:
        jobs.enqueue(ISSUE_DOCUMENTS, list(ids))
    except Exception:  # committed already: never make the change look failed
        log.exception("documents %s stay pending; `flask openbid issue-pending` issues them", ids)


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(RESERVED, None)


# --- an event fired by a worker -------------------------------------------------------------


def submit_event(
    selection: Selection,
    event: str,
    actor: User,
    data: dict[str, Any],
    *,
    expected_version: int | None,
) -> Job:
    """Enqueue ``event`` on the selection as ``actor``; return the job (eager: finished)."""
    return jobs.submit(
        RUN_EVENT,
        {"event": event, "data": dict(data), "expected_version": expected_version},
        selection_id=selection.id,
        actor_id=actor.id,
    )


def run_event(job: Job) -> dict[str, Any]:
    """Fire the job's event (unless an earlier try did), then issue its documents.

    :raises JobFailed: with the engine's reasons when the event is refused.
    :raises Exception: when a document cannot be issued; a retry issues the rest.
    """
    session = db.session
    result = dict(job.result or {})
    if not result.get("fired"):
        # An event fired in the request (``track_fired``) comes with its outcome.
        result = dict(job.args.get("fired") or {}) or _fire_for(job)
        job.result = result
        job.updated_at = clock.now()
        session.commit()
    issue_documents(result.get("documents", []))
    return result


def _fire_for(job: Job) -> dict[str, Any]:
    """Fire the job's event as its actor and return what the job records of it.

    :raises JobFailed: with the engine's reasons when it is refused.
    """
    session = db.session
    selection = session.get(Selection, job.selection_id)
    actor = session.get(User, job.actor_id)
    args = job.args
    try:
        fired = fire(
            selection,
            args["event"],
            actor,
            args.get("data") or {},
            expected_version=args.get("expected_version"),
        )
    except WorkflowError as error:
        raise jobs.JobFailed(error.reasons, error.status) from None
    return _fired_json(fired)


def _fired_json(fired: FireResult) -> dict[str, Any]:
    """Return what an event job records of the event it fired."""
    return {
        "fired": True,
        "event": fired.event,
        "from_state": fired.from_state,
        "to_state": fired.to_state,
        "audit_event_id": fired.audit_event_id,
        "documents": list(fired.outputs.get("documents") or []),
    }


def track_fired(selection: Selection, actor: User, fired: FireResult) -> Job:
    """Track by a job the documents of an event fired in the request, for the progress area.

    For an event that must share the request's transaction (an extension recorded with its
    uploaded letter): the job only issues the documents the event numbered.
    """
    return jobs.submit(
        RUN_EVENT,
        {"event": fired.event, "data": {}, "expected_version": None, "fired": _fired_json(fired)},
        selection_id=selection.id,
        actor_id=actor.id,
    )


def job_documents(session: Session, job: Job) -> list[IssuedDocument]:
    """Return the documents a job's event numbered, issued or still pending."""
    ids = (job.result or {}).get("documents") or []
    if not ids:
        return []
    rows = session.scalars(sa.select(IssuedDocument).where(IssuedDocument.id.in_(ids)))
    return sorted(rows, key=lambda document: ids.index(document.id))


def sweep(app: Flask) -> None:
    """Issue what is pending, e.g. left by a worker that died (the worker runs this at start).

    Event jobs left ``running`` whose event fired and whose documents are now all issued are
    marked done; those whose event had not fired are marked failed, to be retried by hand.
    """
    with app.app_context():
        issued, failures = issue_all_pending()
        if issued or failures:
            log.info("sweep: %s pending documents issued, %s failed", issued, len(failures))
        _settle_running_jobs(db.session)
        db.session.remove()


def _settle_running_jobs(session: Session) -> None:
    """Close event jobs a dead worker left ``running`` (see ``sweep``)."""
    stale = session.scalars(
        sa.select(Job).where(Job.func == RUN_EVENT, Job.status == JobStatus.RUNNING)
    ).all()
    for job in stale:
        if not (job.result or {}).get("fired"):
            job.status = JobStatus.FAILED
            job.error = {"reasons": [jobs.reason_to_json(INTERRUPTED)]}
        elif not any(document.pending for document in job_documents(session, job)):
            job.status = JobStatus.DONE
        job.updated_at = clock.now()
    session.commit()


INTERRUPTED = Reason(
    "jobs.interrupted", N_("The work was interrupted before it finished; try again.")
)


def init_app(app: Flask) -> None:
    """Issue a transition's pending documents through the job queue after it commits."""
    jobs.init_app(app)
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _after_commit):
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_rollback", _after_rollback)
