"""The states and events (triggers) of the two workflow machines, as enumerations.

StrEnum members are their names' strings: ``row.state == SelectionState.DRAFT`` compares equal
to the stored column and nothing changes in the database. Every definition in workflows/ is
checked against these at start-up (``openbid.workflow.definition``), so renaming a state in a
definition without renaming it here refuses to start instead of breaking a comparison silently.
"""

from __future__ import annotations

from enum import StrEnum


class SelectionState(StrEnum):
    """A state of the selection machine."""

    DRAFT = "draft"
    APPROVAL = "approval"
    ANNOUNCEMENT = "announcement"
    ADMINISTRATIVE_SCREENING = "administrative_screening"
    COMPETENCY_ASSESSMENT = "competency_assessment"
    INTERVIEW = "interview"
    APPOINTMENT = "appointment"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SelectionEvent(StrEnum):
    """A trigger of the selection machine."""

    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    RETURN_TO_DRAFT = "return_to_draft"
    # A composition rule of the committee overridden with a justification, in draft.
    RECORD_COMMITTEE_EXCEPTION = "record_committee_exception"
    APPROVE_PLAN = "approve_plan"  # the oversight body gives its letter in openbid
    RETURN_PLAN = "return_plan"  # the oversight body returns the plan with notes
    RECOMMEND_RESULTS = "recommend_results"  # its recommendation on the three best
    PUBLISH_ANNOUNCEMENT = "publish_announcement"
    REQUEST_EXTENSION = "request_extension"  # the secretariat asks the body in openbid
    APPROVE_EXTENSION = "approve_extension"  # the body gives its letter on the extension
    REFUSE_EXTENSION = "refuse_extension"  # the body refuses it, with a reason
    EXTEND_REGISTRATION = "extend_registration"
    DROP_POSITION = "drop_position"
    CLOSE_REGISTRATION = "close_registration"
    CLOSE_SCREENING = "close_screening"
    CLOSE_ASSESSMENT = "close_assessment"
    CLOSE_INTERVIEW = "close_interview"
    COMPLETE = "complete"
    ACKNOWLEDGE_REPORT = "acknowledge_report"  # the body confirms the final report arrived
    CANCEL = "cancel"


class ApplicationState(StrEnum):
    """A state of the application machine."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    ELIMINATED = "eliminated"
    SHORTLISTED = "shortlisted"
    NOT_SHORTLISTED = "not_shortlisted"
    APPOINTED = "appointed"
    NOT_APPOINTED = "not_appointed"
    CLOSED = "closed"


class ApplicationEvent(StrEnum):
    """A trigger of the application machine."""

    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    PASS_SCREENING = "pass_screening"  # noqa: S105 - an event name, not a password
    FAIL_SCREENING = "fail_screening"
    REVISE_SCREENING = "revise_screening"
    ELIMINATE = "eliminate"
    SHORTLIST = "shortlist"
    NOT_SHORTLIST = "not_shortlist"
    APPOINT = "appoint"
    NOT_APPOINT = "not_appoint"
    CLOSE = "close"


# The enumerations of each machine, as definitions name their machines.
MACHINE_ENUMS: dict[str, tuple[type[StrEnum], type[StrEnum]]] = {
    "selection": (SelectionState, SelectionEvent),
    "application": (ApplicationState, ApplicationEvent),
}
