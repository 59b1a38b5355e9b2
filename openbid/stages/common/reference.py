"""A selection's reference date, read from its definition (see ``rules.age_reference``).

Screening measures ages at it; the assessment counts a result's validity back from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from openbid import clock
from openbid.models import Selection
from openbid.rules.age_reference import age_reference_date
from openbid.workflow import definition_of


def reference_date(selection: Selection, params: Mapping[str, Any] | None = None) -> date:
    """Return the date ages are computed at for this selection.

    ``eligibility.reference_date`` when the selection fixes one; otherwise the registration's
    close (or open, with ``age_reference: registration_open``) as a WIB calendar date;
    the selection's start date before registration has been scheduled. ``params`` are the
    selection's parameters (its definition's, with its overrides) when the caller has them.
    """
    if params is None:
        params = definition_of(selection).params(selection.parameters)
    opens, closes = selection.registration_opens_at, selection.registration_closes_at
    return age_reference_date(
        params["eligibility"],
        registration_opens=clock.to_jakarta(opens).date() if opens is not None else None,
        registration_closes=clock.to_jakarta(closes).date() if closes is not None else None,
        selection_start=selection.start_date,
    )
