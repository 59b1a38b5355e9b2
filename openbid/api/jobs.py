"""Jobs: an event queued because its transition issues documents, and how it ended."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, jsonify, url_for
from werkzeug.exceptions import NotFound

from openbid import jobs
from openbid.api.blueprint import actor, bp
from openbid.api.declare import check_json
from openbid.api.fields import OneOf, Out, ReasonSchema, derived
from openbid.api.visibility import visible_selection
from openbid.extensions import db
from openbid.models import Job, JobStatus, Selection
from openbid.stages import documents
from openbid.workflow import WorkflowError


class JobDocumentSchema(Out):
    """A document the job's event issues: pending until the job has rendered it."""

    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=OneOf(["pending", "issued"]))


class JobSchema(Out):
    """A queued event: where it is, what it fired, the documents it issued, why it failed."""

    id = ma.fields.Integer(required=True)
    status = ma.fields.String(
        required=True,
        validate=OneOf([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED]),
    )
    event = derived(ma.fields.String(required=True), lambda job: job.args.get("event"))
    selection_id = ma.fields.Integer(required=True)
    attempts = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True, allow_none=True)
    finished_at = ma.fields.DateTime(required=True, allow_none=True)
    fired = derived(ma.fields.Boolean(required=True), lambda job: bool(_result(job).get("fired")))
    to_state = derived(
        ma.fields.String(required=True, allow_none=True), lambda job: _result(job).get("to_state")
    )
    documents = derived(
        ma.fields.List(ma.fields.Nested(JobDocumentSchema), required=True),
        lambda job: documents.job_documents(db.session, job),
    )
    errors = derived(
        ma.fields.List(ma.fields.Nested(ReasonSchema), required=True), jobs.job_reasons
    )
    links = derived(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True),
        lambda job: {
            "self": url_for("api.get_job_get", job_id=job.id),
            "selection": url_for("api.get_selection_get", selection_id=job.selection_id),
        },
    )


def _result(job: Job) -> dict[str, Any]:
    return job.result or {}


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
    response = jsonify(JobSchema().dump(job))
    response.status_code = 202
    if current_app.testing:  # post_event declares it with alt_response, which is not checked
        check_json(202, response.get_json(), JobSchema())
    response.headers["Location"] = url_for("api.get_job_get", job_id=job.id)
    return response


@bp.operation(
    "/jobs/<int:job_id>",
    "GET",
    summary="A queued event: queued, running, done or failed, with its documents",
    tag="selections",
)
@bp.response(200, JobSchema, description="The job")
def get_job(job_id: int) -> Job:
    """Return a job to whoever may see its selection."""
    job = db.session.get(Job, job_id)
    if job is None or job.selection_id is None:
        raise NotFound()
    visible_selection(job.selection_id)
    return job
