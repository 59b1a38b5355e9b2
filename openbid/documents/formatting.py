"""Indonesian formatting used by document templates: dates, numbers in words, NIPs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_datetime
from markupsafe import Markup, escape

from openbid.clock import JAKARTA

# Western Indonesian Time; naive datetimes in contexts are read as WIB.
WIB = timezone(timedelta(hours=7), "WIB")

# Documents are Indonesian whatever the reader's interface language, and are rendered
# outside any request, so neither Flask-Babel's locale nor its timezone applies.
DOCUMENT_LOCALE = "id"

_UNITS = (
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)
# Titles written before a name (gelar depan, haji), skipped when sorting by name.
_LEADING_TITLE = re.compile(r"(?:(?:prof|dr|drg|drh|drs|dra|ir|h|hj|kh|apt|ns)\.\s*)+", re.I)

_RANK_GROUP = re.compile(r"(\([IV]+/[a-e]\))")

_SCALES = (
    (10**12, "triliun"),
    (10**9, "miliar"),
    (10**6, "juta"),
    (1000, "ribu"),
)


def as_wib(value: date | datetime | str) -> datetime:
    """Return an aware datetime; naive values (and dates, at midnight) are taken to be WIB."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=WIB)
    return value


def format_wib(value: date | datetime | str | None, pattern: str) -> str:
    """Format a date or moment in Indonesian, as WIB wall-clock time, with a Babel pattern.

    The one formatter behind every document date and time: aware moments (the database
    stores UTC) fall on their WIB date and hour; naive ones are already WIB.
    """
    if value is None or value == "":
        return ""
    return format_datetime(as_wib(value), pattern, tzinfo=JAKARTA, locale=DOCUMENT_LOCALE)


def tanggal(value: date | datetime | str | None) -> str:
    """Format a date the Indonesian long way: ``14 November 2018``."""
    return format_wib(value, "d MMMM yyyy")


def hari_tanggal(value: date | datetime | str | None) -> str:
    """Format a date with its weekday: ``Rabu, 14 November 2018``."""
    return format_wib(value, "EEEE, d MMMM yyyy")


def tanggal_terbilang(value: date | datetime | str) -> str:
    """Spell a date as minutes open: ``Rabu tanggal dua belas bulan Desember tahun ...``."""
    day = as_wib(value).astimezone(JAKARTA).date()
    return (
        f"{format_wib(day, 'EEEE')} tanggal {terbilang(day.day)} bulan {format_wib(day, 'MMMM')} "
        f"tahun {terbilang(day.year)} ({format_wib(day, 'dd-MM-yyyy')})"
    )


def jam(value: datetime | str | None, detik: bool = False) -> str:
    """Format a time of day as announcements do, ``09.00 WIB``; ``detik`` adds seconds."""
    return format_wib(value, "HH.mm.ss 'WIB'" if detik else "HH.mm 'WIB'")


def tanggal_jam(value: datetime | str | None) -> str:
    """Format a moment with date and time: ``14 November 2018 pukul 09.00 WIB``."""
    return format_wib(value, "d MMMM yyyy 'pukul' HH.mm 'WIB'")


def terbilang(number: int) -> str:
    """Spell a whole number in Indonesian words: 125 → ``seratus dua puluh lima``."""
    number = int(number)
    if number < 0:
        return f"minus {terbilang(-number)}"
    if number == 0:
        return "nol"
    return " ".join(_words(number))


def _words(number: int) -> list[str]:
    """Words of a number from 1 upwards; 0 gives no words."""
    if number < 12:
        return [_UNITS[number]] if number else []
    if number < 20:
        return [*_words(number - 10), "belas"]
    if number < 100:
        return [*_words(number // 10), "puluh", *_words(number % 10)]
    if number < 200:
        return ["seratus", *_words(number - 100)]
    if number < 1000:
        return [*_words(number // 100), "ratus", *_words(number % 100)]
    if number < 2000:
        return ["seribu", *_words(number - 1000)]
    for scale, word in _SCALES:
        if number >= scale:
            return [*_words(number // scale), word, *_words(number % scale)]
    raise AssertionError("unreachable")  # pragma: no cover


def nip(value: str | int | None) -> str:
    """Group an 18-digit NIP as ``19860926 201505 1 001``; other values pass through."""
    if value is None:
        return ""
    digits = "".join(str(value).split())
    if len(digits) != 18 or not digits.isdigit():
        return str(value)
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def pangkat(rank: str) -> Markup:
    """Keep a rank's group, ``(IV/c)``, on one line: ``Pembina Utama Muda (IV/c)``."""
    parts = _RANK_GROUP.split(rank)  # odd items are the captured groups
    nowrap = Markup('<span class="nowrap">{}</span>')
    return Markup("").join(
        nowrap.format(part) if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def nilai(value: float | Decimal | int | str | None, places: int = 2) -> str:
    """Format a score with a decimal comma, half up: 78.456 → ``78,46``."""
    if value is None or value == "":
        return "-"
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:f}".replace(".", ",")


def persen(value: float | Decimal | int | str) -> str:
    """Format a percentage with a decimal comma: 35 → ``35%``, 12.5 → ``12,5%``."""
    number = Decimal(str(value)).normalize()
    return f"{number:f}".replace(".", ",") + "%"


def romawi(number: int) -> str:
    """Write 1–3999 in Roman numerals, as used for months in document numbers."""
    if not 1 <= number <= 3999:
        raise ValueError(f"cannot write {number} in Roman numerals")
    numerals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = []
    for amount, letters in numerals:
        count, number = divmod(number, amount)
        out.append(letters * count)
    return "".join(out)


def name_key(name: str) -> str:
    """Sort key of a person's name, ignoring leading titles: ``Dr. Hj. Siti`` → ``siti``."""
    return _LEADING_TITLE.sub("", name.strip(), count=1).casefold()


def urut_abjad(
    people: Iterable[Mapping[str, Any]], attribute: str = "name"
) -> list[Mapping[str, Any]]:
    """Sort people alphabetically by name as published lists do, titles ignored."""
    return sorted(people, key=lambda person: name_key(person[attribute]))


FILTERS = {
    "tanggal": tanggal,
    "hari_tanggal": hari_tanggal,
    "jam": jam,
    "tanggal_jam": tanggal_jam,
    "terbilang": terbilang,
    "tanggal_terbilang": tanggal_terbilang,
    "nip": nip,
    "pangkat": pangkat,
    "nilai": nilai,
    "persen": persen,
    "romawi": romawi,
    "urut_abjad": urut_abjad,
}
