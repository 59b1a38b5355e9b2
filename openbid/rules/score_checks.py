"""Warnings on a score before it is made final: a slip of the keyboard (8 for 80) is permanent.

Nothing here refuses a score; it names what looks unusual so the member looks twice on the
confirmation step. The thresholds are conventions of the interview scale, not regulation.
"""

from collections.abc import Sequence
from decimal import Decimal

from openbid.rules.reasons import N_, Reason, Term
from openbid.rules.scoring import CENTS

# Interview scores on the 0-100 scale sit inside this band in practice; one below it is more
# often a typo (8 for 80) than a judgement.
USUAL_LOW = Decimal(40)
USUAL_HIGH = Decimal(100)
# How far below the member's own mean a score must fall to be worth a second look, and how
# many of their scores make a mean worth comparing with.
LOWER_BY = Decimal(25)
MIN_OTHERS = 2


def score_warnings(value: Decimal, own_other_scores: Sequence[Decimal]) -> list[Reason]:
    """Return why a score looks unusual: outside the usual band, or far below the member's own."""
    warnings = []
    if not USUAL_LOW <= value <= USUAL_HIGH:
        warnings.append(
            Reason(
                "score.unusual",
                N_(
                    "%(score)s is far from the usual range of interview scores (%(low)s to"
                    " %(high)s). Did you mean something else?"
                ),
                {"score": str(value), "low": str(USUAL_LOW), "high": str(USUAL_HIGH)},
            )
        )
    if len(own_other_scores) >= MIN_OTHERS:
        mean = (sum(own_other_scores, Decimal(0)) / len(own_other_scores)).quantize(CENTS)
        if value <= mean - LOWER_BY:
            warnings.append(
                Reason(
                    "score.below_own",
                    N_(
                        "%(score)s is much lower than the other scores you gave in this"
                        " selection (mean %(mean)s over %(count)d candidates)."
                    ),
                    {"score": str(value), "mean": str(mean), "count": len(own_other_scores)},
                )
            )
    return warnings


def unusual_field_score(field: Term, value: Decimal) -> Reason | None:
    """Return a warning when a saved score of a results field is below the usual band."""
    if value >= USUAL_LOW:
        return None
    return Reason(
        "score.unusual_field",
        N_(
            "The %(field)s %(score)s is far below the usual range (%(low)s to %(high)s);"
            " check it before the assessment closes."
        ),
        {"field": field, "score": str(value), "low": str(USUAL_LOW), "high": str(USUAL_HIGH)},
    )
