"""Scores, combined scores, qualification, ranking and the three best (tiga besar) per post.

No regulation fixes the weights: each workflow definition sets them (its ``weights``
parameter; both follow Kota Mataram's 2023 selection: track record 20%, interview 35%, paper
20%, assessment 25%) and the rules here take them as arguments. A candidate who misses a
weighted component is eliminated (as Mataram did for a candidate who skipped the assessment).
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from openbid.rules.reasons import N_, Reason, Term, ValidationFailed, percent_text

SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(100)
CENTS = Decimal("0.01")
# The three best (tiga besar) the regulation sends to the appointing official; top_three's
# wording ("three are required") is about this count.
TOP_COUNT = 3
# A score as people type it: plain digits, at most two decimals (no signs, exponents, spaces).
SCORE_RE = re.compile(r"\d{1,3}(?:\.\d{1,2})?")

TRACK_RECORD = "track_record"
INTERVIEW = "interview"
PAPER = "paper"
ASSESSMENT = "assessment"

COMPONENT_LABELS: dict[str, Term] = {
    TRACK_RECORD: Term(N_("track record")),
    INTERVIEW: Term(N_("interview")),
    PAPER: Term(N_("paper")),
    ASSESSMENT: Term(N_("assessment")),
}


def component_label(component: str) -> Term:
    """Return the label of a score component; an unknown one is labelled by its code."""
    return COMPONENT_LABELS.get(component, Term(component))


class InvalidScore(ValueError):
    """A score is not a number from 0 to 100."""


class InvalidWeights(ValueError):
    """The weights cannot be used; `reasons` says why."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__("; ".join(str(reason) for reason in reasons))
        self.reasons = reasons


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Return `value` as a Decimal; floats are refused because they are inexact.

    :raises TypeError: for a float, a bool or any other type.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise TypeError(f"expected a Decimal, int or str, got {value!r}")
    return Decimal(value)


def check_score(value: Decimal | int | str) -> Decimal:
    """Return the score as a Decimal.

    :raises InvalidScore: if it is not from 0 to 100.
    """
    score = to_decimal(value)
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise InvalidScore(f"score {score} is outside {SCORE_MIN}-{SCORE_MAX}")
    return score


def parse_score(raw: str | int | Decimal | None) -> Decimal:
    """Return a score from 0 to 100 with at most two decimals (comma or point as separator).

    :raises ValidationFailed: for anything else.
    """
    invalid = ValidationFailed(
        Reason(
            "interview.score_invalid",
            N_("Enter the score as a number from 0 to 100, with at most two decimals."),
        )
    )
    if raw is None or isinstance(raw, (bool, float)):
        raise invalid
    text = str(raw).strip().replace(",", ".")
    # Plain digits only: no exponents, signs or spaces, which nobody means in a score.
    if not SCORE_RE.fullmatch(text):
        raise invalid
    value = Decimal(text)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise invalid
    return value.quantize(CENTS)


@dataclass(frozen=True)
class Weights:
    """Weight of each score component as a fraction; together they must make 1."""

    values: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        # A private Decimal copy: later changes to the caller's dict cannot alter it.
        values = {name: to_decimal(weight) for name, weight in self.values.items()}
        object.__setattr__(self, "values", values)

    @classmethod
    def from_percentages(cls, percentages: Mapping[str, Decimal | int | str]) -> "Weights":
        """Build weights from percentages, e.g. {"interview": 35, ...}."""
        return cls({name: to_decimal(pct) / 100 for name, pct in percentages.items()})

    @property
    def components(self) -> tuple[str, ...]:
        """Return the weighted components in their configured order."""
        return tuple(self.values)

    def check(self) -> list[Reason]:
        """Return the reasons these weights cannot be used; empty when they can."""
        reasons = [
            Reason(
                "scoring.weight_negative",
                N_("The weight of %(component)s is %(weight)s%%; it cannot be negative."),
                {"component": component_label(name), "weight": percent_text(weight)},
            )
            for name, weight in self.values.items()
            if weight < 0
        ]
        total = sum(self.values.values(), Decimal(0))
        if total != 1:
            reasons.append(
                Reason(
                    "scoring.weights_sum",
                    N_("The score weights add up to %(total)s%%; they must add up to 100%%."),
                    {"total": percent_text(total)},
                )
            )
        return reasons


def interview_score(
    member_scores: Mapping[str, Decimal | int | str], recused: Collection[str] = ()
) -> Decimal | None:
    """Return the mean of the non-recused members' scores, or None if there are none.

    Rounded half up to 2 decimals, the figure the minutes show, so the combined score
    recomputes exactly from the published numbers.

    :raises InvalidScore: if a score is outside 0-100.
    """
    scores = [
        check_score(score) for member, score in member_scores.items() if member not in recused
    ]
    if not scores:
        return None
    mean = sum(scores, Decimal(0)) / len(scores)
    return mean.quantize(CENTS, rounding=ROUND_HALF_UP)


