"""Document numbers from agency patterns."""

from __future__ import annotations

import pytest

from openbid.documents.numbering import format_number, placeholders, validate_pattern

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures


def test_real_agency_patterns() -> None:
    assert (
        format_number("821.2/KPTS.{seq}/BKPSDM.3/{year}", seq=94, year=2020, month=3)
        == "821.2/KPTS.94/BKPSDM.3/2020"
    )
    assert format_number("800/{seq:02d}-Pansel/{year}", seq=4, year=2021, month=2) == (
        "800/04-Pansel/2021"
    )
    assert format_number("800.1.3.3/{seq:03d}/BKPSDMD.B.TU/{year}", seq=48, year=2024, month=5) == (
        "800.1.3.3/048/BKPSDMD.B.TU/2024"
    )


def test_month_kind_and_extra_placeholders() -> None:
    number = format_number(
        "{kind}/{seq}/{unit}/{roman_month}/{month:02d}/{year}",
        seq=7,
        year=2018,
        month=11,
        kind_code="KPTS",
        extra={"unit": "BKPSDM"},
    )
    assert number == "KPTS/7/BKPSDM/XI/11/2018"


def test_literal_braces_are_doubled() -> None:
    assert format_number("{{A}}-{seq}/{year}", seq=1, year=2018, month=1) == "{A}-1/2018"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("800/{seq}/{foo}/{year}", r"unknown placeholder \{foo\}"),
        ("800/{seq}/Pansel", r"must contain \{year\}"),
        ("800/Pansel/{year}", r"must contain \{seq\}"),
        ("800/{seq}/{year", "malformed"),
        ("800/{seq}}/{year}", "malformed"),
        ("{}/{seq}/{year}", "empty placeholder"),
        ("{seq.real}/{year}", r"unknown placeholder \{seq.real\}"),
        ("{seq!r}/{year}", "conversions are not supported"),
        ("{seq:x}/{year}", "only a width"),
        ("{seq}/{year}/{roman_month:>3}", "takes no format"),
    ],
)
def test_invalid_patterns_are_rejected_with_the_reason(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_pattern(pattern)


def test_extra_placeholders_must_be_declared() -> None:
    validate_pattern("{seq}/{unit}/{year}", extra=["unit"])
    with pytest.raises(ValueError, match=r"unknown placeholder \{unit\}"):
        format_number("{seq}/{unit}/{year}", seq=1, year=2018, month=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seq": 0, "year": 2018, "month": 1}, "sequence number"),
        ({"seq": 1, "year": 2018, "month": 13}, "month"),
        ({"seq": 1, "year": 18, "month": 1}, "four digits"),
    ],
)
def test_values_out_of_range(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        format_number("{seq}/{year}", **kwargs)


def test_kind_needs_a_code_and_extras_cannot_shadow_builtins() -> None:
    with pytest.raises(ValueError, match="kind_code"):
        format_number("{kind}/{seq}/{year}", seq=1, year=2018, month=1)
    with pytest.raises(ValueError, match="may not replace seq"):
        format_number("{seq}/{year}", seq=1, year=2018, month=1, extra={"seq": 5})


def test_placeholders_in_order() -> None:
    assert placeholders("800/{seq:02d}-{kind}/{year}") == ["seq", "kind", "year"]
