"""The agency's days off page: list per year, add, remove future days, audited, role-gated."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AgencyHoliday, AuditEvent, Role
from openbid.rules.reasons import ValidationFailed
from openbid.stages.common import holidays
from openbid.workflow import Forbidden
from tests.announcement_support import MovableClock, install_clock, wib
from tests.factories import PASSWORD, make_agency, make_user


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Today is 20 November 2018 unless a test moves it."""
    return install_clock(monkeypatch)


def _counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(AgencyHoliday.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def _login_english(client, browser, user) -> None:
    browser.login(user.email, PASSWORD)
    client.get("/home?lang=en")


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ADMIN])
def test_staff_add_and_remove_a_future_day_off(app, client, browser, movable_clock, role) -> None:
    agency = make_agency()
    user = make_user(role, agency)
    _login_english(client, browser, user)
    page = client.get("/admin/holidays?year=2018").get_data(as_text=True)
    # National days and the 2018 Idul Fitri cuti bersama come from the holidays package.
    assert "15-06-2018" in page and "Cuti Bersama" in page
    response = browser.post(
        "/admin/holidays",
        {"day": "2018-12-24", "name": "Cuti bersama Natal"},
        page="/admin/holidays",
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("year=2018")
    holiday = db.session.scalars(sa.select(AgencyHoliday)).one()
    assert (holiday.agency_id, holiday.day, holiday.name) == (
        agency.id,
        date(2018, 12, 24),
        "Cuti bersama Natal",
    )
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.event, event.selection_id, event.chain) == (
        "agency_holiday_added",
        None,
        "system",
    )
    assert "Cuti bersama Natal" in client.get("/admin/holidays?year=2018").get_data(as_text=True)
    response = browser.post(
        f"/admin/holidays/{holiday.id}/remove", {"year": "2018"}, page="/admin/holidays"
    )
    assert response.status_code == 303
    assert _counts()[0] == 0
    last = db.session.scalars(sa.select(AuditEvent.event).order_by(AuditEvent.id.desc())).first()
    assert last == "agency_holiday_removed"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"day": "", "name": "Cuti"}, "Enter the date of the day off."),
        ({"day": "2018-02-31", "name": "Cuti"}, "Enter a real date, such as 2018-12-03."),
        (
            {"day": "2018-12-24", "name": " "},
            "Enter what the day is, e.g. Cuti bersama Idul Fitri.",
        ),
    ],
)
def test_bad_input_is_shown_back_and_nothing_is_written(
    app, client, browser, movable_clock, form, message
) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    _login_english(client, browser, user)
    before = _counts()
    response = browser.post("/admin/holidays", form, page="/admin/holidays")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _counts() == before


def test_a_day_twice_or_a_past_day_is_refused(app, movable_clock) -> None:
    agency = make_agency()
    user = make_user(Role.SECRETARIAT, agency)
    past = holidays.add_holiday(agency, user, day=date(2018, 6, 1), name="Lama")
    with pytest.raises(ValidationFailed) as twice:
        holidays.add_holiday(agency, user, day=date(2018, 6, 1), name="Lagi")
    assert [str(r) for r in twice.value.reasons] == [
        "01-06-2018 is already a day off of the agency."
    ]
    before = _counts()
    with pytest.raises(ValidationFailed) as gone:
        holidays.remove_holiday(agency, user, past.id)
    assert [str(r) for r in gone.value.reasons] == [
        "01-06-2018 is today or already past; it stays, because deadlines may have been counted"
        " over it."
    ]
    assert _counts() == before


def test_another_agencys_day_cannot_be_removed(app, client, browser, movable_clock) -> None:
    agency, other = make_agency(), make_agency()
    theirs = holidays.add_holiday(
        other, make_user(Role.ADMIN, other), day=date(2018, 12, 31), name="X"
    )
    user = make_user(Role.SECRETARIAT, agency)
    _login_english(client, browser, user)
    before = _counts()
    response = browser.post(f"/admin/holidays/{theirs.id}/remove", {}, page="/admin/holidays")
    assert response.status_code == 422
    assert "That day off no longer exists" in response.get_data(as_text=True)
    assert _counts() == before
    with pytest.raises(Forbidden):
        holidays.add_holiday(other, user, day=date(2018, 12, 30), name="Y")


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.AUDITOR, Role.CANDIDATE])
def test_other_roles_cannot_see_or_change_days_off(
    app, client, browser, movable_clock, role
) -> None:
    agency = make_agency()
    user = make_user(role, None if role == Role.CANDIDATE else agency)
    browser.login(user.email, PASSWORD)
    assert client.get("/admin/holidays").status_code == 403
    before = _counts()
    response = browser.post("/admin/holidays", {"day": "2018-12-24", "name": "X"}, page="/home")
    assert response.status_code == 403
    assert _counts() == before


def test_the_year_list_keeps_its_query_count(app, client, browser, movable_clock) -> None:
    agency = make_agency()
    user = make_user(Role.ADMIN, agency)
    browser.login(user.email, PASSWORD)
    movable_clock.set(wib(2018, 1, 2))

    def queries() -> int:
        seen = []
        listener = lambda *_args: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/holidays?year=2018").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    first = queries()
    for day in range(3, 9):
        holidays.add_holiday(agency, user, day=date(2018, 12, day + 10), name=f"Cuti {day}")
    assert queries() == first