def combined_score(components: Mapping[str, Decimal | int | str], weights: Weights) -> Decimal:
    """Return the weighted sum of the component scores, rounded half up to 2 decimals.

    :raises InvalidWeights: if the weights do not pass `Weights.check`.
    :raises ValueError: if a weighted component has no score.
    :raises InvalidScore: if a score is outside 0-100.
    """
    problems = weights.check()
    if problems:
        raise InvalidWeights(problems)
    missing = [name for name in weights.components if components.get(name) is None]
    if missing:
        raise ValueError(f"no score for {', '.join(missing)}")
    total = sum(
        (check_score(components[name]) * weight for name, weight in weights.values.items()),
        Decimal(0),
    )
    return total.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoringParams:
    """How one selection combines scores and who qualifies for the ranking.

    The weights and pass marks are the selection's (its definition's parameters). The two
    switches below are rules of the ranking itself, which a definition may change through
    its optional ``scoring`` parameter; no definition does yet.
    """

    weights: Weights
    # Minimum score per component; a component without one has no pass mark.
    pass_marks: Mapping[str, Decimal]
    # Health and psychological results are needed before ranking. Off for agencies that
    # test only the three best, as one regency did in 2025.
    require_fitness_results: bool = True
    # Components compared, in order, when combined scores tie.
    tie_break_components: tuple[str, ...] = (INTERVIEW, ASSESSMENT)

    def __post_init__(self) -> None:
        """Reject unusable weights or pass marks when the selection is configured.

        :raises InvalidWeights: if the weights do not pass `Weights.check`.
        :raises ValueError: for a pass mark of an unweighted component.
        :raises InvalidScore: for a pass mark outside 0-100.
        """
        problems = self.weights.check()
        if problems:
            raise InvalidWeights(problems)
        marks = {name: check_score(mark) for name, mark in self.pass_marks.items()}
        unweighted = [name for name in marks if name not in self.weights.values]
        if unweighted:
            raise ValueError(f"pass marks for unweighted components: {unweighted}")
        object.__setattr__(self, "pass_marks", marks)


@dataclass(frozen=True)
class Candidate:
    """One applicant for one post, with the results of the selection's stages."""

    candidate_id: int | str  # all candidates of a post must use the same type
    name: str
    scores: Mapping[str, Decimal]  # component -> score 0-100; absent if not taken
    submitted_at: datetime  # when the application was submitted; a tie-breaker
    health_fit: bool | None = None  # None: no result yet
    psych_fit: bool | None = None


@dataclass(frozen=True)
class Ranked:
    """A candidate's place in the ranking of one post."""

    position: int | None  # 1 for the best qualified candidate; None if not qualified
    candidate: Candidate
    combined: Decimal | None  # None when a weighted component is missing
    reasons: tuple[Reason, ...]  # why the candidate is not qualified; empty if qualified

    @property
    def qualified(self) -> bool:
        """Return True if nothing keeps the candidate out of the three best."""
        return not self.reasons


def disqualifications(candidate: Candidate, params: ScoringParams) -> list[Reason]:
    """Return every reason the candidate cannot be ranked; empty when qualified."""
    reasons = []
    for name in params.weights.components:
        score = candidate.scores.get(name)
        if score is None:
            reasons.append(
                Reason(
                    "scoring.component_missing",
                    N_(
                        "The %(component)s score is missing; a candidate who misses a"
                        " component is eliminated."
                    ),
                    {"component": component_label(name)},
                )
            )
            continue
        mark = params.pass_marks.get(name)
        if mark is not None and check_score(score) < mark:
            reasons.append(
                Reason(
                    "scoring.below_pass_mark",
                    N_("The %(component)s score %(score)s is below the pass mark %(pass_mark)s."),
                    {
                        "component": component_label(name),
                        "score": score,
                        "pass_mark": mark,
                    },
                )
            )
    if candidate.health_fit is False:
        reasons.append(
            Reason("scoring.health_unfit", N_("The health test found the candidate unfit."))
        )
    elif candidate.health_fit is None and params.require_fitness_results:
        reasons.append(Reason("scoring.health_pending", N_("There is no health test result yet.")))
    if candidate.psych_fit is False:
        reasons.append(
            Reason(
                "scoring.psych_unfit",
                N_("The psychological test found the candidate unfit."),
            )
        )
    elif candidate.psych_fit is None and params.require_fitness_results:
        reasons.append(
            Reason(
                "scoring.psych_pending",
                N_("There is no psychological test result yet."),
            )
        )
    return reasons


