"""NIP (Nomor Induk Pegawai), the 18-digit civil-servant number of Perka BKN 22/2007.

Layout: `YYYYMMDD` birth date, `YYYYMM` start of CPNS service (TMT CPNS), one gender
digit (1 male, 2 female), and a 3-digit serial separating people who share the first 15
digits.
Example: `19860926 201505 1 001`.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from openbid.rules.reasons import N_, Reason

NIP_LENGTH = 18
DEFAULT_MIN_CPNS_AGE = 18

Gender = Literal["M", "F"]
_GENDERS: dict[str, Gender] = {"1": "M", "2": "F"}


class InvalidNip(ValueError):
    """The text is not a valid NIP; `reasons` names every wrong part."""

    def __init__(self, text: str, reasons: list[Reason]) -> None:
        super().__init__("; ".join(str(reason) for reason in reasons))
        self.text = text
        self.reasons = reasons


@dataclass(frozen=True)
class Nip:
    """A parsed, valid NIP."""

    raw: str
    birth_date: date
    cpns_start: date  # first day of the TMT CPNS month; the NIP carries no day
    gender: Gender
    serial: int

    @property
    def formatted(self) -> str:
        """Return the NIP in its usual grouped form, e.g. `19860926 201505 1 001`."""
        raw = self.raw
        return f"{raw[:8]} {raw[8:14]} {raw[14]} {raw[15:]}"

    def __str__(self) -> str:
        """Return the 18 digits without spaces."""
        return self.raw


def age_on(birth_date: date, ref_date: date) -> int:
    """Return the age in whole years on `ref_date`.

    A 29 February birthday counts as reached on 1 March in non-leap years.

    :raises ValueError: if `ref_date` is before `birth_date`.
    """
    if ref_date < birth_date:
        raise ValueError(f"reference date {ref_date} is before birth date {birth_date}")
    had_birthday = (ref_date.month, ref_date.day) >= (birth_date.month, birth_date.day)
    return ref_date.year - birth_date.year - (0 if had_birthday else 1)


def validate_nip(text: str, *, min_cpns_age: int = DEFAULT_MIN_CPNS_AGE) -> list[Reason]:
    """Return the reasons `text` is not a valid NIP; empty when it is valid."""
    try:
        parse_nip(text, min_cpns_age=min_cpns_age)
    except InvalidNip as error:
        return error.reasons
    return []


def parse_nip(text: str, *, min_cpns_age: int = DEFAULT_MIN_CPNS_AGE) -> Nip:
    """Parse an 18-digit NIP; spaces and surrounding whitespace are ignored.

    :raises InvalidNip: listing every wrong part, not only the first.
    """
    digits = text.strip().replace(" ", "")
    shape = _check_shape(digits)
    if shape:
        # Without 18 digits the parts cannot be located, so nothing further is checked.
        raise InvalidNip(text, shape)

    birth_part, cpns_part = digits[:8], digits[8:14]
    gender_digit, serial_part = digits[14], digits[15:]
    birth_date = _parse_date(birth_part)
    cpns_start = _parse_date(cpns_part + "01")
    reasons = [
        *_check_dates(birth_part, birth_date, cpns_part, cpns_start, min_cpns_age),
        *_check_gender(gender_digit),
        *_check_serial(serial_part),
    ]
    # The None tests are implied by `reasons` and only narrow the types.
    if reasons or birth_date is None or cpns_start is None:
        raise InvalidNip(text, reasons)
    return Nip(
        raw=digits,
        birth_date=birth_date,
        cpns_start=cpns_start,
        gender=_GENDERS[gender_digit],
        serial=int(serial_part),
    )


def _check_shape(digits: str) -> list[Reason]:
    """Return reasons when the text is not exactly 18 digits."""
    reasons: list[Reason] = []
    others = sorted({char for char in digits if not char.isdecimal() or not char.isascii()})
    if others:
        reasons.append(
            Reason(
                "nip.not_digits",
                N_("The NIP may contain only digits and spaces; it contains %(chars)s."),
                {"chars": ", ".join(repr(char) for char in others)},
            )
        )
    if len(digits) != NIP_LENGTH:
        reasons.append(
            Reason(
                "nip.length",
                N_("The NIP must have %(expected)d digits; it has %(length)d characters."),
                {"expected": NIP_LENGTH, "length": len(digits)},
            )
        )
    return reasons


def _check_dates(
    birth_part: str,
    birth_date: date | None,
    cpns_part: str,
    cpns_start: date | None,
    min_cpns_age: int,
) -> list[Reason]:
    """Return reasons when digits 1-8 are no birth date, 9-14 no CPNS month, or they disagree."""
    reasons: list[Reason] = []
    if birth_date is None:
        reasons.append(
            Reason(
                "nip.birth_date",
                N_("Digits 1-8 (%(part)s) are not a valid birth date (YYYYMMDD)."),
                {"part": birth_part},
            )
        )
    if cpns_start is None:
        reasons.append(
            Reason(
                "nip.cpns_month",
                N_("Digits 9-14 (%(part)s) are not a valid CPNS start month (YYYYMM)."),
                {"part": cpns_part},
            )
        )
    if birth_date is not None and cpns_start is not None:
        reasons.extend(_check_cpns_after_birth(birth_date, cpns_start, min_cpns_age))
    return reasons


def _check_gender(digit: str) -> list[Reason]:
    """Return a reason when digit 15 is neither 1 (male) nor 2 (female)."""
    if digit in _GENDERS:
        return []
    return [
        Reason(
            "nip.gender",
            N_("Digit 15 (%(digit)s) must be 1 (male) or 2 (female)."),
            {"digit": digit},
        )
    ]


def _check_serial(part: str) -> list[Reason]:
    """Return a reason when digits 16-18, the serial number, are 000."""
    if part != "000":
        return []
    return [
        Reason(
            "nip.serial",
            N_("Digits 16-18 (%(part)s) are a serial number and cannot be 000."),
            {"part": part},
        )
    ]


def _check_cpns_after_birth(birth_date: date, cpns_start: date, min_age: int) -> list[Reason]:
    """Return a reason when CPNS service starts before birth or below the minimum."""
    params = {"cpns_start": cpns_start.strftime("%Y-%m"), "birth_date": birth_date}
    # The NIP gives only the CPNS month: starting in the birth month also counts as "not
    # after birth", which keeps age_on's reference date from preceding the birth date.
    if (cpns_start.year, cpns_start.month) <= (birth_date.year, birth_date.month):
        return [
            Reason(
                "nip.cpns_before_birth",
                N_("The CPNS start %(cpns_start)s is not after the birth date %(birth_date)s."),
                params,
            )
        ]
    age = age_on(birth_date, cpns_start)
    if age < min_age:
        return [
            Reason(
                "nip.cpns_too_young",
                N_(
                    "At the CPNS start %(cpns_start)s the person would be %(age)d years"
                    " old; the minimum is %(min_age)d."
                ),
                {**params, "age": age, "min_age": min_age},
            )
        ]
    return []


def _parse_date(yyyymmdd: str) -> date | None:
    """Return the date for `YYYYMMDD`, or None when it is not a real calendar date."""
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
