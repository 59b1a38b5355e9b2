"""The auditor's area (``/audit``): read-only review of every selection of the agency.

Per selection: the timeline of audit events with their hashes, the chain's status, every
issued document with a download behind an authorization check, and exports of the trail
as one registered PDF and as CSV. Auditors never send a form: a hook on the whole app
answers 403 to any write request from an auditor outside log-out and the language switch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from math import ceil
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from openbid import audit, checkpoints, clock, jobs
from openbid.auditor import events as event_log
from openbid.auth import require_roles
from openbid.extensions import db
from openbid.i18n import role_label
from openbid.models import AuditEvent, IssuedDocument, JobStatus, Role, Selection
from openbid.stages import documents as service
from openbid.stages import oversight
from openbid.verify.downloads import send_document
from openbid.workflow import definition_of
from openbid.workflow.access import access_reasons

bp = Blueprint("auditor", __name__, url_prefix="/audit")

PAGE_SIZE = 50
# The only requests an auditor may send besides reading: leaving, choosing a language,
# issuing the trail export (a registered document, so a POST: no link can trigger it), and
# checking a file on the verification pages (compared and discarded; nothing is stored).
AUDITOR_WRITE_ALLOWED = frozenset(
    {
        "auth.logout",
        "main.set_language",
        "auditor.issue_trail_pdf",
        "verify.index",
        "verify.document",
    }
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.before_app_request
def _auditors_read_only():
    """Refuse every write request of an auditor (403), wherever it is sent."""
    if request.method in READ_METHODS or request.endpoint in AUDITOR_WRITE_ALLOWED:
        return None
    if not (current_user.is_authenticated and current_user.role == Role.AUDITOR):
        return None
    message = _("Auditor accounts are read-only: they cannot change or send anything.")
    if request.path.startswith("/api/"):  # the API answers in JSON, never HTML
        return jsonify({"error": "forbidden", "message": message}), 403
    return render_template("errors/error.html", status=403, message=message, details=[]), 403


@bp.before_request
def _gate() -> None:
    require_roles(Role.AUDITOR)


def _selection(selection_id: int) -> Selection:
    """Return a selection of the auditor's agency (``access_reasons`` decides).

    :raises NotFound: 404 for any other selection (no hint that it exists).
    """
    selection = db.session.get(Selection, selection_id)
    if selection is None or access_reasons(current_user, selection, selection, db.session):
        abort(404)
    return selection


@bp.route("/")
def index():
    """List every selection of the agency with its events and documents counted."""
    events = (
        sa.select(AuditEvent.selection_id, sa.func.count(AuditEvent.id).label("n"))
        .group_by(AuditEvent.selection_id)
        .subquery()
    )
    documents = (
        sa.select(IssuedDocument.selection_id, sa.func.count(IssuedDocument.id).label("n"))
        .group_by(IssuedDocument.selection_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Selection, events.c.n, documents.c.n)
        .outerjoin(events, events.c.selection_id == Selection.id)
        .outerjoin(documents, documents.c.selection_id == Selection.id)
        .where(Selection.agency_id == current_user.agency_id)
        .order_by(Selection.start_date.desc(), Selection.id.desc())
    ).all()
    return render_template(
        "auditor/index.html",
        rows=[(selection, n_events or 0, n_docs or 0) for selection, n_events, n_docs in rows],
    )


@bp.route("/selections/<int:selection_id>")
def selection(selection_id: int):
    """Show a selection's chain status, documents and a page of its events, filtered.

    :raises NotFound: 404 for a page past the last one.
    """
    selection = _selection(selection_id)
    chain = audit.chain_for(selection.id)
    # Only the events after the last recorded verification are checked on a view.
    status = audit.check_since(db.session, chain, checkpoints.folder())
    actors, kinds = event_log.chain_choices(chain)
    filters = event_log.read_filters(request.args, actors, kinds)
    stmt = event_log.filtered(chain, filters)
    # The chain's length is its head's seq, not a count: counting 100k events costs ~40 ms a
    # view on PostgreSQL. Only a filtered view counts what matches.
    head = audit.head_of(db.session, chain)
    chain_total = head[0] if head is not None else 0
    total = chain_total
    if filters.active:
        total = db.session.scalar(
            stmt.with_only_columns(sa.func.count(AuditEvent.id)).order_by(None)
        )
    pages = max(1, ceil(total / PAGE_SIZE))
    if filters.page > pages:
        abort(404)
    skipped = (filters.page - 1) * PAGE_SIZE
    if filters.active:
        stmt = stmt.offset(skipped).limit(PAGE_SIZE)
    else:
        # A chain's events are numbered 1..n: page p is seq (p-1)*50+1 .. p*50, a range of
        # the (chain, seq) index, where an OFFSET reads and sorts every event before it
        # (~170 ms for the last page of a 100k-event chain on PostgreSQL). Both ends bound:
        # with only "seq > 0" the planner may read the whole chain to sort it (~50 ms).
        stmt = stmt.where(AuditEvent.seq > skipped, AuditEvent.seq <= skipped + PAGE_SIZE)
    events = db.session.scalars(stmt).all()
    definition = definition_of(selection)
    labels = event_log.Labels(lambda machine, state: _state_name(definition, machine, state))
    return render_template(
        "auditor/selection.html",
        selection=selection,
        definition=definition,
        status=status,
        problem=status.problem,
        total=total,
        chain_total=chain_total,
        page=filters.page,
        pages=pages,
        events=events,
        filters=filters,
        actors=actors,
        kinds=sorted(kinds, key=labels.event),
        documents=service.selection_documents(db.session, selection.id),
        checkpoints=checkpoints.selection_files(selection.id),
        describe=lambda payload: event_log.describe(payload, labels),
        event_label=labels.event,
        subject=labels.subject,
        state_name=labels.state,
        role_label=lambda role: labels.once(("actor_role", role), _role_name, role),
        export=_export_view(selection.id),
        waits=oversight.gate_waits(
            db.session, selection, oversight.service_level(db.session, definition.oversight_body)
        ),
    )


def _state_name(definition, subject_type: str, state: str | None) -> str:
    """Return a state's label in the current language (the machine name if unknown)."""
    if not state:
        return "–"
    machine = "application" if subject_type == "application" else "selection"
    return _(definition.machine(machine).state_label(state))


