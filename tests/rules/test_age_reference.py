"""The age reference date: fixed, or the registration's close or open, or the selection's start."""

from datetime import date, datetime

from openbid.rules.age_reference import age_reference_date, as_date

OPENS, CLOSES, START = date(2018, 11, 20), date(2018, 12, 4), date(2018, 11, 19)


def _reference(**eligibility) -> date:
    return age_reference_date(
        {"age_reference": "registration_close", **eligibility},
        registration_opens=OPENS,
        registration_closes=CLOSES,
        selection_start=START,
    )


def test_the_registration_close_by_default():
    assert _reference() == CLOSES


def test_a_fixed_date_wins():
    assert _reference(reference_date="1960-06-01", age_reference="registration_open") == date(
        1960, 6, 1
    )


def test_the_registration_open_or_the_selection_start_when_the_definition_says_so():
    assert _reference(age_reference="registration_open") == OPENS
    assert _reference(age_reference="selection_start") == START


def test_the_selection_start_before_registration_is_scheduled():
    assert (
        age_reference_date(
            {"age_reference": "registration_open"},
            registration_opens=None,
            registration_closes=None,
            selection_start=START,
        )
        == START
    )


def test_dates_are_read_from_dates_datetimes_and_iso_text():
    assert as_date(datetime(2018, 12, 4, 16, 59)) == date(2018, 12, 4)
    assert as_date("2018-12-04T16:59:00") == date(2018, 12, 4)
    assert as_date("not a date") is None
    assert as_date("") is None
