"""Pure domain rules: NIP, civil-service codes, working-day calendar, committee, eligibility,
scoring.

Nothing here imports Flask or touches the database, so the rules run and are tested in
milliseconds. Every verdict carries `Reason`s, translated by the view layer.
"""

from openbid.rules.calendar import WorkCalendar
from openbid.rules.civil_service import (
    REQUIRED_DOCUMENTS,
    InvalidRank,
    normalize_rank,
    rank_at_least,
    rank_name,
)
from openbid.rules.committee import (
    CommitteeParams,
    MemberInfo,
    PositionLevel,
    check_composition,
)
from openbid.rules.eligibility import (
    CandidateProfile,
    EligibilityParams,
    RuleResult,
    evaluate,
    is_eligible,
)
from openbid.rules.nip import InvalidNip, Nip, age_on, parse_nip, validate_nip
from openbid.rules.reasons import N_, Reason, Term
from openbid.rules.scoring import (
    AssessmentCategory,
    AssessmentThresholds,
    Candidate,
    InvalidWeights,
    Ranked,
    ScoringParams,
    Weights,
    assessment_category,
    combined_score,
    interview_score,
    rank,
    top_three,
)

__all__ = [
    "REQUIRED_DOCUMENTS",
    "AssessmentCategory",
    "AssessmentThresholds",
    "Candidate",
    "CandidateProfile",
    "CommitteeParams",
    "EligibilityParams",
    "InvalidNip",
    "InvalidRank",
    "InvalidWeights",
    "MemberInfo",
    "N_",
    "Nip",
    "PositionLevel",
    "Ranked",
    "Reason",
    "RuleResult",
    "ScoringParams",
    "Term",
    "Weights",
    "WorkCalendar",
    "age_on",
    "assessment_category",
    "check_composition",
    "combined_score",
    "evaluate",
    "interview_score",
    "is_eligible",
    "normalize_rank",
    "parse_nip",
    "rank",
    "rank_at_least",
    "rank_name",
    "top_three",
    "validate_nip",
]
