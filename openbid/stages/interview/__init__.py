"""The interview stage: schedules, scores, recusals; its guards and actions.

What other layers may call is what this package exports below.
"""

from openbid.stages.interview import actions, guards  # noqa: F401 - registers the names
from openbid.stages.interview.service import (
    CLOSED_STATES,
    CONFLICT_STATES,
    EARLY_STATES,
    INTERVIEW_STATE,
    INTERVIEWED_STATES,
    MAX_NOTES,
    MAX_REASON,
    SCORE_RE,
    CandidateRow,
    InterviewBoard,
    MemberProgress,
    OtherScore,
    board_states,
    build_board,
    candidate_label,
    declare_conflict,
    interview_candidates,
    interview_means,
    member_seat,
    missing_scores,
    parse_score,
    recusal_reason,
    submit_score,
)

__all__ = [
    "CLOSED_STATES",
    "CONFLICT_STATES",
    "CandidateRow",
    "EARLY_STATES",
    "INTERVIEWED_STATES",
    "INTERVIEW_STATE",
    "InterviewBoard",
    "MAX_NOTES",
    "MAX_REASON",
    "MemberProgress",
    "OtherScore",
    "SCORE_RE",
    "board_states",
    "build_board",
    "candidate_label",
    "declare_conflict",
    "interview_candidates",
    "interview_means",
    "member_seat",
    "missing_scores",
    "parse_score",
    "recusal_reason",
    "submit_score",
]
