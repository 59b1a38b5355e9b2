"""Working-day deadlines over real Indonesian holidays of 2018 and 2025.

2018: Idul Fitri Fri 15 and Sat 16 June, cuti bersama 11-14 and 18-20 June, regional
election day Wed 27 June, Independence Day Fri 17 August, Idul Adha Wed 22 August, cuti
bersama Mon 24 December, Christmas Tue 25 December.
2025: cuti bersama Fri 28 March, Nyepi Sat 29 March, Idul Fitri Mon 31 March and Tue 1
April, cuti bersama 2-4 and 7 April, Good Friday 18 April.
"""

from datetime import date

import pytest

from openbid.rules.calendar import (
    PUBLIC,
    PUBLIC_AND_JOINT,
    WorkCalendar,
    _country_holidays,
)

CALENDAR = WorkCalendar()
PUBLIC_ONLY = WorkCalendar(include_joint_holidays=False)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2018, 6, 8), True),  # Friday before the Idul Fitri break
        (date(2018, 6, 11), False),  # cuti bersama
        (date(2018, 6, 15), False),  # Idul Fitri
        (date(2018, 6, 20), False),  # cuti bersama
        (date(2018, 6, 21), True),
        (date(2018, 6, 27), False),  # simultaneous regional elections
        (date(2018, 8, 16), True),
        (date(2018, 8, 17), False),  # Independence Day
        (date(2018, 8, 18), False),  # Saturday
        (date(2018, 8, 19), False),  # Sunday
        (date(2018, 8, 22), False),  # Idul Adha
        (date(2018, 12, 24), False),  # cuti bersama
        (date(2018, 12, 25), False),  # Christmas
        (date(2018, 12, 27), True),
        (date(2025, 3, 28), False),  # cuti bersama for Nyepi
        (date(2025, 3, 31), False),  # Idul Fitri
        (date(2025, 4, 1), False),  # Idul Fitri, second day
        (date(2025, 4, 7), False),  # cuti bersama
        (date(2025, 4, 8), True),
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 12, 25), False),  # Christmas
    ],
)
def test_is_working_day(day, working):
    assert CALENDAR.is_working_day(day) is working


def test_cuti_bersama_can_be_left_out():
    assert PUBLIC_ONLY.is_working_day(date(2018, 6, 11))
    assert PUBLIC_ONLY.is_working_day(date(2025, 4, 2))
    assert not PUBLIC_ONLY.is_working_day(date(2018, 6, 15))


def test_holiday_names_in_indonesian_by_default():
    assert CALENDAR.holiday_name(date(2018, 6, 15)) == "Hari Raya Idul Fitri"
    assert CALENDAR.holiday_name(date(2018, 8, 17)) == ("Hari Kemerdekaan Republik Indonesia")
    assert CALENDAR.holiday_name(date(2025, 3, 29)) == "Hari Suci Nyepi"
    assert CALENDAR.holiday_name(date(2018, 6, 11)) == ("Cuti Bersama Hari Raya Idul Fitri")
    assert CALENDAR.holiday_name(date(2018, 8, 16)) is None
    # A weekend is not a holiday.
    assert CALENDAR.holiday_name(date(2018, 8, 18)) is None


def test_holiday_names_in_english():
    calendar = WorkCalendar(language="en_US")
    assert calendar.holiday_name(date(2018, 6, 15)) == "Eid al-Fitr"
    assert calendar.holiday_name(date(2025, 4, 18)) == "Good Friday"


def test_extra_days_off_such_as_agency_cuti_bersama():
    agency = WorkCalendar(extra_holidays=[date(2018, 8, 23)])
    assert not agency.is_working_day(date(2018, 8, 23))
    assert agency.holiday_name(date(2018, 8, 23)) == "Agency day off"
    assert CALENDAR.is_working_day(date(2018, 8, 23))


def test_extra_days_off_with_names():
    agency = WorkCalendar(
        extra_holidays={date(2025, 4, 8): "Cuti bersama Pemerintah Kota Tangerang"}
    )
    assert agency.holiday_name(date(2025, 4, 8)) == ("Cuti bersama Pemerintah Kota Tangerang")
    assert agency.window_end(date(2025, 3, 27), 3, "working") == date(2025, 4, 10)


def test_a_public_holiday_keeps_its_name_when_also_an_extra_day():
    agency = WorkCalendar(extra_holidays={date(2018, 8, 17): "Libur"})
    assert agency.holiday_name(date(2018, 8, 17)) == ("Hari Kemerdekaan Republik Indonesia")


def test_working_window_counts_the_opening_day():
    # Registration opening Mon 6 Aug 2018 for 15 working days skips 17 Aug and 22 Aug.
    assert CALENDAR.window_end(date(2018, 8, 6), 15, "working") == date(2018, 8, 28)
    assert CALENDAR.window_end(date(2018, 8, 6), 1, "working") == date(2018, 8, 6)


def test_working_window_with_an_extra_day_off():
    agency = WorkCalendar(extra_holidays=[date(2018, 8, 23)])
    assert agency.window_end(date(2018, 8, 6), 15, "working") == date(2018, 8, 29)


def test_working_window_across_idul_fitri_2018():
    # Day 1 is Fri 8 June; 11-20 June are holidays or cuti bersama; 27 June is
    # election day.
    assert CALENDAR.window_end(date(2018, 6, 8), 5, "working") == date(2018, 6, 26)
    assert CALENDAR.window_end(date(2018, 6, 8), 7, "working") == date(2018, 6, 29)
    assert PUBLIC_ONLY.window_end(date(2018, 6, 8), 5, "working") == date(2018, 6, 14)