def _role_name(role: str) -> str:
    """Return an actor's role in the current language ("system" stays as it is)."""
    try:
        return role_label(role)
    except ValueError:
        return _("system") if role == "system" else role


def _csv_response(name: str, header: list[str], rows: Iterator[list[Any]]) -> Response:
    """Stream rows as a UTF-8 CSV download (with a BOM, so spreadsheets read it right)."""

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/selections/<int:selection_id>/events.csv")
def events_csv(selection_id: int) -> Response:
    """Download every audit event of a selection as CSV, streamed in chain order."""
    selection = _selection(selection_id)
    chain = audit.chain_for(selection.id)

    def rows() -> Iterator[list[Any]]:
        stmt = (
            sa.select(AuditEvent)
            .where(AuditEvent.chain == chain)
            .order_by(AuditEvent.seq)
            .execution_options(yield_per=500)
        )
        for event in db.session.scalars(stmt):
            yield [
                event.seq,
                event.occurred_at.isoformat(),
                clock.to_jakarta(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor,
                event.actor_role,
                event.event,
                event.subject_type,
                event.subject_id if event.subject_id is not None else "",
                event.from_state or "",
                event.to_state or "",
                audit.canonical_json(event.payload),
                event.prev_hash,
                event.hash,
            ]

    header = ["seq", "occurred_at_utc", "occurred_at_wib", "actor", "actor_role", "event"]
    header += ["subject_type", "subject_id", "from_state", "to_state", "payload"]
    header += ["prev_hash", "hash"]
    return _csv_response(f"selection-{selection.id}-events.csv", header, rows())


@bp.route("/selections/<int:selection_id>/documents.csv")
def documents_csv(selection_id: int) -> Response:
    """Download the registry of a selection's issued documents as CSV."""
    selection = _selection(selection_id)
    documents = service.selection_documents(db.session, selection.id)

    def rows() -> Iterator[list[Any]]:
        for document, issuer in documents:
            yield [
                document.kind,
                document.title,
                document.number,
                document.series,
                document.year,
                document.seq,
                document.issued_at.isoformat(),
                clock.to_jakarta(document.issued_at).strftime("%Y-%m-%d %H:%M:%S"),
                issuer,
                document.sha256,
                document.verification_code,
                "yes" if document.signed else "no",
                service.verify_url(document.verification_code),
            ]

    header = ["kind", "title", "number", "series", "year", "seq", "issued_at_utc"]
    header += ["issued_at_wib", "issued_by", "sha256", "verification_code", "signed"]
    header += ["verify_url"]
    return _csv_response(f"selection-{selection.id}-documents.csv", header, rows())


@bp.route("/selections/<int:selection_id>/trail.pdf", methods=["POST"])
def issue_trail_pdf(selection_id: int):
    """Export the trail as one registered PDF (the same one while the chain is unchanged).

    The export runs in a job, never in the request: the answer is the selection's page with
    its progress, or the PDF itself when the job has already finished (eager mode).
    """
    selection = _selection(selection_id)
    job = service.submit_trail_export(selection, current_user._get_current_object())
    if job.status == JobStatus.DONE:
        [document_id] = job.result["documents"]
        return redirect(url_for("auditor.download", document_id=document_id), 303)
    page = url_for("auditor.selection", selection_id=selection.id, export=job.id)
    return redirect(page + "#export", 303)


def _export_view(selection_id: int) -> dict | None:
    """What the page's export area shows: the job asked for (?export=), its PDF or reasons."""
    job = service.export_job(db.session, selection_id, request.args.get("export", type=int))
    if job is None:
        return None
    return {
        "job": job,
        "documents": service.job_documents(db.session, job),
        "reasons": jobs.job_reasons(job),
    }


@bp.route("/selections/<int:selection_id>/trail.pdf")
def trail_pdf(selection_id: int):
    """Download the latest trail export of a selection; issuing one is a POST.

    :raises NotFound: 404 (with what to do) when no export was issued yet.
    """
    selection = _selection(selection_id)
    latest = service.latest(db.session, selection.id, "audit_trail")
    if latest is None:
        message = _(
            "No export of the trail has been issued for this selection yet; use the button "
            "“Export the trail as PDF” on the selection's page."
        )
        return render_template("errors/error.html", status=404, message=message, details=[]), 404
    return redirect(url_for("auditor.download", document_id=latest.id), 303)


@bp.route("/selections/<int:selection_id>/checkpoints.zip")
def checkpoints_zip(selection_id: int) -> Response:
    """Download every checkpoint file (and signature) of a selection as one zip."""
    selection = _selection(selection_id)
    name = f"selection-{selection.id}-checkpoints.zip"
    return Response(
        checkpoints.selection_zip(selection.id),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/documents/<int:document_id>")
def download(document_id: int) -> Response:
    """Send a registered PDF of the auditor's agency.

    :raises NotFound: 404 for another agency's document or a missing file.
    """
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.agency_id != current_user.agency_id:
        abort(404)
    return send_document(document)
