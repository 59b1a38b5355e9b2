"""The reviewer's letters go through the job queue: its decision is handed to a worker that
fires the event and issues the letter, and the dossier shows the job's progress (retry on
failure), as the agency's overview does for its documents."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid import jobs
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Job, JobStatus, Selection
from openbid.stages import documents
from openbid.workflow import definition_of
from openbid.workflow.access import role_reason


def _label(selection: Selection, event: str) -> str:
    machine = definition_of(selection).machine("selection")
    return next((t.label for t in machine.transitions if t.trigger == event), event)


def queue_decision(selection: Selection, event: str, data: dict[str, Any], expected: int):
    """Hand a decision that issues a letter to the job queue; answer with the dossier.

    :raises Forbidden: 403 when the reviewer's role may not fire the event.
    """
    transition = definition_of(selection).machine("selection").find(event, selection.state)
    if transition is not None and role_reason(current_user, transition) is not None:
        abort(403)
    job = documents.submit_event(selection, event, current_user, data, expected_version=expected)
    return job_answer(selection, job)


def job_answer(selection: Selection, job: Job):
    """Redirect to the dossier: with the outcome if the job already ended, else its progress."""
    back = url_for("oversight.dossier", selection_id=selection.id)
    if job.status == JobStatus.FAILED and not (job.result or {}).get("fired"):
        for item in jobs.job_reasons(job):  # refused at once, like a direct fire()
            flash(reason_text(item), "error")
        return redirect(back, 303)
    if job.status == JobStatus.DONE:
        flash(
            _("Done: %(action)s.", action=_(_label(selection, job.args.get("event", "")))),
            "success",
        )
    return redirect(url_for("oversight.dossier", selection_id=selection.id, job=job.id), 303)


def _shown_job(selection_id: int) -> Job | None:
    """The job the dossier reports: the one asked for (?job=), else the reviewer's at work."""
    wanted = request.args.get("job", type=int)
    if wanted is not None:
        job = db.session.get(Job, wanted)
        mine = job is not None and job.selection_id == selection_id
        return job if mine and job.func == documents.RUN_EVENT else None
    return db.session.scalars(
        sa.select(Job)
        .where(
            Job.selection_id == selection_id,
            Job.func == documents.RUN_EVENT,
            Job.actor_id == current_user.id,
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).first()


def may_retry(selection: Selection, job: Job) -> bool:
    """True when the reviewer's role may fire the job's event (so retry it)."""
    machine = definition_of(selection).machine("selection")
    event = job.args.get("event", "")
    transition = next((t for t in machine.transitions if t.trigger == event), None)
    return transition is not None and role_reason(current_user, transition) is None


def job_view(selection: Selection) -> dict | None:
    """What the dossier's job area shows: status, event, letters, reasons, retry."""
    job = _shown_job(selection.id)
    if job is None:
        return None
    return {
        "job": job,
        "label": _label(selection, job.args.get("event", "")),
        "documents": documents.job_documents(db.session, job),
        "reasons": jobs.job_reasons(job),
        "can_retry": job.status == JobStatus.FAILED and may_retry(selection, job),
    }


def retry(selection: Selection, job_id: int):
    """Run a failed decision job again (its letter, or the event if it never fired)."""
    job = db.session.get(Job, job_id)
    if job is None or job.selection_id != selection.id or job.func != documents.RUN_EVENT:
        abort(404)
    if not may_retry(selection, job):
        abort(403)
    if job.status == JobStatus.FAILED and not (job.result or {}).get("fired"):
        job.actor_id = current_user.id  # fired by whoever retries it
    return job_answer(selection, jobs.retry(job))
