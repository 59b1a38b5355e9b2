"""The administrative screening stage: verdicts and the eligibility rules; its guards and actions.

- ``rule_inputs``: what the eligibility rules are fed (profile, a post's limits, one post);
- ``evaluation``: every rule for many applications at once (``screen``), the page's lists;
- ``listing``: the screening page's list, filtered and paginated;
- ``results``: the rule results a verdict keeps, their labels;
- ``verdicts``: the committee's verdict through the workflow engine;
- ``bulk``: several rule-clean applications confirmed eligible at once, all or none.

What other layers may call is what this package exports below.
"""

from openbid.stages.screening import actions, guards  # noqa: F401 - registers the names
from openbid.stages.screening.bulk import BulkRefused, Refusal, confirm_eligible
from openbid.stages.screening.evaluation import (
    ENDED_STATES,
    LIVE_STATES,
    Screened,
    applications_to_screen,
    counts,
    evaluate,
    evaluated,
    screen,
    screened,
)
from openbid.stages.screening.listing import PAGE_SIZE, STATUSES, Filters, Listing, listing
from openbid.stages.screening.results import (
    RULE_DATA,
    RULE_LABELS,
    reason_from_json,
    reason_json,
    result_json,
    rule_data,
    rule_label,
    stored_results,
    verdict_reasons,
)
from openbid.stages.screening.rule_inputs import (
    ONE_POST_RULE,
    eligibility_params,
    one_post_result,
    profile_dict,
    rules_profile,
)
from openbid.stages.screening.verdicts import (
    record_verdict,
    verdict_event,
    verdict_reason_problem,
    write_verdict,
)

__all__ = [
    "BulkRefused",
    "Refusal",
    "confirm_eligible",
    "ENDED_STATES",
    "LIVE_STATES",
    "ONE_POST_RULE",
    "PAGE_SIZE",
    "RULE_DATA",
    "RULE_LABELS",
    "STATUSES",
    "Filters",
    "Listing",
    "Screened",
    "applications_to_screen",
    "counts",
    "eligibility_params",
    "evaluate",
    "evaluated",
    "listing",
    "one_post_result",
    "profile_dict",
    "reason_from_json",
    "reason_json",
    "record_verdict",
    "result_json",
    "rule_data",
    "rule_label",
    "rules_profile",
    "screen",
    "screened",
    "stored_results",
    "verdict_event",
    "verdict_reason_problem",
    "verdict_reasons",
    "write_verdict",
]