def rank(candidates: Iterable[Candidate], params: ScoringParams) -> list[Ranked]:
    """Rank one post's candidates: qualified first, numbered 1, 2, 3, ...

    Order, each step deciding only ties of the one before: higher combined score;
    higher score in each of `params.tie_break_components` (interview, then assessment);
    earlier application submission; lower candidate id. So no two candidates share a
    position and the same input always gives the same order. Candidates who are not
    qualified follow in the same order (a missing score counts as lowest), unnumbered.

    :raises InvalidScore: if a score is outside 0-100.
    """
    entries = [_assess(candidate, params) for candidate in candidates]
    entries.sort(key=lambda entry: _order_key(entry, params.tie_break_components))
    ranked = []
    position = 0
    for entry in entries:
        if entry.qualified:
            position += 1
            entry = replace(entry, position=position)
        ranked.append(entry)
    return ranked


def _assess(candidate: Candidate, params: ScoringParams) -> Ranked:
    """Return the candidate's combined score and disqualifications, not yet numbered."""
    complete = all(candidate.scores.get(name) is not None for name in params.weights.components)
    combined = combined_score(candidate.scores, params.weights) if complete else None
    return Ranked(None, candidate, combined, tuple(disqualifications(candidate, params)))


def _order_key(entry: Ranked, tie_break_components: Sequence[str]) -> tuple[object, ...]:
    """Return the sort key that puts the better candidate first."""
    scores = entry.candidate.scores
    # Negated so that higher scores sort first.
    return (
        not entry.qualified,
        -_or_lowest(entry.combined),
        *(-_or_lowest(scores.get(name)) for name in tie_break_components),
        entry.candidate.submitted_at,
        entry.candidate.candidate_id,
    )


def _or_lowest(score: Decimal | int | str | None) -> Decimal:
    """Return the score, or -1 for a missing one so it sorts below any real score."""
    return Decimal(-1) if score is None else to_decimal(score)


def top_three(ranked: Sequence[Ranked], post: str) -> tuple[list[Ranked], Reason | None]:
    """Return the best three qualified candidates, with a reason if fewer qualified.

    `ranked` is the output of `rank` for the post named `post`.
    """
    best = [entry for entry in ranked if entry.qualified][:TOP_COUNT]
    count = len(best)
    if count == TOP_COUNT:
        return best, None
    params = {"count": count, "post": post}
    if count == 0:
        template = N_("No candidate qualified for %(post)s; three are required.")
    elif count == 1:
        template = N_("Only %(count)d candidate qualified for %(post)s; three are required.")
    else:
        template = N_("Only %(count)d candidates qualified for %(post)s; three are required.")
    return best, Reason("scoring.fewer_than_three", template, params)


class AssessmentCategory(StrEnum):
    """The assessment centre's verdict on a candidate's competence."""

    MEETS = "memenuhi_syarat"
    STILL_MEETS = "masih_memenuhi_syarat"
    BELOW = "kurang_memenuhi_syarat"

    @property
    def label(self) -> Term:
        """Return the category's name for messages and documents."""
        return ASSESSMENT_CATEGORY_LABELS[self]


ASSESSMENT_CATEGORY_LABELS: dict[AssessmentCategory, Term] = {
    AssessmentCategory.MEETS: Term(N_("memenuhi syarat (meets the requirements)")),
    AssessmentCategory.STILL_MEETS: Term(
        N_("masih memenuhi syarat (still meets the requirements)")
    ),
    AssessmentCategory.BELOW: Term(
        N_("kurang memenuhi syarat (does not fully meet the requirements)")
    ),
}


@dataclass(frozen=True)
class AssessmentThresholds:
    """Lowest assessment score of each category above the lowest."""

    # ASSUMPTION: no source gives the upper cut-off; 80 is a placeholder to configure.
    meets: Decimal = Decimal(80)
    # One pansel (Kota Malang) put "kurang memenuhi syarat" below 68.
    still_meets: Decimal = Decimal(68)


def assessment_category(
    score: Decimal | int | str,
    thresholds: AssessmentThresholds = AssessmentThresholds(),
) -> AssessmentCategory:
    """Return the category of an assessment score.

    :raises InvalidScore: if the score is outside 0-100.
    """
    value = check_score(score)
    if value >= thresholds.meets:
        return AssessmentCategory.MEETS
    if value >= thresholds.still_meets:
        return AssessmentCategory.STILL_MEETS
    return AssessmentCategory.BELOW
