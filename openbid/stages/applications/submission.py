"""Submitting an application: decided on the moment its request arrived, its inputs read once.

At a registration deadline hundreds of candidates press "submit" in the same minutes. Whether
a submission is in time is decided by the server's clock when the request *arrived*
(``received_at``), not when a busy worker reached it, and the application's moment of
submission is that same instant. The submit event's guards and its ``snapshot_profile`` action
read the candidate's profile and current documents once (``profile_of``, ``documents_of``), so
the action adds no query while the selection's audit chain head is locked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from openbid import clock
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    CandidateProfile,
    User,
)
from openbid.stages.applications.documents import current_documents
from openbid.stages.applications.profile import get_profile
from openbid.workflow import FireResult, fire

T = TypeVar("T")

# db.session.info keys, set only while ``submit_application`` fires the event.
_RECEIVED = "openbid.applications.received_at"
_INPUTS = "openbid.applications.submission_inputs"


def received_at() -> datetime:
    """Return the moment the submission being decided arrived; now outside a submission."""
    return db.session.info.get(_RECEIVED) or clock.now()


def _once(name: str, application: Application, load: Callable[[], T]) -> T:
    """Return load()'s value, read once per submission (every time outside one)."""
    memo: dict[tuple[str, int], Any] | None = db.session.info.get(_INPUTS)
    if memo is None:
        return load()
    key = (name, application.id)
    if key not in memo:
        memo[key] = load()
    return memo[key]


def profile_of(application: Application) -> CandidateProfile | None:
    """Return the candidate's profile as the submission being decided reads it."""
    return _once("profile", application, lambda: get_profile(application.candidate))


def documents_of(application: Application) -> dict[str, ApplicationDocument]:
    """Return the application's current documents as the submission being decided reads them."""
    return _once("documents", application, lambda: current_documents(application))


def submit_application(
    application: Application,
    candidate: User,
    *,
    received: datetime | None = None,
    expected_version: int | None = None,
    profile: CandidateProfile | None = None,
) -> FireResult:
    """Submit the application through the workflow engine, decided as of ``received``.

    ``received`` is the moment the request arrived (``clock.now()`` taken first thing in the
    view); the registration guard and the submission's timestamp use it. ``profile``: the
    candidate's profile when the caller read it in this transaction (not read again).

    :raises GuardFailed: registration closed at that moment, or something is missing.
    :raises StaleState: the application changed since the candidate saw it.
    """
    info = db.session.info
    info[_RECEIVED] = received or clock.now()
    info[_INPUTS] = {} if profile is None else {("profile", application.id): profile}
    try:
        return fire(
            application, ApplicationEvent.SUBMIT, candidate, expected_version=expected_version
        )
    finally:
        info.pop(_RECEIVED, None)
        info.pop(_INPUTS, None)
