"""What a selection accepts as an assessment result: thresholds, and how old a result may be.

An assessment result stays valid for ``assessment_validity_years`` (2, Peraturan BKN 26/2019)
counted back from the selection's reference date, so an earlier result may be reused; a
date in the future is refused. The thresholds suggest a category for a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openbid import clock
from openbid.models import Selection
from openbid.rules.reasons import N_, Reason
from openbid.rules.scoring import AssessmentThresholds
from openbid.stages.assessment.fields import parse_value
from openbid.stages.common.reference import reference_date
from openbid.workflow import definition_of


@dataclass(frozen=True)
class AssessmentRules:
    """What the selection allows: thresholds, validity and the date results are measured at."""

    thresholds: AssessmentThresholds
    validity_years: int
    reference: date  # the selection's reference date (registration close by default)
    today: date

    @property
    def oldest(self) -> date:
        """Return the earliest assessment date still valid for this selection."""
        return _years_before(self.reference, self.validity_years)


def assessment_rules(selection: Selection) -> AssessmentRules:
    """Return the selection's assessment thresholds and validity rules."""
    params = definition_of(selection).params(selection.parameters)
    raw = params.get("assessment_thresholds") or {}
    defaults = AssessmentThresholds()
    thresholds = AssessmentThresholds(
        meets=Decimal(str(raw.get("meets", defaults.meets))),
        still_meets=Decimal(str(raw.get("still_meets", defaults.still_meets))),
    )
    return AssessmentRules(
        thresholds=thresholds,
        validity_years=int(params["assessment_validity_years"]),
        reference=reference_date(selection, params),
        today=clock.today_jakarta(),
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def date_problem(assessed_on: date, rules: AssessmentRules) -> Reason | None:
    """Return why an assessment date cannot be used: in the future, or expired."""
    if assessed_on > rules.today:
        return Reason(
            "assessment.date_future",
            N_("The assessment date %(date)s is in the future."),
            {"date": assessed_on},
        )
    oldest = rules.oldest
    if assessed_on < oldest:
        return Reason(
            "assessment.expired",
            N_(
                "The assessment of %(date)s has expired: results stay valid %(years)d years,"
                " so this selection accepts results from %(oldest)s on."
            ),
            {"date": assessed_on, "years": rules.validity_years, "oldest": oldest},
        )
    return None


def parse_fields(
    values: Mapping[str, object], rules: AssessmentRules
) -> tuple[dict[str, Any], list[Reason]]:
    """Parse and check the given fields; return the typed values and every problem."""
    parsed: dict[str, Any] = {}
    problems: list[Reason] = []
    for name, value in values.items():
        typed, problem = parse_value(name, value)
        if problem is not None:
            problems.append(problem)
            continue
        if name == "assessed_on" and typed is not None:
            problem = date_problem(typed, rules)
            if problem is not None:
                problems.append(problem)
                continue
        parsed[name] = typed
    return parsed, problems
