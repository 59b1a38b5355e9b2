"""An event handed to the job queue, as the pages show it.

The committee's overview and the oversight body's dossier both queue an event that issues
documents (``stages.documents.submit_event``), answer at once with the page that shows the
job's progress (what is done, the documents, the reasons it failed), and let whoever may
fire the event retry it. ``page`` is the endpoint that shows the job (``?job=<id>``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from openbid import jobs
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Job, JobStatus, Selection
from openbid.stages import documents
from openbid.workflow import definition_of
from openbid.workflow.access import role_reason


def queue_event(
    selection: Selection,
    event: str,
    data: dict[str, Any],
    expected: int,
    *,
    page: str,
    back: str | None = None,
) -> Response:
    """Hand an event that issues documents to the job queue; answer with its progress.

    A refusal known at once goes ``back`` (default: ``page``) with its reasons.

    :raises Forbidden: 403 when the user's role may not fire the event (checked here, not
        only in the worker, so a page refuses at once in every queue mode).
    """
    transition = definition_of(selection).machine("selection").find(event, selection.state)
    if transition is not None and role_reason(current_user, transition) is not None:
        abort(403)
    job = documents.submit_event(selection, event, current_user, data, expected_version=expected)
    return job_answer(selection, job, page=page, back=back)


def job_answer(selection: Selection, job: Job, *, page: str, back: str | None = None) -> Response:
    """Redirect after a queued event: with its outcome if it already ended, else its job."""
    if job.status == JobStatus.FAILED and not (job.result or {}).get("fired"):
        for item in jobs.job_reasons(job):  # refused at once, like a direct fire()
            flash(reason_text(item), "error")
        return redirect(url_for(back or page, selection_id=selection.id), 303)
    if job.status == JobStatus.DONE:
        flash(_("Done: %(action)s.", action=_(_label(selection, job))), "success")
    return redirect(url_for(page, selection_id=selection.id, job=job.id), 303)


def job_view(selection: Selection, *, own_only: bool = False) -> dict[str, Any] | None:
    """What a page's job area shows: status, event, documents, reasons, retry.

    The job asked for (``?job=``), else the latest still at work on the selection (with
    own_only, only one the current user started: a reviewer sees their own letters').
    """
    job = _shown_job(selection.id, own_only)
    if job is None:
        return None
    return {
        "job": job,
        "label": _label(selection, job),
        "documents": documents.job_documents(db.session, job),
        "reasons": jobs.job_reasons(job),
        "can_retry": job.status == JobStatus.FAILED and _may_fire(selection, job),
    }


def retry(selection: Selection, job_id: int, *, page: str) -> Response:
    """Run a failed event job again (its documents, or the event if it never fired).

    :raises NotFound: 404 for a job that is not one of the selection's event jobs.
    :raises Forbidden: 403 when the user's role may not fire the job's event.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.selection_id != selection.id or job.func != documents.RUN_EVENT:
        abort(404)
    if not _may_fire(selection, job):
        abort(403)
    if job.status == JobStatus.FAILED and not (job.result or {}).get("fired"):
        job.actor_id = current_user.id  # the event will be fired by whoever retries it
    return job_answer(selection, jobs.retry(job), page=page)


def _label(selection: Selection, job: Job) -> str:
    event = job.args.get("event", "")
    machine = definition_of(selection).machine("selection")
    return next((t.label for t in machine.transitions if t.trigger == event), event)


def _may_fire(selection: Selection, job: Job) -> bool:
    """True when the current user's role may fire the job's event (so retry it)."""
    machine = definition_of(selection).machine("selection")
    event = job.args.get("event", "")
    transition = next((t for t in machine.transitions if t.trigger == event), None)
    return transition is not None and role_reason(current_user, transition) is None


def _shown_job(selection_id: int, own_only: bool) -> Job | None:
    wanted = request.args.get("job", type=int)
    if wanted is not None:
        job = db.session.get(Job, wanted)
        mine = job is not None and job.selection_id == selection_id
        return job if mine and job.func == documents.RUN_EVENT else None
    query = sa.select(Job).where(
        Job.selection_id == selection_id,
        Job.func == documents.RUN_EVENT,  # not, e.g., an auditor's export
        Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
    )
    if own_only:
        query = query.where(Job.actor_id == current_user.id)
    return db.session.scalars(query.order_by(Job.id.desc()).limit(1)).first()
