"""Warnings shown before a score becomes final."""

from decimal import Decimal

from openbid.rules.reasons import Term
from openbid.rules.score_checks import score_warnings, unusual_field_score


def _codes(value: str, others: list[str]) -> list[str]:
    return [r.code for r in score_warnings(Decimal(value), [Decimal(o) for o in others])]


def test_a_score_below_the_usual_band_is_flagged_and_one_inside_is_not() -> None:
    assert _codes("8", []) == ["score.unusual"]
    assert _codes("39.99", []) == ["score.unusual"]
    assert _codes("40", []) == [] and _codes("100", []) == []


def test_a_score_far_below_the_members_own_mean_is_flagged_once_there_is_a_mean() -> None:
    assert _codes("55", ["80"]) == []  # one other score is no pattern yet
    assert _codes("55", ["80", "80"]) == ["score.below_own"]
    assert _codes("55.01", ["80", "80"]) == []
    assert _codes("8", ["80", "82"]) == ["score.unusual", "score.below_own"]


def test_a_results_field_below_the_usual_band_is_flagged_with_its_name() -> None:
    field = Term("paper score")
    assert unusual_field_score(field, Decimal("40")) is None
    warning = unusual_field_score(field, Decimal("8"))
    assert warning is not None and str(warning).startswith("The paper score 8 is far below")
