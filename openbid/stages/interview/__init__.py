"""The interview stage: conflicts of interest, independent scores, the board; its guards.

Each committee member scores each eligible candidate once, 0-100, without seeing the others'
scores first: a member sees the other scores for a candidate only after submitting their own
for that candidate (domain.md, stage 6). A member who declared a conflict of interest with a
candidate is recused: they cannot score that candidate, their score (if any) does not count,
and they do not see the others' scores for that candidate while the interview is open.
Declarations and scores are final once made, and each is an audit event.

- ``candidates``: who the candidates are, who sits on the committee, what a member did;
- ``conflicts``: declaring a conflict of interest (a recusal);
- ``scoring``: submitting a score, and who still has to score whom;
- ``board``: what the interview page shows to one viewer.

The mean the later stages rank on is in ``openbid.stages.common.scores``; parsing a typed
score is the rule ``openbid.rules.scoring.parse_score``. What other layers may call is what
this package exports below.
"""

from openbid.stages.interview import actions, guards  # noqa: F401 - registers the names
from openbid.stages.interview.board import (
    CandidateRow,
    InterviewBoard,
    MemberProgress,
    OtherScore,
    build_board,
)
from openbid.stages.interview.candidates import (
    CLOSED_STATES,
    CONFLICT_STATES,
    EARLY_STATES,
    INTERVIEW_STATE,
    INTERVIEWED_STATES,
    board_states,
    candidate_label,
    interview_candidates,
)
from openbid.stages.interview.conflicts import MAX_REASON, declare_conflict, recusal_reason
from openbid.stages.interview.scoring import (
    MAX_NOTES,
    ScorePreview,
    missing_scores,
    preview_score,
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
    "ScorePreview",
    "board_states",
    "build_board",
    "candidate_label",
    "declare_conflict",
    "interview_candidates",
    "missing_scores",
    "preview_score",
    "recusal_reason",
    "submit_score",
]
