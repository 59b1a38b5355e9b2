"""The job queue: work too slow for a web request (a transition's documents, email).

Three backends, chosen by ``JOBS_MODE`` (see config.py):

- ``rq``: RQ on Redis (``OPENBID_REDIS_URL``); `flask --app wsgi openbid worker` runs it.
- ``thread``: one worker thread inside the web process, so `make run` stays one command.
- ``eager``: run at once in the caller (the test suite, unless a test asks for another).

Work is named by the dotted path of a function (``"package.module:function"``), so RQ can
import it in another process and this module needs no import of the layers above it. A
function enqueued through ``submit`` is tracked by a ``Job`` row that pages and the API poll;
``enqueue`` is fire-and-forget (idempotent work that a sweep also finds, e.g. mail).
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

import redis
import rq
from flask import Flask, current_app, has_app_context, has_request_context

from openbid import clock
from openbid.extensions import db
from openbid.models import Job, JobStatus
from openbid.rules.reasons import N_, Reason, Term, Terms, ValidationFailed

log = logging.getLogger(__name__)
EXTENSION = "openbid.jobs"
MODES = ("eager", "thread", "rq")
# RQ retries a job that raised (not one that failed with a reason) after these many seconds.
RETRY_INTERVALS = (5, 30, 120, 600)
_running = threading.local()


def resolve(path: str) -> Callable[..., Any]:
    """Return the function a dotted ``"module:function"`` path names.

    :raises ValueError: when the path has no ``:``.
    """
    module, _, name = path.partition(":")
    if not name:
        raise ValueError(f"job function {path!r} is not 'module:function'")
    return getattr(importlib.import_module(module), name)


def mode() -> str:
    """Return the backend for work enqueued now: ``rq``, ``thread`` or ``eager``.

    The worker thread serves web requests; elsewhere (a CLI command, the thread itself) a
    process may end before a thread would run the work, so it runs at once there.
    """
    chosen = current_app.config.get("JOBS_MODE") or "eager"
    if chosen == "thread" and not has_request_context():
        return "eager"
    return chosen


def in_job() -> bool:
    """True while the current thread runs a job (e.g. to not enqueue what it does itself)."""
    return bool(getattr(_running, "depth", 0))


def enqueue(path: str, *args: Any) -> None:
    """Run ``path(*args)`` on the configured backend; in eager mode, now.

    :raises Exception: in eager mode, whatever the function raises.
    """
    resolve(path)  # a typo fails here, in the caller, not later in a worker
    chosen = mode()
    if chosen == "eager":
        run_task(path, list(args))
    elif chosen == "thread":
        _thread_worker(current_app._get_current_object()).put((path, list(args)))
    else:
        _rq_enqueue(path, list(args))


def run_task(path: str, args: list[Any]) -> Any:
    """Run one enqueued function (what every backend's worker calls)."""
    _running.depth = getattr(_running, "depth", 0) + 1
    try:
        return resolve(path)(*args)
    finally:
        _running.depth -= 1


def rq_task(path: str, args: list[Any]) -> Any:
    """The function RQ runs: ``run_task`` inside the worker's application context.

    :raises RuntimeError: in a worker without one (start it with `flask openbid worker`).
    """
    if not has_app_context():
        raise RuntimeError("run the RQ worker with `flask --app wsgi openbid worker`")
    try:
        return run_task(path, args)
    finally:
        db.session.remove()


# --- tracked jobs -------------------------------------------------------------------------


def submit(
    path: str,
    args: Mapping[str, Any],
    *,
    selection_id: int | None = None,
    actor_id: int | None = None,
) -> Job:
    """Record a job row, commit it, and enqueue it; return the row (eager: already run).

    ``path(job, **args)`` is called by the worker; what it returns (a dict) becomes the
    job's result. It may raise ``ValidationFailed``-like errors (with ``reasons``): the job
    fails with those reasons and is not retried; any other error fails it with its message
    and RQ retries it.
    """
    resolve(path)
    job = Job(
        func=path,
        args=dict(args),
        status=JobStatus.QUEUED,
        selection_id=selection_id,
        actor_id=actor_id,
        result={},
    )
    db.session.add(job)
    db.session.commit()
    dispatch(job)
    return job


def dispatch(job: Job) -> None:
    """Hand a committed (queued) job row to the backend."""
    enqueue("openbid.jobs:run_job", job.id)


def retry(job: Job) -> Job:
    """Queue a failed job again; return it (eager: already run again)."""
    if job.status == JobStatus.FAILED:
        job.status = JobStatus.QUEUED
        job.error = None
        job.updated_at = clock.now()
        db.session.commit()
        dispatch(job)
    return job


def run_job(job_id: int) -> None:
    """Run a tracked job and record how it ended (the worker's side of ``submit``).

    :raises Exception: an unexpected error, after recording it, so RQ can retry the job.
    """
    session = db.session
    job = session.get(Job, job_id)
    if job is None or job.status == JobStatus.DONE:
        return
    job.status, job.attempts, job.updated_at = JobStatus.RUNNING, job.attempts + 1, clock.now()
    session.commit()
    try:
        result = run_task(job.func, [job])
    except Exception as exc:
        session.rollback()
        job = session.get(Job, job_id)
        reasons = getattr(exc, "reasons", None)
        _finish(job, JobStatus.FAILED, error=_error_of(exc, reasons))
        if reasons is None:
            log.exception("job %s (%s) failed", job_id, job.func)
            if mode() == "rq":
                raise
        return
    _finish(session.get(Job, job_id), JobStatus.DONE, result=result or {})


def _finish(
    job: Job, status: str, *, result: dict | None = None, error: dict | None = None
) -> None:
    job.status = status
    job.result = dict(result) if result is not None else job.result
    job.error = error
    job.updated_at = job.finished_at = clock.now()
    db.session.commit()


UNEXPECTED = N_("The work stopped with an error: %(error)s")


def _error_of(exc: Exception, reasons: list[Reason] | None) -> dict:
    """Return a failure as stored on the job: its reasons, or the error's message."""
    if reasons is None:
        reasons = [Reason("jobs.error", UNEXPECTED, {"error": f"{type(exc).__name__}: {exc}"})]
    return {
        "reasons": [reason_to_json(reason) for reason in reasons],
        "status": getattr(exc, "status", 500),
    }


def reason_to_json(reason: Reason) -> dict:
    """Return a reason as JSON, its translatable words marked so they stay translatable."""
    params: dict[str, Any] = {}
    for key, value in reason.params.items():
        if isinstance(value, Term):
            params[key] = {"term": str(value)}
        elif isinstance(value, Terms):
            params[key] = {"terms": [str(item) for item in value]}
        elif isinstance(value, int | float | str | bool) or value is None:
            params[key] = value
        else:
            params[key] = str(value)
    return {"code": reason.code, "template": reason.template, "params": params}


def reason_from_json(data: Mapping[str, Any]) -> Reason:
    """Return the reason ``reason_to_json`` stored."""
    params: dict[str, Any] = {}
    for key, value in (data.get("params") or {}).items():
        if isinstance(value, dict) and "term" in value:
            params[key] = Term(value["term"])
        elif isinstance(value, dict) and "terms" in value:
            params[key] = Terms(Term(item) for item in value["terms"])
        else:
            params[key] = value
    return Reason(data["code"], data["template"], params)


def job_reasons(job: Job) -> list[Reason]:
    """Return why a failed job failed (empty unless it failed)."""
    return [reason_from_json(item) for item in (job.error or {}).get("reasons", [])]


class JobFailed(ValidationFailed):
    """A job that cannot succeed as asked (e.g. a guard failed): not retried automatically.

    ``status`` is the HTTP status the refusal has when answered at once (e.g. 409, 422).
    """

    def __init__(self, reasons: list[Reason] | Reason, status: int = 422) -> None:
        super().__init__(reasons)
        self.status = status


def job_status(job: Job) -> int:
    """Return the HTTP status of a failed job's refusal (500 for an unexpected error)."""
    return int((job.error or {}).get("status", 500))


# --- the embedded worker thread -------------------------------------------------------------


class _ThreadWorker:
    """One daemon thread running enqueued work in order, each in an application context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.tasks: queue.Queue[tuple[str, list[Any]]] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="openbid-jobs", daemon=True)
        self.thread.start()

    def put(self, task: tuple[str, list[Any]]) -> None:
        self.tasks.put(task)

    def join(self) -> None:
        """Wait until everything enqueued so far has run (tests, shutdown)."""
        self.tasks.join()

    def _loop(self) -> None:
        while True:
            path, args = self.tasks.get()
            try:
                with self.app.app_context():
                    try:
                        run_task(path, args)
                    finally:
                        db.session.remove()
            except Exception:
                log.exception("job %s%r failed in the worker thread", path, tuple(args))
            finally:
                self.tasks.task_done()


_threads_lock = threading.Lock()


def _thread_worker(app: Flask) -> _ThreadWorker:
    with _threads_lock:
        worker = app.extensions.get(EXTENSION + ".thread")
        if worker is None:
            worker = app.extensions[EXTENSION + ".thread"] = _ThreadWorker(app)
        return worker


def wait_for_thread(app: Flask) -> None:
    """Block until the embedded worker thread has run everything enqueued (if it exists)."""
    worker = app.extensions.get(EXTENSION + ".thread")
    if worker is not None:
        worker.join()


# --- RQ -------------------------------------------------------------------------------------


def rq_queue(app: Flask | None = None) -> rq.Queue:
    """Return the RQ queue of the configured Redis (``OPENBID_REDIS_URL``)."""
    config = (app or current_app).config
    connection = redis.Redis.from_url(config["REDIS_URL"])
    return rq.Queue(config.get("JOBS_QUEUE") or "openbid", connection=connection)


def _rq_enqueue(path: str, args: list[Any]) -> None:
    rq_queue().enqueue(
        rq_task,
        path,
        args,
        retry=rq.Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
        job_timeout=3600,
    )


def init_app(app: Flask) -> None:
    """Check the configured backend.

    :raises ValueError: for an unknown JOBS_MODE, or ``rq`` without a Redis URL.
    """
    chosen = app.config.get("JOBS_MODE") or "eager"
    if chosen not in MODES:
        raise ValueError(f"JOBS_MODE must be one of {', '.join(MODES)}, got {chosen!r}")
    if chosen == "rq" and not app.config.get("REDIS_URL"):
        raise ValueError("JOBS_MODE is rq; set OPENBID_REDIS_URL")
    app.extensions[EXTENSION] = chosen
