"""Second looks at a saved row of results: a score that reads like a slip of the keyboard."""

from __future__ import annotations

from collections.abc import Mapping

from openbid.rules.reasons import Reason
from openbid.rules.score_checks import unusual_field_score
from openbid.stages.assessment.fields import FIELD_LABELS, SCORE_FIELDS, parse_score


def unusual_scores(values: Mapping[str, object]) -> list[Reason]:
    """Return a warning for each score of the row far below the usual band (8 for 80)."""
    warnings = []
    for name in SCORE_FIELDS:
        value, problem = parse_score(name, values.get(name))
        if value is None or problem is not None:
            continue
        warning = unusual_field_score(FIELD_LABELS[name], value)
        if warning is not None:
            warnings.append(warning)
    return warnings
