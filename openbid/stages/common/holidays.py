"""The agency's own days off (cuti bersama, local holidays) that working-day windows skip.

National holidays and the joint-leave days of the yearly joint decree come from the
``holidays`` package; staff add the days it does not know (a regional holiday, a new
cuti bersama decided late). Past days cannot be removed: a window already counted over
them must stay explainable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.extensions import db
from openbid.i18n import short_date
from openbid.models import Agency, AgencyHoliday, User
from openbid.rules.calendar import WorkCalendar
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow.access import check_staff

# The years a day off may fall in, around this year (the admin page lists the same years):
# a day beyond them serves no window and, at 9999-12-31, overflows the calendar's arithmetic.
YEARS_BACK, YEARS_AHEAD = 3, 2


# Who may change the days off is told the same way, whatever the role or agency.
NOT_HOLIDAY_STAFF = Reason(
    "access.holidays", N_("Only the agency's secretariat or admin may do this.")
)


@dataclass(frozen=True)
class DayOff:
    """A day off in a year's list: national (from the package) or the agency's own."""

    day: date
    name: str
    national: bool
    holiday: AgencyHoliday | None = None


def agency_calendar(session: Session, agency_id: int) -> WorkCalendar:
    """Return the working-day calendar of an agency: national days plus its own days off."""
    rows = session.execute(
        sa.select(AgencyHoliday.day, AgencyHoliday.name).where(AgencyHoliday.agency_id == agency_id)
    ).all()
    return WorkCalendar(extra_holidays=dict(rows))


def year_days_off(agency: Agency, year: int) -> list[DayOff]:
    """Return the national holidays and the agency's days off of a year, by date."""
    national = WorkCalendar()
    days = []
    current = date(year, 1, 1)
    while current.year == year:
        name = national.holiday_name(current)
        if name is not None:
            days.append(DayOff(current, str(name), True))
        current = date.fromordinal(current.toordinal() + 1)
    own = db.session.scalars(
        sa.select(AgencyHoliday)
        .where(
            AgencyHoliday.agency_id == agency.id,
            AgencyHoliday.day >= date(year, 1, 1),
            AgencyHoliday.day <= date(year, 12, 31),
        )
        .order_by(AgencyHoliday.day)
    ).all()
    days += [DayOff(h.day, h.name, False, h) for h in own]
    return sorted(days, key=lambda d: (d.day, d.national))


def _day_reasons(day: date | None) -> list[Reason]:
    """Return why a day off cannot be entered on day: none given, or outside the listed years."""
    this_year = clock.today_jakarta().year
    first, last = this_year - YEARS_BACK, this_year + YEARS_AHEAD
    if day is None:
        return [Reason("holiday.day", N_("Enter the date of the day off."))]
    if not first <= day.year <= last:
        return [
            Reason(
                "holiday.day_range",
                N_("The date %(date)s is outside the years %(first)d to %(last)d; check the year."),
                {"date": short_date(day), "first": first, "last": last},
            )
        ]
    return []


def _name_reasons(name: str) -> list[Reason]:
    """Return what is wrong with a day off's (stripped) name."""
    if not name:
        return [Reason("holiday.name", N_("Enter what the day is, e.g. Cuti bersama Idul Fitri."))]
    if len(name) > 200:
        return [Reason("holiday.name_long", N_("The name is longer than 200 characters."))]
    return []


def _duplicate_reasons(agency: Agency, day: date) -> list[Reason]:
    """Return a reason when day is already a day off of the agency."""
    exists = db.session.scalar(
        sa.select(AgencyHoliday.id).where(
            AgencyHoliday.agency_id == agency.id, AgencyHoliday.day == day
        )
    )
    if exists is None:
        return []
    return [
        Reason(
            "holiday.duplicate",
            N_("%(date)s is already a day off of the agency."),
            {"date": short_date(day)},
        )
    ]


def add_holiday(agency: Agency, actor: User, *, day: date | None, name: str) -> AgencyHoliday:
    """Add a day off of the agency.

    :raises Forbidden: for a role other than secretariat/admin of this agency.
    :raises ValidationFailed: no date or name, a date outside the listed years, a long name,
        or a day already entered.
    """
    check_staff(actor, agency.id, denied=NOT_HOLIDAY_STAFF)
    name = (name or "").strip()
    day_reasons = _day_reasons(day)
    reasons = day_reasons + _name_reasons(name)
    if not day_reasons:  # only a day that can be entered is looked up
        reasons += _duplicate_reasons(agency, day)
    if reasons:
        raise ValidationFailed(reasons)
    holiday = AgencyHoliday(agency_id=agency.id, day=day, name=name)
    db.session.add(holiday)
    db.session.flush()
    audit.append(
        db.session,
        event="agency_holiday_added",
        actor=actor,
        subject_type="agency_holiday",
        subject_id=holiday.id,
        selection_id=None,
        payload={"agency": agency.code, "day": day, "name": name},
    )
    db.session.commit()
    return holiday


def remove_holiday(agency: Agency, actor: User, holiday_id: int) -> None:
    """Remove a future day off of the agency.

    :raises Forbidden: for a role other than secretariat/admin of this agency.
    :raises ValidationFailed: an unknown day, or a day that is today or already past.
    """
    check_staff(actor, agency.id, denied=NOT_HOLIDAY_STAFF)
    holiday = db.session.get(AgencyHoliday, holiday_id)
    if holiday is None or holiday.agency_id != agency.id:
        raise ValidationFailed(
            Reason("holiday.missing", N_("That day off no longer exists; reload the page."))
        )
    if holiday.day <= clock.today_jakarta():
        raise ValidationFailed(
            Reason(
                "holiday.past",
                N_(
                    "%(date)s is today or already past; it stays, because deadlines may have"
                    " been counted over it."
                ),
                {"date": short_date(holiday.day)},
            )
        )
    payload = {"agency": agency.code, "day": holiday.day, "name": holiday.name}
    db.session.delete(holiday)
    db.session.flush()
    audit.append(
        db.session,
        event="agency_holiday_removed",
        actor=actor,
        subject_type="agency_holiday",
        subject_id=holiday_id,
        selection_id=None,
        payload=payload,
    )
    db.session.commit()
