"""The registration window: when registration opens and closes, and each extension's close.

Lengths, units and the closing time are the definition's ``registration`` and ``extension``
parameters (with the selection's overrides merged in by ``definition.params``). Working
days skip national holidays, cuti bersama and the agency's own days off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import Selection
from openbid.rules.calendar import parse_closing_time
from openbid.stages.common.holidays import agency_calendar


@dataclass(frozen=True)
class RegistrationWindow:
    """When registration opens and closes (aware UTC moments) and how it was counted."""

    opens_at: datetime
    closes_at: datetime
    opens_on: date  # Asia/Jakarta dates
    closes_on: date
    length: int
    unit: str
    closing_time: str


def registration_settings(params: Mapping[str, Any]) -> tuple[int, str, str]:
    """Return (length, unit, closing time) of the registration window from the parameters."""
    settings = params["registration"]
    return int(settings["length"]), str(settings["unit"]), str(settings["closing_time"])


def registration_window(
    session: Session, selection: Selection, params: Mapping[str, Any], opened_at: datetime
) -> RegistrationWindow:
    """Return the window of a registration published at opened_at.

    The window opens on the WIB date of publishing and ends on the last day of the
    definition's length (calendar or working days; working days skip national holidays,
    cuti bersama and the agency's own days off), at the closing time.

    :raises ValueError: when the parameters are unusable (length below 1, unknown unit).
    """
    length, unit, closing = registration_settings(params)
    opens_on = clock.to_jakarta(opened_at).date()
    closes_on = agency_calendar(session, selection.agency_id).window_end(opens_on, length, unit)
    return RegistrationWindow(
        opens_at=opened_at,
        closes_at=clock.jakarta_moment(closes_on, parse_closing_time(closing)),
        opens_on=opens_on,
        closes_on=closes_on,
        length=length,
        unit=unit,
        closing_time=closing,
    )


def extension_settings(params: Mapping[str, Any]) -> tuple[int, str, int]:
    """Return (length, unit, max_count) of registration extensions from the parameters."""
    settings = params["extension"]
    return int(settings["length"]), str(settings["unit"]), int(settings["max_count"])


def extended_close(
    session: Session, selection: Selection, params: Mapping[str, Any], now: datetime
) -> datetime:
    """Return the new closing moment of an extension decided at now.

    Registration reopens the day after the previous close (or today, if the extension is
    decided later, so applicants never get fewer days than the definition grants) and runs
    for the extension's length in its unit.
    """
    length, unit, _ = extension_settings(params)
    _, _, closing = registration_settings(params)
    previous_day = clock.to_jakarta(selection.registration_closes_at).date()
    reopens_on = max(previous_day + timedelta(days=1), clock.to_jakarta(now).date())
    closes_on = agency_calendar(session, selection.agency_id).window_end(reopens_on, length, unit)
    return clock.jakarta_moment(closes_on, parse_closing_time(closing))
