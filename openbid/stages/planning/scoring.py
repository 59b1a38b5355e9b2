"""The score weights (percent per component, summing to 100) and the pass marks."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from openbid.models import Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.rules.reasons import percent_text as reasons_percent_text
from openbid.rules.scoring import COMPONENT_LABELS, Weights, component_label
from openbid.stages.planning.draft import lock_draft
from openbid.stages.planning.parameters import commit_parameters, set_override
from openbid.workflow import definition_of

SCORE_COMPONENTS = tuple(COMPONENT_LABELS)  # track_record, interview, paper, assessment

Typed = Decimal | int | str | None


def percent_text(fraction: float | int | str | Decimal) -> str:
    """Return a weight stored as a fraction as percent text: 0.35 -> "35", 0.125 -> "12.5"."""
    return reasons_percent_text(Decimal(str(fraction)))


def _percent(value: Typed) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _number(value: Decimal) -> int | float:
    """Return a Decimal as the JSON number the definitions use (0.35, 65, 67.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _read_weights(weights: Mapping[str, Typed]) -> tuple[dict[str, Decimal], list[Reason]]:
    """Return the weights in percent, and why any is missing, not a number or off 100%."""
    reasons = []
    percentages: dict[str, Decimal] = {}
    for component in SCORE_COMPONENTS:
        label = {"component": component_label(component)}
        try:
            value = _percent(weights.get(component))
        except ValueError:
            reasons.append(
                Reason(
                    "scoring.weight_number",
                    N_("The weight of %(component)s must be a number of percent, e.g. 35."),
                    label,
                )
            )
            continue
        if value is None:
            reasons.append(
                Reason(
                    "scoring.weight_missing",
                    N_("Enter the weight of %(component)s (0 if it does not count)."),
                    label,
                )
            )
            continue
        percentages[component] = value
    if not reasons:
        reasons += Weights.from_percentages(percentages).check()
    return percentages, reasons


def _read_pass_marks(pass_marks: Mapping[str, Typed]) -> tuple[dict[str, Decimal], list[Reason]]:
    """Return the pass marks given (an empty one means none), and any outside 0-100."""
    reasons = []
    marks: dict[str, Decimal] = {}
    for component in SCORE_COMPONENTS:
        try:
            mark = _percent(pass_marks.get(component))
        except ValueError:
            mark = Decimal(-1)
        if mark is None:
            continue
        if not Decimal(0) <= mark <= Decimal(100):
            reasons.append(
                Reason(
                    "scoring.pass_mark",
                    N_("The pass mark of %(component)s must be a score from 0 to 100."),
                    {"component": component_label(component)},
                )
            )
            continue
        marks[component] = mark
    return marks, reasons


def _scoring_overrides(
    selection: Selection, percentages: dict[str, Decimal], marks: dict[str, Decimal]
) -> dict[str, Any]:
    """Return the selection's parameters with the weights and pass marks as overrides."""
    parameters = copy.deepcopy(selection.parameters or {})
    defaults = definition_of(selection).parameters
    fractions = {c: _number(percentages[c] / 100) for c in SCORE_COMPONENTS}
    default_weights = {c: defaults.get("weights", {}).get(c) for c in SCORE_COMPONENTS}
    same = all(
        default_weights[c] is not None
        and Decimal(str(default_weights[c])) == Decimal(str(fractions[c]))
        for c in SCORE_COMPONENTS
    )
    if same:
        parameters.pop("weights", None)
    else:
        parameters["weights"] = fractions
    chosen_marks = {c: _number(m) for c, m in marks.items()}
    set_override(parameters, defaults, "pass_marks", chosen_marks)
    if chosen_marks == {} and not defaults.get("pass_marks"):
        parameters.pop("pass_marks", None)
    return parameters


def save_scoring(
    selection: Selection,
    actor: User,
    *,
    weights: Mapping[str, Typed],
    pass_marks: Mapping[str, Typed],
) -> bool:
    """Set the score weights (percent per component, summing to 100) and pass marks.

    A pass mark left empty means the component has none. Returns whether anything changed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, a weight that is missing, negative or not a
        number, weights not adding up to 100%, or a pass mark outside 0-100.
    """
    selection = lock_draft(selection, actor)
    percentages, reasons = _read_weights(weights)
    marks, refused = _read_pass_marks(pass_marks)
    reasons += refused
    if reasons:
        raise ValidationFailed(reasons)
    parameters = _scoring_overrides(selection, percentages, marks)
    return commit_parameters(selection, actor, parameters, "scoring_updated")
