"""The administrative screening stage: verdicts and the eligibility rules; its guards and actions.

What other layers may call is what this package exports below.
"""

from openbid.stages.screening import actions, guards  # noqa: F401 - registers the names
from openbid.stages.screening.service import (
    ENDED_STATES,
    LIVE_STATES,
    ONE_POST_RULE,
    RULE_LABELS,
    Screened,
    applications_to_screen,
    counts,
    eligibility_params,
    evaluate,
    one_post_result,
    profile_dict,
    reason_from_json,
    reason_json,
    record_verdict,
    reference_date,
    result_json,
    rule_label,
    rules_profile,
    screen,
    stored_results,
    verdict_event,
    verdict_reason_problem,
    verdict_reasons,
    write_verdict,
)

__all__ = [
    "ENDED_STATES",
    "LIVE_STATES",
    "ONE_POST_RULE",
    "RULE_LABELS",
    "Screened",
    "applications_to_screen",
    "counts",
    "eligibility_params",
    "evaluate",
    "one_post_result",
    "profile_dict",
    "reason_from_json",
    "reason_json",
    "record_verdict",
    "reference_date",
    "result_json",
    "rule_label",
    "rules_profile",
    "screen",
    "stored_results",
    "verdict_event",
    "verdict_reason_problem",
    "verdict_reasons",
    "write_verdict",
]
