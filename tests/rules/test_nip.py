"""NIP parsing (Perka BKN 22/2007) and age computation."""

from datetime import date

import pytest

from openbid.rules.nip import InvalidNip, Nip, age_on, parse_nip, validate_nip

VALID = "198609262015051001"


def reasons_of(text: str) -> list[tuple[str, str]]:
    """Return (code, message) of every reason `text` is not a valid NIP."""
    with pytest.raises(InvalidNip) as caught:
        parse_nip(text)
    return [(reason.code, str(reason)) for reason in caught.value.reasons]


def test_parses_every_part():
    nip = parse_nip(VALID)
    assert nip == Nip(
        raw=VALID,
        birth_date=date(1986, 9, 26),
        cpns_start=date(2015, 5, 1),
        gender="M",
        serial=1,
    )
    assert nip.formatted == "19860926 201505 1 001"
    assert str(nip) == VALID


def test_accepts_the_grouped_form_and_surrounding_whitespace():
    assert parse_nip(" 19860926 201505 2 017\n").raw == "198609262015052017"
    assert parse_nip("19860926 201505 2 017").gender == "F"
    assert parse_nip("19860926 201505 2 017").serial == 17


def test_too_short():
    assert reasons_of("19860926 201505 1 01") == [
        ("nip.length", "The NIP must have 18 digits; it has 17 characters.")
    ]


def test_too_long():
    assert reasons_of("1986092620150510011") == [
        ("nip.length", "The NIP must have 18 digits; it has 19 characters.")
    ]


def test_empty():
    assert reasons_of("") == [("nip.length", "The NIP must have 18 digits; it has 0 characters.")]


def test_letters():
    assert reasons_of("19860926201505100A") == [
        (
            "nip.not_digits",
            "The NIP may contain only digits and spaces; it contains 'A'.",
        )
    ]


def test_dots_and_dashes_are_not_accepted_and_length_is_also_reported():
    assert reasons_of("19860926.201505-1-001") == [
        (
            "nip.not_digits",
            "The NIP may contain only digits and spaces; it contains '-', '.'.",
        ),
        ("nip.length", "The NIP must have 18 digits; it has 21 characters."),
    ]


def test_non_ascii_digits_are_rejected():
    arabic_indic_one = "\u0661"
    codes = [code for code, _ in reasons_of(VALID[:-1] + arabic_indic_one)]
    assert codes == ["nip.not_digits"]


@pytest.mark.parametrize("birth", ["19861326", "19860230", "19860900", "00000101"])
def test_birth_date_not_a_real_date(birth):
    assert reasons_of(birth + "2015051001") == [
        (
            "nip.birth_date",
            f"Digits 1-8 ({birth}) are not a valid birth date (YYYYMMDD).",
        )
    ]


def test_leap_day_birth_is_valid():
    assert parse_nip("19880229 201003 2 001").birth_date == date(1988, 2, 29)


@pytest.mark.parametrize("month", ["201500", "201513"])
def test_cpns_month_invalid(month):
    assert reasons_of("19860926" + month + "1001") == [
        (
            "nip.cpns_month",
            f"Digits 9-14 ({month}) are not a valid CPNS start month (YYYYMM).",
        )
    ]


def test_cpns_start_before_birth():
    assert reasons_of("19860926 198501 1 001") == [
        (
            "nip.cpns_before_birth",
            "The CPNS start 1985-01 is not after the birth date 1986-09-26.",
        )
    ]


def test_cpns_start_in_the_birth_month_is_not_after_birth():
    codes = [code for code, _ in reasons_of("19860926 198609 1 001")]
    assert codes == ["nip.cpns_before_birth"]


def test_cpns_start_younger_than_18():
    assert reasons_of("19860926 200401 1 001") == [
        (
            "nip.cpns_too_young",
            "At the CPNS start 2004-01 the person would be 17 years old; the minimum is 18.",
        )
    ]


def test_cpns_start_at_exactly_18_is_valid():
    # Born 1 Oct 1986: 18 on 1 Oct 2004, the first day of the TMT month.
    assert parse_nip("19861001 200410 1 001").cpns_start == date(2004, 10, 1)


def test_minimum_cpns_age_is_a_parameter():
    assert parse_nip("19860926 200401 1 001", min_cpns_age=17).serial == 1
    with pytest.raises(InvalidNip):
        parse_nip("19860926 201505 1 001", min_cpns_age=30)


@pytest.mark.parametrize("digit", ["0", "3", "9"])
def test_gender_digit(digit):
    assert reasons_of(f"19860926 201505 {digit} 001") == [
        ("nip.gender", f"Digit 15 ({digit}) must be 1 (male) or 2 (female).")
    ]


def test_serial_000():
    assert reasons_of("19860926 201505 1 000") == [
        (
            "nip.serial",
            "Digits 16-18 (000) are a serial number and cannot be 000.",
        )
    ]


def test_reports_every_independent_failure():
    codes = [code for code, _ in reasons_of("19861326 201513 3 000")]
    assert codes == ["nip.birth_date", "nip.cpns_month", "nip.gender", "nip.serial"]


def test_exception_message_joins_the_reasons():
    with pytest.raises(InvalidNip, match=r"Digit 15 \(3\).*cannot be 000") as caught:
        parse_nip("19860926 201505 3 000")
    assert caught.value.text == "19860926 201505 3 000"
    assert isinstance(caught.value, ValueError)


def test_validate_nip_returns_reasons_instead_of_raising():
    assert validate_nip(VALID) == []
    assert [reason.code for reason in validate_nip("19860926 201505 3 001")] == ["nip.gender"]


@pytest.mark.parametrize(
    ("birth", "ref", "age"),
    [
        (date(1962, 8, 31), date(2018, 8, 31), 56),  # birthday on the reference date
        (date(1962, 9, 1), date(2018, 8, 31), 55),  # the day before the birthday
        (date(1961, 8, 31), date(2018, 8, 31), 57),
        (date(1986, 9, 26), date(1986, 9, 26), 0),
        # Born on 29 February: the birthday counts as reached on 1 March.
        (date(1960, 2, 29), date(2016, 2, 28), 55),
        (date(1960, 2, 29), date(2016, 2, 29), 56),
        (date(1960, 2, 29), date(2017, 2, 28), 56),
        (date(1960, 2, 29), date(2018, 2, 28), 57),
        (date(1961, 2, 28), date(2017, 2, 28), 56),
        (date(1962, 3, 1), date(2018, 2, 28), 55),
        (date(1962, 3, 1), date(2018, 3, 1), 56),
    ],
)
def test_age_on(birth, ref, age):
    assert age_on(birth, ref) == age


def test_age_on_rejects_a_reference_before_birth():
    with pytest.raises(ValueError, match="before birth date"):
        age_on(date(1986, 9, 26), date(1986, 9, 25))
