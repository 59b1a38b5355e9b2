"""The planning stage: creating a selection, its posts, committee, schedule and weights.

Every edit is allowed only while the selection is in draft (``draft.lock_draft``), validates
everything before writing, writes with its audit event and commits: nothing is ever
half-written. Modules: ``start`` (a new selection), ``posts``, ``committee``, ``schedule``,
``scoring`` (weights and pass marks), ``registration`` (registration, extension and
eligibility settings, stored by ``parameters`` as overrides of the definition's defaults),
``selections`` (the audited inserts the demo, the API and the tests also use) and ``page``
(what the plan's page shows).

What other layers may call is what this package exports below.
"""

from openbid.stages.common.committee_exceptions import ExceptionView, committee_exceptions
from openbid.stages.planning import exceptions as _exceptions  # noqa: F401 - registers names
from openbid.stages.planning.committee import MemberInput, SeatResult, remove_member, seat_member
from openbid.stages.planning.draft import DRAFT, PLAN_ROLES, lock_draft
from openbid.stages.planning.exceptions import broken_overridable_rules
from openbid.stages.planning.page import (
    committee_candidates,
    find_post,
    plan_checks,
    plan_committee,
    plan_posts,
)
from openbid.stages.planning.posts import (
    POST_LEVELS,
    PositionInput,
    add_position,
    remove_position,
    update_position,
)
from openbid.stages.planning.registration import RegistrationInput, save_registration
from openbid.stages.planning.schedule import (
    MAX_SCHEDULE_ROWS,
    SCHEDULE_SUGGESTIONS,
    ScheduleInput,
    check_schedule,
    save_schedule,
)
from openbid.stages.planning.scoring import SCORE_COMPONENTS, percent_text, save_scoring
from openbid.stages.planning.selections import (
    add_committee_member,
    create_position,
    create_selection,
    general_min_rank,
)
from openbid.stages.planning.start import start_selection

__all__ = [
    "DRAFT",
    "ExceptionView",
    "broken_overridable_rules",
    "committee_exceptions",
    "MAX_SCHEDULE_ROWS",
    "MemberInput",
    "PLAN_ROLES",
    "POST_LEVELS",
    "PositionInput",
    "RegistrationInput",
    "SCHEDULE_SUGGESTIONS",
    "SCORE_COMPONENTS",
    "ScheduleInput",
    "SeatResult",
    "add_committee_member",
    "add_position",
    "check_schedule",
    "committee_candidates",
    "create_position",
    "create_selection",
    "find_post",
    "general_min_rank",
    "lock_draft",
    "percent_text",
    "plan_checks",
    "plan_committee",
    "plan_posts",
    "remove_member",
    "remove_position",
    "save_registration",
    "save_schedule",
    "save_scoring",
    "seat_member",
    "start_selection",
    "update_position",
]
