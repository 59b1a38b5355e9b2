"""The oversight body (KASN, BKN) inside openbid: its scope, queue, dossiers, decisions,
letters and monitoring across the agencies it supervises.

What other layers may call is what this package exports below.
"""

from openbid.stages.oversight import actions, guards  # noqa: F401 - registers the names
from openbid.stages.oversight.bodies import create_body, create_reviewer
from openbid.stages.oversight.dossier import (
    NOTE_ITEMS,
    Dossier,
    build_dossier,
    latest_return,
    review_history,
)
from openbid.stages.oversight.letters import KIND as LETTER_KIND
from openbid.stages.oversight.monitoring import Monitoring, monitoring, monitoring_csv
from openbid.stages.oversight.queue import QueueItem, review_queue, service_level
from openbid.stages.oversight.requests import ExtensionRequest, extension_request, final_report
from openbid.stages.oversight.review import (
    acknowledge_report,
    approve_extension,
    approve_plan,
    check_note_lengths,
    recommend_results,
    refuse_extension,
    remarks,
    request_extension,
    return_plan,
)
from openbid.stages.oversight.scope import (
    reviewable,
    reviewer_body,
    supervised_agencies,
    supervised_selections,
)
from openbid.stages.oversight.waiting import (
    EXTENSION,
    GATES,
    PLAN,
    REPORT,
    RESULTS,
    GateWait,
    gate_waits,
)

__all__ = [
    "EXTENSION",
    "GATES",
    "REPORT",
    "ExtensionRequest",
    "acknowledge_report",
    "check_note_lengths",
    "approve_extension",
    "extension_request",
    "final_report",
    "refuse_extension",
    "request_extension",
    "LETTER_KIND",
    "NOTE_ITEMS",
    "PLAN",
    "RESULTS",
    "Dossier",
    "GateWait",
    "Monitoring",
    "QueueItem",
    "approve_plan",
    "build_dossier",
    "create_body",
    "create_reviewer",
    "gate_waits",
    "latest_return",
    "monitoring",
    "monitoring_csv",
    "recommend_results",
    "remarks",
    "return_plan",
    "review_history",
    "review_queue",
    "reviewable",
    "reviewer_body",
    "service_level",
    "supervised_agencies",
    "supervised_selections",
]
