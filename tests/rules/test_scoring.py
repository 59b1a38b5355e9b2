"""Combined scores, qualification, ranking with tie-breaks, the three best."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from openbid.rules.scoring import (
    AssessmentCategory,
    AssessmentThresholds,
    Candidate,
    InvalidScore,
    InvalidWeights,
    ScoringParams,
    Weights,
    assessment_category,
    combined_score,
    interview_score,
    rank,
    top_three,
)

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflows"
WIB = timezone(timedelta(hours=7))
T0 = datetime(2018, 8, 20, 9, 0, tzinfo=WIB)
POST = "Kepala Dinas Pendidikan"
# Kota Mataram's 2023 weights, which both workflow definitions use (their ``weights``).
WEIGHTS = Weights(
    {
        "track_record": Decimal("0.20"),
        "interview": Decimal("0.35"),
        "paper": Decimal("0.20"),
        "assessment": Decimal("0.25"),
    }
)
SCORING = ScoringParams(WEIGHTS, {})


def scores(track_record="80", interview="80", paper="80", assessment="80"):
    """Return a full set of component scores as Decimals."""
    return {
        "track_record": Decimal(track_record),
        "interview": Decimal(interview),
        "paper": Decimal(paper),
        "assessment": Decimal(assessment),
    }


def candidate(candidate_id, minutes=0, **component_scores):
    """Return a fit candidate who submitted `minutes` after T0."""
    return Candidate(
        candidate_id=candidate_id,
        name=f"Candidate {candidate_id}",
        scores=scores(**component_scores),
        submitted_at=T0 + timedelta(minutes=minutes),
        health_fit=True,
        psych_fit=True,
    )


def order(ranked):
    """Return the candidate ids in ranked order."""
    return [entry.candidate.candidate_id for entry in ranked]


# --- Weights -----------------------------------------------------------------------------


def test_the_definitions_weigh_as_kota_mataram_2023():
    paths = sorted(DEFINITIONS.glob("*.yaml"))
    assert paths
    for path in paths:
        weights = yaml.safe_load(path.read_text(encoding="utf-8"))["parameters"]["weights"]
        assert Weights({k: Decimal(str(v)) for k, v in weights.items()}) == WEIGHTS, path.name
    assert WEIGHTS.check() == []


def test_weights_from_percentages():
    weights = Weights.from_percentages(
        {"track_record": 20, "interview": 35, "paper": 20, "assessment": 25}
    )
    assert weights == WEIGHTS
    assert weights.components == ("track_record", "interview", "paper", "assessment")


def test_weights_must_add_up_to_100_percent():
    weights = Weights.from_percentages(
        {"track_record": 20, "interview": 35, "paper": 20, "assessment": 20}
    )
    assert [(r.code, str(r)) for r in weights.check()] == [
        ("scoring.weights_sum", "The score weights add up to 95%; they must add up to 100%.")
    ]
    with pytest.raises(InvalidWeights, match="add up to 95%") as caught:
        combined_score(scores(), weights)
    assert caught.value.reasons == weights.check()


def test_weights_cannot_be_negative():
    weights = Weights({"interview": Decimal("1.1"), "paper": Decimal("-0.1")})
    assert [(r.code, str(r)) for r in weights.check()] == [
        ("scoring.weight_negative", "The weight of paper is -10%; it cannot be negative.")
    ]


def test_weights_refuse_floats():
    with pytest.raises(TypeError, match="got 0.35"):
        Weights({"interview": 0.35})


def test_weights_keep_a_private_copy():
    values = {"interview": Decimal(1)}
    weights = Weights(values)
    values["paper"] = Decimal(1)
    assert weights.check() == []


# --- Scores ------------------------------------------------------------------------------


def test_combined_score():
    # 16 + 28 + 14 + 21.25
    assert combined_score(scores("80", "80", "70", "85"), WEIGHTS) == Decimal("79.25")


def test_combined_score_rounds_half_up_to_two_decimals():
    # 16 + 26.355 + 16 + 19.25 = 77.605: half up gives 77.61, banker's rounding 77.60.
    assert combined_score(scores("80", "75.3", "80", "77"), WEIGHTS) == Decimal("77.61")
    assert combined_score(scores("80", "75.3", "80", "77"), WEIGHTS).as_tuple().exponent == -2


def test_combined_score_needs_every_weighted_component():
    partial = scores()
    del partial["assessment"]
    with pytest.raises(ValueError, match="no score for assessment"):
        combined_score(partial, WEIGHTS)


@pytest.mark.parametrize("bad", ["-1", "100.01"])
def test_scores_must_be_0_to_100(bad):
    with pytest.raises(InvalidScore, match="outside 0-100"):
        combined_score(scores(paper=bad), WEIGHTS)


def test_scores_refuse_floats():
    with pytest.raises(TypeError):
        combined_score({**scores(), "paper": 80.5}, WEIGHTS)


def test_interview_score_is_the_mean_of_non_recused_members():
    members = {"chair": Decimal(80), "secretary": Decimal(70), "member 3": Decimal(90)}
    assert interview_score(members) == Decimal("80.00")
    assert interview_score(members, recused={"member 3"}) == Decimal("75.00")


def test_interview_score_rounds_half_up():
    members = {"a": Decimal(80), "b": Decimal(70), "c": Decimal(71)}
    assert interview_score(members) == Decimal("73.67")
    assert interview_score({"a": Decimal("80.01"), "b": Decimal("80")}) == Decimal("80.01")


def test_interview_score_when_everyone_is_recused():
    assert interview_score({"a": Decimal(80)}, recused={"a"}) is None
    assert interview_score({}) is None


def test_interview_score_checks_the_range():
    with pytest.raises(InvalidScore):
        interview_score({"a": Decimal(101)})


# --- Qualification -----------------------------------------------------------------------


def test_a_candidate_who_skips_the_assessment_is_eliminated():
    skipped = candidate(1)
    skipped = replace(
        skipped, scores={k: v for k, v in skipped.scores.items() if k != "assessment"}
    )
    (entry,) = rank([skipped], SCORING)
    assert not entry.qualified
    assert entry.position is None
    assert entry.combined is None
    assert [(r.code, str(r)) for r in entry.reasons] == [
        (
            "scoring.component_missing",
            "The assessment score is missing; a candidate who misses a component is eliminated.",
        )
    ]


def test_unfit_in_health_or_psychological_test():
    unfit = replace(candidate(1), health_fit=False, psych_fit=False)
    (entry,) = rank([unfit], SCORING)
    assert entry.combined == Decimal("80.00")
    assert [(r.code, str(r)) for r in entry.reasons] == [
        ("scoring.health_unfit", "The health test found the candidate unfit."),
        ("scoring.psych_unfit", "The psychological test found the candidate unfit."),
    ]


def test_missing_fitness_results():
    pending = replace(candidate(1), health_fit=None, psych_fit=None)
    (entry,) = rank([pending], SCORING)
    assert [(r.code, str(r)) for r in entry.reasons] == [
        ("scoring.health_pending", "There is no health test result yet."),
        ("scoring.psych_pending", "There is no psychological test result yet."),
    ]
    (entry,) = rank([pending], ScoringParams(WEIGHTS, {}, require_fitness_results=False))
    assert entry.qualified


def test_below_a_pass_mark():
    params = ScoringParams(WEIGHTS, pass_marks={"assessment": Decimal(68)})
    (entry,) = rank([candidate(1, assessment="60")], params)
    assert [(r.code, str(r)) for r in entry.reasons] == [
        ("scoring.below_pass_mark", "The assessment score 60 is below the pass mark 68.")
    ]
    (entry,) = rank([candidate(1, assessment="68")], params)
    assert entry.qualified


def test_no_pass_marks_by_default():
    zeros = candidate(1, track_record="0", interview="0", paper="0", assessment="0")
    (entry,) = rank([zeros], SCORING)
    assert entry.qualified
    assert entry.combined == Decimal("0.00")


def test_scoring_params_are_checked():
    with pytest.raises(ValueError, match="unweighted components: \\['psych'\\]"):
        ScoringParams(WEIGHTS, pass_marks={"psych": Decimal(60)})
    with pytest.raises(InvalidScore):
        ScoringParams(WEIGHTS, pass_marks={"paper": Decimal(120)})
    with pytest.raises(InvalidWeights):
        ScoringParams(weights=Weights({"paper": Decimal("0.5")}), pass_marks={})


def test_custom_components():
    weights = Weights.from_percentages({"assessment": 40, "cat_test": 15, "interview": 45})
    params = ScoringParams(weights=weights, pass_marks={}, require_fitness_results=False)
    entry = Candidate(
        candidate_id=1,
        name="A",
        scores={"assessment": Decimal(70), "interview": Decimal(80)},
        submitted_at=T0,
    )
    (ranked,) = rank([entry], params)
    assert [str(r) for r in ranked.reasons] == [
        "The cat_test score is missing; a candidate who misses a component is eliminated."
    ]


# --- Ranking and tie-breaks --------------------------------------------------------------


def test_rank_by_combined_score():
    ranked = rank([candidate(1, paper="70"), candidate(2, paper="90"), candidate(3)], SCORING)
    assert order(ranked) == [2, 3, 1]
    assert [entry.position for entry in ranked] == [1, 2, 3]
    assert [entry.combined for entry in ranked] == [
        Decimal("82.00"),
        Decimal("80.00"),
        Decimal("78.00"),
    ]


def test_tie_on_combined_goes_to_the_higher_interview():
    # Both 80.00: 17.5 less from the interview is made up by the track record.
    low_interview = candidate(1, track_record="97.5", interview="70")
    high_interview = candidate(2)
    assert combined_score(low_interview.scores, WEIGHTS) == combined_score(
        high_interview.scores, WEIGHTS
    )
    assert order(rank([low_interview, high_interview], SCORING)) == [2, 1]


def test_tie_on_combined_and_interview_goes_to_the_higher_assessment():
    low_assessment = candidate(1)
    high_assessment = candidate(2, paper="75", assessment="84")
    assert combined_score(low_assessment.scores, WEIGHTS) == combined_score(
        high_assessment.scores, WEIGHTS
    )
    assert order(rank([low_assessment, high_assessment], SCORING)) == [2, 1]


def test_then_the_earlier_application():
    assert order(rank([candidate(1, minutes=5), candidate(2, minutes=1)], SCORING)) == [2, 1]


def test_then_the_lower_candidate_id():
    assert order(rank([candidate(9), candidate(4)], SCORING)) == [4, 9]


def test_tie_break_order_all_steps():
    candidates = [
        candidate(7),  # everything equal to 6 and 8, latest id
        candidate(6),
        candidate(8, minutes=-1),  # earliest submission among equals
        candidate(5, paper="75", assessment="84"),  # better assessment
        candidate(3, track_record="80", interview="82", paper="76.5"),  # better interview
        candidate(2, paper="95"),  # best combined
        replace(candidate(1, paper="100"), health_fit=False),  # unqualified
    ]
    ranked = rank(candidates, SCORING)
    assert order(ranked) == [2, 3, 5, 8, 6, 7, 1]
    assert [entry.position for entry in ranked] == [1, 2, 3, 4, 5, 6, None]


def test_ranking_is_independent_of_input_order():
    candidates = [candidate(i, paper=str(70 + i % 3)) for i in range(1, 8)]
    assert order(rank(candidates, SCORING)) == order(rank(reversed(candidates), SCORING))


def test_unqualified_follow_the_qualified_even_with_a_higher_score():
    best_but_unfit = replace(candidate(1, paper="100"), psych_fit=False)
    no_paper = replace(candidate(2), scores={k: v for k, v in scores().items() if k != "paper"})
    ranked = rank([no_paper, best_but_unfit, candidate(3, paper="50")], SCORING)
    assert order(ranked) == [3, 1, 2]
    assert [entry.qualified for entry in ranked] == [True, False, False]


def test_tie_break_components_are_a_parameter():
    params = ScoringParams(WEIGHTS, {}, tie_break_components=("assessment", "interview"))
    better_interview = candidate(1, track_record="80", interview="82", paper="76.5")
    better_assessment = candidate(2, paper="75", assessment="84")
    assert order(rank([better_interview, better_assessment], SCORING)) == [1, 2]
    assert order(rank([better_interview, better_assessment], params)) == [2, 1]


# --- The three best ----------------------------------------------------------------------


def test_top_three():
    ranked = rank([candidate(i, paper=str(60 + i)) for i in range(1, 6)], SCORING)
    best, reason = top_three(ranked, POST)
    assert [entry.candidate.candidate_id for entry in best] == [5, 4, 3]
    assert reason is None


def test_fewer_than_three_qualified():
    ranked = rank([candidate(1), candidate(2), replace(candidate(3), health_fit=False)], SCORING)
    best, reason = top_three(ranked, POST)
    assert [entry.candidate.candidate_id for entry in best] == [1, 2]
    assert reason.code == "scoring.fewer_than_three"
    assert str(reason) == (
        "Only 2 candidates qualified for Kepala Dinas Pendidikan; three are required."
    )


def test_one_or_no_candidate_qualified():
    _, reason = top_three(rank([candidate(1)], SCORING), POST)
    assert str(reason) == (
        "Only 1 candidate qualified for Kepala Dinas Pendidikan; three are required."
    )
    _, reason = top_three([], POST)
    assert str(reason) == "No candidate qualified for Kepala Dinas Pendidikan; three are required."
    assert reason.params == {"count": 0, "post": POST}


# --- Assessment categories ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "category"),
    [
        ("100", AssessmentCategory.MEETS),
        ("80", AssessmentCategory.MEETS),
        ("79.99", AssessmentCategory.STILL_MEETS),
        ("68", AssessmentCategory.STILL_MEETS),
        ("67.99", AssessmentCategory.BELOW),
        ("0", AssessmentCategory.BELOW),
    ],
)
def test_assessment_categories(score, category):
    assert assessment_category(Decimal(score)) is category


def test_assessment_thresholds_are_configurable():
    thresholds = AssessmentThresholds(meets=Decimal(90), still_meets=Decimal(78))
    assert assessment_category(Decimal(85), thresholds) is AssessmentCategory.STILL_MEETS
    assert assessment_category(Decimal(77), thresholds) is AssessmentCategory.BELOW


def test_assessment_category_values_and_labels():
    assert AssessmentCategory.MEETS == "memenuhi_syarat"
    assert AssessmentCategory.STILL_MEETS.label == (
        "masih memenuhi syarat (still meets the requirements)"
    )
    assert AssessmentCategory.BELOW.label.startswith("kurang memenuhi syarat")


def test_assessment_category_checks_the_range():
    with pytest.raises(InvalidScore):
        assessment_category(Decimal(101))


def test_a_score_recorded_as_none_counts_as_missing():
    absent = replace(candidate(1), scores={**scores(), "paper": None})
    (entry,) = rank([absent], SCORING)
    assert entry.combined is None
    assert [r.code for r in entry.reasons] == ["scoring.component_missing"]
    with pytest.raises(ValueError, match="no score for paper"):
        combined_score(absent.scores, WEIGHTS)


def test_a_zero_score_is_a_score_in_the_tie_break():
    zero_interview = candidate(1, track_record="100", interview="0", paper="100", assessment="100")
    without = {k: v for k, v in zero_interview.scores.items() if k != "interview"}
    no_interview = replace(zero_interview, candidate_id=2, scores=without)
    params = ScoringParams(
        weights=Weights.from_percentages({"track_record": 50, "paper": 50}),
        pass_marks={},
        require_fitness_results=False,
    )
    # Equal combined scores; a recorded 0 interview beats no interview at all.
    assert order(rank([no_interview, zero_interview], params)) == [1, 2]
