"""The appointment stage: ranking, the three best per post, the PPK's choice; its guards and
actions.

When the interviews close, each open post's eligible candidates are ranked on the combined
score (the definition's weights merged with the selection's overrides) and the three best
qualified are frozen as a numbered ShortlistResult. A frozen result never changes: a
correction (e.g. a mistyped assessment-centre score) leads to an audited, reasoned revision
that supersedes it. A post with fewer than three qualified blocks the PPK's pick until an
approval to proceed (override) is on file, and the PPK appoints only after the oversight
body's word on the results (KASN's recommendation, BKN's validation) is recorded.

- ``ranking``: the selection's scoring rules and each post's ranking on today's data;
- ``freezing``: freezing the three best when the interviews close, and revising them;
- ``corrections``: correcting an assessment figure after the freeze;
- ``approvals``: the override of a short list and the oversight body's word on the results;
- ``conditions``: when the PPK may pick (shared by the guards and the page);
- ``pick``: the PPK's pick; ``board``: what the appointment page shows;
- ``checks``: what every change by the secretariat at this stage checks first.

The current frozen results and the overrides are in ``openbid.stages.common.shortlists``
(the shared guard ``appointees_chosen`` reads them too). What other layers may call is what
this package exports below.
"""

from openbid.stages.appointment import actions, guards  # noqa: F401 - registers the names
from openbid.stages.appointment.approvals import (
    RESULT_LETTER,
    RESULT_RECOMMENDATION,
    latest_recommendation,
    override_for,
    record_override_letter,
    record_result_letter,
    result_letter,
)
from openbid.stages.appointment.board import (
    AppointmentBoard,
    PostBoard,
    RankedRow,
    build_board,
    ids_in,
)
from openbid.stages.appointment.checks import APPOINTMENT_STATE, MAX_TEXT
from openbid.stages.appointment.conditions import (
    recommendation_reasons,
    shortage_reasons,
    stored_reason,
)
from openbid.stages.appointment.corrections import CORRECTABLE_FIELDS, correct_assessment
from openbid.stages.appointment.freezing import freeze_shortlists, revise_shortlist
from openbid.stages.appointment.listing import (
    STATUSES,
    RankingPage,
    filters_from,
    ranking_page,
)
from openbid.stages.appointment.pick import appoint
from openbid.stages.appointment.ranking import (
    ASSESSMENT_FIELDS,
    PostRanking,
    rank_posts,
    scoring_params,
    shortlist_size,
)
from openbid.stages.common.shortlists import (
    OVERRIDE_PREFIX,
    current_result,
    current_results,
    override_purpose,
    vacant_by_approval,
)

__all__ = [
    "STATUSES",
    "RankingPage",
    "filters_from",
    "ranking_page",
    "APPOINTMENT_STATE",
    "ASSESSMENT_FIELDS",
    "AppointmentBoard",
    "CORRECTABLE_FIELDS",
    "MAX_TEXT",
    "OVERRIDE_PREFIX",
    "PostBoard",
    "PostRanking",
    "RESULT_LETTER",
    "RESULT_RECOMMENDATION",
    "RankedRow",
    "appoint",
    "build_board",
    "correct_assessment",
    "current_result",
    "current_results",
    "freeze_shortlists",
    "ids_in",
    "latest_recommendation",
    "override_for",
    "override_purpose",
    "rank_posts",
    "recommendation_reasons",
    "record_override_letter",
    "record_result_letter",
    "result_letter",
    "revise_shortlist",
    "scoring_params",
    "shortage_reasons",
    "shortlist_size",
    "stored_reason",
    "vacant_by_approval",
]
