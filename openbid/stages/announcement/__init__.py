"""The approval and announcement stage: its service functions, guards and actions.

- ``gates``: which approval letters a selection needs and which are on file;
- ``approval``: recording gate letters, required gates and election windows (before publishing);
- ``window``: the registration window and each extension's new close, on the agency's calendar;
- ``posts``: applicants per post against the definition's minimum;
- ``extensions``: extending registration with the oversight body's letter;
- ``registration``: publishing, dropping a short post, closing registration;
- ``guards`` and ``actions``: what the definitions name for these transitions.

What other layers may call is what this package exports below.
"""

from openbid.stages.announcement import actions, guards  # noqa: F401 - registers the names
from openbid.stages.announcement.approval import (
    LETTER_STATES,
    add_election_window,
    record_gate_letter,
    remove_election_window,
    set_required_gates,
)
from openbid.stages.announcement.extensions import (
    extend_registration,
    record_extension_letter,
    registration_extensions,
    unlinked_extension_approval,
)
from openbid.stages.announcement.gates import (
    ELECTION_WINDOW,
    GATE_NAMES,
    ElectionWindow,
    GateStatus,
    election_windows,
    gate_name,
    gate_statuses,
    missing_gate_reasons,
    selection_span,
)
from openbid.stages.announcement.posts import (
    application_counts,
    min_applicants,
    short_positions,
    submitted_counts,
)
from openbid.stages.announcement.registration import (
    REASON_MISSED_DEADLINE,
    REASON_POST_DROPPED,
    close_registration,
    drop_position,
    publish,
)
from openbid.stages.announcement.window import (
    RegistrationWindow,
    agency_calendar,
    extended_close,
    extension_settings,
    registration_settings,
    registration_window,
)

__all__ = [
    "ELECTION_WINDOW",
    "ElectionWindow",
    "GATE_NAMES",
    "GateStatus",
    "LETTER_STATES",
    "REASON_MISSED_DEADLINE",
    "REASON_POST_DROPPED",
    "RegistrationWindow",
    "add_election_window",
    "agency_calendar",
    "application_counts",
    "close_registration",
    "drop_position",
    "election_windows",
    "extend_registration",
    "extended_close",
    "extension_settings",
    "gate_name",
    "gate_statuses",
    "min_applicants",
    "missing_gate_reasons",
    "publish",
    "record_extension_letter",
    "record_gate_letter",
    "registration_extensions",
    "registration_settings",
    "registration_window",
    "remove_election_window",
    "selection_span",
    "set_required_gates",
    "short_positions",
    "submitted_counts",
    "unlinked_extension_approval",
]
