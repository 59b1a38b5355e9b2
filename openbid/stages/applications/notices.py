"""Publishing results to candidates: which steps are public at once, the notice's subject and
reason.

A result becomes visible to its candidate when it is published, i.e. when the stage's
``notify_candidates`` action has emailed it (the audit event ``candidates_notified`` follows it
in the selection's chain), never while the committee is still deciding. The candidate's own
steps and an administrative closing are public at once.
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    AuditEvent,
    ScreeningVerdict,
)
from openbid.rules.reasons import N_

# Application events the candidate causes: visible at once.
OWN_EVENTS = frozenset({"application_created", ApplicationEvent.SUBMIT, ApplicationEvent.WITHDRAW})
# Administrative closing (post dropped, selection cancelled): public at once.
IMMEDIATE_EVENTS = frozenset({ApplicationEvent.CLOSE})
NOTIFIED_EVENT = "candidates_notified"


# What each application state tells the candidate in a result email.
OUTCOME_SUBJECTS: dict[str, str] = {
    ApplicationState.ELIGIBLE: N_("Administrative screening result: you passed"),
    ApplicationState.INELIGIBLE: N_("Administrative screening result: you did not pass"),
    ApplicationState.ELIMINATED: N_("Selection result: you are no longer in the selection"),
    ApplicationState.SHORTLISTED: N_("Selection result: you are among the three best"),
    ApplicationState.NOT_SHORTLISTED: N_("Selection result: you are not among the three best"),
    ApplicationState.APPOINTED: N_("Selection result: you have been appointed"),
    ApplicationState.NOT_APPOINTED: N_("Selection result: you were not appointed"),
    ApplicationState.CLOSED: N_("Your application has been closed"),
}
NOTICE_FALLBACK_SUBJECT = N_("Your application's status has changed")


def event_reason(event: AuditEvent) -> str:
    """Return the reason the committee wrote with an application event, if any."""
    data = (event.payload or {}).get("data") or {}
    return str(data.get("reason") or "").strip()


def result_reason(application: Application, event: AuditEvent | None) -> str:
    """Return the committee's written reason for an application's latest result."""
    if application.state == ApplicationState.INELIGIBLE:
        verdict = db.session.scalar(
            sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
        )
        if verdict is not None and verdict.reason:
            return verdict.reason
    if application.state in {
        ApplicationState.ELIGIBLE,
        ApplicationState.SHORTLISTED,
        ApplicationState.APPOINTED,
    }:
        return ""
    return event_reason(event) if event is not None else ""