def test_working_window_across_idul_fitri_2025():
    assert CALENDAR.window_end(date(2025, 3, 27), 3, "working") == date(2025, 4, 9)
    assert PUBLIC_ONLY.window_end(date(2025, 3, 27), 3, "working") == date(2025, 4, 2)


def test_working_window_opening_on_a_holiday_starts_on_the_next_working_day():
    assert CALENDAR.window_end(date(2018, 6, 16), 1, "working") == date(2018, 6, 21)
    assert CALENDAR.window_end(date(2018, 8, 17), 2, "working") == date(2018, 8, 21)


def test_working_window_across_the_new_year():
    assert CALENDAR.window_end(date(2018, 12, 28), 3, "working") == date(2019, 1, 2)


def test_calendar_window_counts_the_opening_day_and_may_end_on_a_holiday():
    assert CALENDAR.window_end(date(2018, 8, 1), 15, "calendar") == date(2018, 8, 15)
    assert CALENDAR.window_end(date(2018, 8, 3), 15, "calendar") == date(2018, 8, 17)
    assert CALENDAR.window_end(date(2018, 8, 6), 1, "calendar") == date(2018, 8, 6)


@pytest.mark.parametrize("length", [0, -3])
def test_window_needs_a_day(length):
    with pytest.raises(ValueError, match="at least one day"):
        CALENDAR.window_end(date(2018, 8, 6), length, "working")


def test_window_unit_must_be_known():
    with pytest.raises(ValueError, match="unknown window unit 'weeks'"):
        CALENDAR.window_end(date(2018, 8, 6), 2, "weeks")  # type: ignore[arg-type]


def test_add_working_days_does_not_count_the_start():
    assert CALENDAR.add_working_days(date(2018, 8, 16), 1) == date(2018, 8, 20)
    assert CALENDAR.add_working_days(date(2018, 6, 8), 1) == date(2018, 6, 21)
    assert CALENDAR.add_working_days(date(2018, 6, 14), 1) == date(2018, 6, 21)
    # Good Friday 18 April, then the weekend.
    assert CALENDAR.add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 21)
    assert CALENDAR.add_working_days(date(2025, 3, 27), 2) == date(2025, 4, 9)


def test_add_zero_working_days_is_the_start_even_on_a_holiday():
    assert CALENDAR.add_working_days(date(2018, 8, 17), 0) == date(2018, 8, 17)


def test_add_calendar_days():
    assert CALENDAR.add_calendar_days(date(2018, 8, 31), 7) == date(2018, 9, 7)
    assert CALENDAR.add_calendar_days(date(2018, 8, 31), 0) == date(2018, 8, 31)


@pytest.mark.parametrize("method", ["add_working_days", "add_calendar_days"])
def test_adding_negative_days_is_refused(method):
    with pytest.raises(ValueError, match="negative"):
        getattr(CALENDAR, method)(date(2018, 8, 6), -1)


def test_next_working_day():
    assert CALENDAR.next_working_day(date(2018, 8, 16)) == date(2018, 8, 16)
    assert CALENDAR.next_working_day(date(2018, 8, 17)) == date(2018, 8, 20)


def test_extension_of_seven_days_after_registration_closes():
    # An extension opens the day after the original close and runs 7 working days.
    close = CALENDAR.window_end(date(2018, 8, 6), 15, "working")
    opens = CALENDAR.add_calendar_days(close, 1)
    assert CALENDAR.window_end(opens, 7, "working") == date(2018, 9, 6)


def test_holidays_are_built_once_per_year_and_shared():
    first = _country_holidays(2018, PUBLIC_AND_JOINT, "id")
    assert _country_holidays(2018, PUBLIC_AND_JOINT, "id") is first
    assert _country_holidays(2018, PUBLIC, "id") is not first
    WorkCalendar().is_working_day(date(2018, 3, 30))
    hits = _country_holidays.cache_info().hits
    WorkCalendar().is_working_day(date(2018, 3, 30))
    assert _country_holidays.cache_info().hits == hits + 1
    # Looking up another year never grows the cached object of 2018.
    CALENDAR.is_working_day(date(2019, 1, 1))
    assert {day.year for day in first} == {2018}


def test_working_days_between_skips_weekends_holidays_and_extra_days_off():
    calendar = WorkCalendar(extra_holidays={date(2018, 12, 26): "Hari jadi kota"})
    friday = date(2018, 12, 21)
    # 22-23 weekend, 24 cuti bersama, 25 Christmas, 26 the agency's day off.
    assert calendar.working_days_between(friday, date(2018, 12, 26)) == 0
    assert calendar.working_days_between(friday, date(2018, 12, 27)) == 1
    assert WorkCalendar().working_days_between(friday, date(2018, 12, 27)) == 2
    assert calendar.working_days_between(friday, friday) == 0
    assert calendar.working_days_between(date(2018, 12, 27), friday) == 0  # end before start
    # Counted like add_working_days: n working days after a day end n working days later.
    assert calendar.working_days_between(friday, calendar.add_working_days(friday, 7)) == 7


def test_working_days_between_skips_weekends_holidays_and_days_off() -> None:
    calendar = WorkCalendar({date(2018, 8, 16): "Cuti daerah"})
    # Friday 10 Aug 2018 to Monday 20 Aug: 17 Aug is Independence Day, 16 Aug the day off.
    assert calendar.working_days_between(date(2018, 8, 10), date(2018, 8, 20)) == 4
    assert WorkCalendar().working_days_between(date(2018, 8, 10), date(2018, 8, 20)) == 5
    assert calendar.working_days_between(date(2018, 8, 10), date(2018, 8, 10)) == 0
    assert calendar.working_days_between(date(2018, 8, 20), date(2018, 8, 10)) == 0
