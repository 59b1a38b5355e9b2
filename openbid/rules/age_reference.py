"""The date a selection measures a candidate's age at (and how old a result may be).

PermenPANRB 15/2019 measures the age limit at the close of registration; a definition may
say ``age_reference: registration_open`` or ``selection_start`` instead, and a selection may
fix the date outright (``reference_date``). Both are in the definition's ``eligibility``
parameters.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def as_date(value: object) -> date | None:
    """Return a date from a date, a datetime or ISO text (``2018-12-04…``); else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def age_reference_date(
    eligibility: Mapping[str, Any],
    *,
    registration_opens: date | None,
    registration_closes: date | None,
    selection_start: date,
) -> date:
    """Return the date ages are computed at, given the ``eligibility`` parameters.

    The fixed ``reference_date`` when there is one; otherwise the registration's close (or
    its open, with ``age_reference: registration_open``); the selection's start date when
    ``age_reference`` says so or registration has not been scheduled yet. The registration
    days are WIB calendar dates.
    """
    fixed = as_date(eligibility.get("reference_date"))
    if fixed is not None:
        return fixed
    basis = eligibility["age_reference"]
    if basis == "registration_open" and registration_opens is not None:
        return registration_opens
    if basis != "selection_start" and registration_closes is not None:
        return registration_closes
    return selection_start
