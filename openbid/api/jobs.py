"""Jobs: an event queued because its transition issues documents, and how it ended."""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from werkzeug.exceptions import NotFound

from openbid import jobs
from openbid.api import schemas as s
from openbid.api.blueprint import actor, bp, iso, reasons_json
from openbid.api.spec import api_route
from openbid.api.visibility import visible_selection
from openbid.extensions import db
from openbid.models import Job, JobStatus, Selection
from openbid.stages import documents
from openbid.workflow import WorkflowError


def job_json(job: Job) -> dict[str, Any]:
    """Return a job as the API shows it (see ``schemas.JOB``)."""
    result = job.result or {}
    return {
        "id": job.id,
        "status": job.status,
        "event": job.args.get("event"),
        "selection_id": job.selection_id,
        "attempts": job.attempts,
        "created_at": iso(job.created_at),
        "finished_at": iso(job.finished_at),
        "fired": bool(result.get("fired")),
        "to_state": result.get("to_state"),
        "documents": [
            {"id": d.id, "kind": d.kind, "number": d.number, "status": d.status}
            for d in documents.job_documents(db.session, job)
        ],
        "errors": reasons_json(jobs.job_reasons(job)),
        "links": {
            "self": url_for("api.get_job_get", job_id=job.id),
            "selection": url_for("api.get_selection_get", selection_id=job.selection_id),
        },
    }


def queued_event(selection: Selection, body: dict[str, Any]):
    """Queue an event that issues documents; answer 202 with its job.

    :raises WorkflowError: with the engine's status and reasons when it was refused at once
        (the job ran in the request, e.g. in tests, and never fired).
    """
    job = documents.submit_event(
        selection,
        body["event"],
        actor(),
        body.get("data") or {},
        expected_version=body.get("expected_version"),
    )
    if job.status == JobStatus.FAILED and not (job.result or {}).get("fired"):
        error = WorkflowError(jobs.job_reasons(job))
        error.status = jobs.job_status(job)
        raise error
    response = jsonify(job_json(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.get_job_get", job_id=job.id)
    return response


@api_route(
    bp,
    "/jobs/<int:job_id>",
    "GET",
    summary="A queued event: queued, running, done or failed, with its documents",
    tag="selections",
    responses={200: ("The job", s.JOB)},
)
def get_job(job_id: int):
    """Return a job to whoever may see its selection."""
    job = db.session.get(Job, job_id)
    if job is None or job.selection_id is None:
        raise NotFound()
    visible_selection(job.selection_id)
    return jsonify(job_json(job))
