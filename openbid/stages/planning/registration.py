"""Registration, extension and eligibility settings of a selection.

``None`` in the input keeps the definition's default (``registration``, ``extension``,
``min_applicants_per_post``, ``eligibility`` in ``workflows/*.yaml``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openbid.i18n import short_date
from openbid.models import Selection, User
from openbid.rules.calendar import WINDOW_UNITS, parse_closing_time
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.stages.planning.draft import clean_text, lock_draft
from openbid.stages.planning.parameters import commit_parameters, set_nested, set_override
from openbid.workflow import definition_of


@dataclass(frozen=True)
class RegistrationInput:
    """Registration, extension and eligibility settings; None keeps the definition default."""

    registration_length: int | None = None
    registration_unit: str | None = None
    closing_time: str | None = None
    min_applicants: int | None = None
    extension_length: int | None = None
    extension_unit: str | None = None
    extension_max_count: int | None = None
    reference_date: date | None = None


def _range_reasons(value: int | None, low: int, high: int, label: str) -> list[Reason]:
    if value is None or low <= value <= high:
        return []
    return [
        Reason(
            "parameters.range",
            N_("The %(field)s must be a whole number from %(low)d to %(high)d."),
            {"field": Term(label), "low": low, "high": high},
        )
    ]


def _number_reasons(data: RegistrationInput) -> list[Reason]:
    """Return which lengths and counts are out of range, and any unknown unit."""
    reasons = _range_reasons(data.registration_length, 1, 90, N_("registration length"))
    reasons += _range_reasons(data.min_applicants, 1, 50, N_("minimum of applicants per post"))
    reasons += _range_reasons(data.extension_length, 1, 60, N_("extension length"))
    reasons += _range_reasons(data.extension_max_count, 0, 5, N_("number of extensions allowed"))
    for unit in (data.registration_unit, data.extension_unit):
        if unit is not None and unit not in WINDOW_UNITS:
            reasons.append(
                Reason("parameters.unit", N_("Count the days as calendar days or working days."))
            )
    return reasons


def _closing_time(typed: str | None) -> tuple[str | None, list[Reason]]:
    """Return the closing time as "HH:MM" (None when not given), or why it is unreadable."""
    closing = clean_text(typed) or None
    if closing is None:
        return None, []
    try:
        parsed = parse_closing_time(closing)
    except ValueError:
        parsed = None
    if parsed is None or parsed.hour > 23 or parsed.minute > 59:
        return closing, [
            Reason(
                "parameters.closing_time",
                N_("Enter the closing time as hours and minutes, e.g. 23:59 or 16:00."),
            )
        ]
    return f"{parsed.hour:02d}:{parsed.minute:02d}", []


def _reference_date_reasons(selection: Selection, reference: date | None) -> list[Reason]:
    """Return why the age reference date is too far from the selection's start, or nothing."""
    if reference is None:
        return []
    low = selection.start_date - timedelta(days=366)
    high = selection.start_date + timedelta(days=366)
    if low <= reference <= high:
        return []
    return [
        Reason(
            "parameters.reference_date",
            N_(
                "The age reference date %(date)s is more than a year away from the"
                " selection's start date %(start)s."
            ),
            {"date": short_date(reference), "start": short_date(selection.start_date)},
        )
    ]


def _registration_overrides(
    selection: Selection, data: RegistrationInput, closing: str | None
) -> dict[str, Any]:
    """Return the selection's parameters with the settings as overrides of the definition."""
    defaults = definition_of(selection).parameters
    parameters = copy.deepcopy(selection.parameters or {})
    set_nested(parameters, defaults, "registration", "length", data.registration_length)
    set_nested(parameters, defaults, "registration", "unit", data.registration_unit)
    set_nested(parameters, defaults, "registration", "closing_time", closing)
    set_override(parameters, defaults, "min_applicants_per_post", data.min_applicants)
    set_nested(parameters, defaults, "extension", "length", data.extension_length)
    set_nested(parameters, defaults, "extension", "unit", data.extension_unit)
    set_nested(parameters, defaults, "extension", "max_count", data.extension_max_count)
    fixed = data.reference_date.isoformat() if data.reference_date else None
    set_nested(parameters, defaults, "eligibility", "reference_date", fixed)
    # The definition's age_reference is "registration_close" or a fixed date; set both keys
    # so every reader (screening, the announcement's text) sees the same date.
    set_nested(parameters, defaults, "eligibility", "age_reference", fixed)
    return parameters


def save_registration(selection: Selection, actor: User, data: RegistrationInput) -> bool:
    """Set the registration window, minimum applicants, extensions and age reference date.

    Returns whether anything changed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a value out of range, an unknown unit, a bad
        closing time, or an age reference date far from the selection's start.
    """
    selection = lock_draft(selection, actor)
    closing, refused = _closing_time(data.closing_time)
    reasons = _number_reasons(data) + refused
    reasons += _reference_date_reasons(selection, data.reference_date)
    if reasons:
        raise ValidationFailed(reasons)
    parameters = _registration_overrides(selection, data, closing)
    return commit_parameters(selection, actor, parameters, "parameters_updated")
