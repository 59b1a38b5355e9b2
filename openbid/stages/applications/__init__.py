"""The candidates' applications: profiles, documents, submission, withdrawal; its guards and
actions.

Every write validates first and then runs in one transaction with its audit event; a state
change of an application goes through the workflow engine (``fire``).

The modules, each about one thing: ``form_fields`` (the profile form's fields and errors),
``career`` (position history, ratings, admin years), ``profile_form`` (reading the whole
form), ``profile`` (storing it), ``registration`` (open selections, starting an application),
``documents`` (uploads), ``notices`` (what is published when), ``timeline`` (what the
candidate sees), ``dashboard`` (the candidate's home). What other layers may call is what this
package exports below.
"""

from openbid.stages.applications import actions, guards  # noqa: F401 - registers the names
from openbid.stages.applications.career import (
    COUNTING_LEVELS,
    HISTORY_LEVELS,
    MAX_HISTORY_ROWS,
    RATING_YEARS,
    admin_years,
)
from openbid.stages.applications.dashboard import Dashboard, dashboard, own_applications
from openbid.stages.applications.documents import (
    current_documents,
    document_history,
    missing_documents,
    upload_document,
)
from openbid.stages.applications.form_fields import FIELD_LABELS, ProfileErrors, ProfileInvalid
from openbid.stages.applications.notices import (
    IMMEDIATE_EVENTS,
    NOTICE_FALLBACK_SUBJECT,
    NOTIFIED_EVENT,
    OUTCOME_SUBJECTS,
    OWN_EVENTS,
    event_reason,
    result_reason,
)
from openbid.stages.applications.profile import (
    REQUIRED_PROFILE_FIELDS,
    get_profile,
    missing_profile_fields,
    profile_snapshot,
    save_profile,
)
from openbid.stages.applications.profile_form import parse_profile
from openbid.stages.applications.registration import (
    LIVE_STATES_EXCLUDED,
    REGISTRATION_STATE,
    eligibility_summary,
    one_post_only,
    one_post_reason,
    open_selections,
    other_applications,
    registration_open,
    registration_reason,
    required_documents,
    start_application,
)
from openbid.stages.applications.submission import received_at, submit_application
from openbid.stages.applications.timeline import (
    INTERNAL_STAGES,
    Outcome,
    Stage,
    Timeline,
    timelines,
)

__all__ = [
    "COUNTING_LEVELS",
    "Dashboard",
    "FIELD_LABELS",
    "HISTORY_LEVELS",
    "IMMEDIATE_EVENTS",
    "INTERNAL_STAGES",
    "LIVE_STATES_EXCLUDED",
    "MAX_HISTORY_ROWS",
    "NOTICE_FALLBACK_SUBJECT",
    "NOTIFIED_EVENT",
    "OUTCOME_SUBJECTS",
    "OWN_EVENTS",
    "Outcome",
    "ProfileErrors",
    "ProfileInvalid",
    "RATING_YEARS",
    "REGISTRATION_STATE",
    "REQUIRED_PROFILE_FIELDS",
    "Stage",
    "Timeline",
    "admin_years",
    "current_documents",
    "dashboard",
    "document_history",
    "eligibility_summary",
    "event_reason",
    "get_profile",
    "missing_documents",
    "missing_profile_fields",
    "one_post_only",
    "one_post_reason",
    "open_selections",
    "other_applications",
    "own_applications",
    "parse_profile",
    "profile_snapshot",
    "received_at",
    "registration_open",
    "registration_reason",
    "required_documents",
    "result_reason",
    "save_profile",
    "start_application",
    "submit_application",
    "timelines",
    "upload_document",
]
