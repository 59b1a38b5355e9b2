"""The agency's settings: its days off (national holidays for reference, its own to add or
remove), and, for its admin, its letterhead, PPK, legal basis and numbering patterns.

Working-day registration windows skip both; the national ones (and the joint cuti bersama
of the yearly decree) come from the ``holidays`` package, the agency's own are entered here.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from openbid import clock
from openbid.auth import require_roles
from openbid.committee.fields import DayField, field_errors
from openbid.i18n import reason_text
from openbid.models import Role
from openbid.rules.reasons import N_, ValidationFailed
from openbid.stages.common import agency_profile as profile_service
from openbid.stages.common import holidays as service
from openbid.stages.common.holidays import YEARS_AHEAD, YEARS_BACK

bp = Blueprint("admin", __name__, url_prefix="/admin")

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


@bp.before_request
def _gate() -> None:
    require_roles(Role.ADMIN, Role.SECRETARIAT)


class HolidayForm(FlaskForm):
    """A day off of the agency."""

    day = DayField(_l("Date"))
    name = StringField(_l("What the day is"))


def _year() -> int:
    this_year = clock.today_jakarta().year
    try:
        year = int(request.values.get("year", this_year))
    except ValueError:
        return this_year
    return year if this_year - YEARS_BACK <= year <= this_year + YEARS_AHEAD else this_year


def _page(
    year: int, form: HolidayForm | None = None, errors: list[str] | None = None, status: int = 200
):
    this_year = clock.today_jakarta().year
    return (
        render_template(
            "admin/holidays.html",
            year=year,
            years=range(this_year - YEARS_BACK, this_year + YEARS_AHEAD + 1),
            days=service.year_days_off(current_user.agency, year),
            today=clock.today_jakarta(),
            form=form or HolidayForm(formdata=None),
            errors=errors or [],
            weekday=lambda day: _(WEEKDAYS[day.weekday()]),
        ),
        status,
    )


@bp.route("/holidays")
def holidays():
    """List a year's national holidays and the agency's own days off."""
    return _page(_year())


@bp.route("/holidays", methods=["POST"])
def add_holiday():
    """Add a day off of the agency."""
    form = HolidayForm()
    errors = field_errors(form) if not form.validate() else []
    # An unreadable date reaches the service as None: it refuses, writing nothing, and
    # names whatever else is wrong.
    try:
        holiday = service.add_holiday(
            current_user.agency, current_user, day=form.day.data, name=form.name.data or ""
        )
    except ValidationFailed as error:
        skip = {"holiday.day"} if errors else set()
        errors += [reason_text(r) for r in error.reasons if r.code not in skip]
    else:
        flash(_("The day off was added."), "success")
        return redirect(url_for("admin.holidays", year=holiday.day.year), 303)
    this_year = clock.today_jakarta().year
    typed = form.day.data.year if form.day.data else None
    # The typed date's year when the page lists it; a refused 9999-12-31 shows this year.
    in_range = typed is not None and this_year - YEARS_BACK <= typed <= this_year + YEARS_AHEAD
    return _page(typed if in_range else _year(), form, errors, 422)


@bp.route("/holidays/<int:holiday_id>/remove", methods=["POST"])
def remove_holiday(holiday_id: int):
    """Remove a future day off of the agency."""
    try:
        service.remove_holiday(current_user.agency, current_user, holiday_id)
    except ValidationFailed as error:
        return _page(_year(), errors=[reason_text(r) for r in error.reasons], status=422)
    flash(_("The day off was removed."), "success")
    return redirect(url_for("admin.holidays", year=_year()), 303)


def _profile_page(values: dict, errors: list[str] | None = None, status: int = 200):
    return (
        render_template(
            "admin/agency.html",
            values=values,
            errors=errors or [],
            fields=profile_service.TEXT_FIELDS,
            series=profile_service.SERIES_LABELS,
        ),
        status,
    )


def _current_values(agency) -> dict:
    values = {column: getattr(agency, column) or "" for column, *_ in profile_service.TEXT_FIELDS}
    values["formation_laws"] = "\n".join(agency.formation_laws or [])
    values["local_legal_basis"] = "\n".join(agency.local_legal_basis or [])
    patterns = agency.numbering_patterns or {}
    values.update({f"pattern_{s}": patterns.get(s, "") for s in profile_service.SERIES})
    return values


@bp.route("/agency")
def agency_profile():
    """Show the agency's letterhead, PPK, legal basis and numbering patterns to edit.

    :raises Forbidden: for anyone but the agency's admin.
    """
    profile_service.check_agency_admin(current_user, current_user.agency)
    return _profile_page(_current_values(current_user.agency))


@bp.route("/agency", methods=["POST"])
def save_agency_profile():
    """Save the agency's profile, or show every reason it was refused (nothing saved).

    :raises Forbidden: for anyone but the agency's admin.
    """
    form = request.form
    profile = profile_service.AgencyProfile(
        texts={column: form.get(column, "") for column, *_ in profile_service.TEXT_FIELDS},
        formation_laws=form.get("formation_laws", ""),
        local_legal_basis=form.get("local_legal_basis", ""),
        patterns={s: form.get(f"pattern_{s}", "") for s in profile_service.SERIES},
    )
    try:
        profile_service.update_agency_profile(current_user.agency, current_user, profile)
    except ValidationFailed as error:
        return _profile_page(dict(form), [reason_text(r) for r in error.reasons], 422)
    flash(_("The agency's details were saved."), "success")
    return redirect(url_for("admin.agency_profile"), 303)
