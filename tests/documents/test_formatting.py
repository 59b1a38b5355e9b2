"""Indonesian formatting filters: dates, numbers in words, NIPs, scores."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_datetime

from openbid import i18n
from openbid.documents.formatting import (
    format_wib,
    hari_tanggal,
    jam,
    nilai,
    nip,
    pangkat,
    persen,
    romawi,
    tanggal,
    tanggal_jam,
    tanggal_terbilang,
    terbilang,
    urut_abjad,
)

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@pytest.mark.parametrize("month", range(1, 13))
def test_tanggal_names_every_month_in_indonesian(month: int) -> None:
    assert tanggal(date(2018, month, 5)) == f"5 {MONTHS[month - 1]} 2018"


def test_tanggal_accepts_datetimes_and_iso_strings() -> None:
    assert tanggal(datetime(2018, 11, 14, 23, 59)) == "14 November 2018"
    assert tanggal("2018-11-14") == "14 November 2018"
    assert tanggal(None) == ""


def test_aware_moments_fall_on_their_wib_date() -> None:
    # 20.00 UTC on the 13th is 03.00 WIB on the 14th.
    assert tanggal(datetime(2018, 11, 13, 20, 0, tzinfo=timezone.utc)) == "14 November 2018"
    assert hari_tanggal("2018-11-13T20:00:00+00:00") == "Rabu, 14 November 2018"


def test_hari_tanggal_names_the_weekday() -> None:
    assert hari_tanggal(date(2018, 11, 14)) == "Rabu, 14 November 2018"
    days = [hari_tanggal(date(2018, 11, 12) + timedelta(days=i)).split(",")[0] for i in range(7)]
    assert days == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def test_times_are_written_in_wib() -> None:
    assert jam(datetime(2018, 12, 3, 16, 0)) == "16.00 WIB"
    assert jam(datetime(2018, 12, 3, 9, 0, 0, tzinfo=timezone.utc)) == "16.00 WIB"
    assert jam(datetime(2018, 12, 3, 9, 5, 7), detik=True) == "09.05.07 WIB"
    assert tanggal_jam(datetime(2018, 12, 3, 16, 0)) == "3 Desember 2018 pukul 16.00 WIB"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (56, "lima puluh enam"),
        (100, "seratus"),
        (115, "seratus lima belas"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (2018, "dua ribu delapan belas"),
        (21_000, "dua puluh satu ribu"),
        (1_250_000, "satu juta dua ratus lima puluh ribu"),
        (-3, "minus tiga"),
    ],
)
def test_terbilang(number: int, words: str) -> None:
    assert terbilang(number) == words


def test_tanggal_terbilang_opens_minutes() -> None:
    assert tanggal_terbilang(date(2018, 12, 12)) == (
        "Rabu tanggal dua belas bulan Desember tahun dua ribu delapan belas (12-12-2018)"
    )


def test_nip_is_grouped_by_its_parts() -> None:
    assert nip("198609262015051001") == "19860926 201505 1 001"
    assert nip("19860926 201505 1 001") == "19860926 201505 1 001"


@pytest.mark.parametrize("value", ["12345", "19860926201505100X", ""])
def test_nip_leaves_anything_else_alone(value: str) -> None:
    assert nip(value) == value


def test_scores_use_a_decimal_comma_rounded_half_up() -> None:
    assert nilai(78.455) == "78,46"
    assert nilai(80) == "80,00"
    assert nilai(None) == "-"
    assert persen(35) == "35%"
    assert persen(12.5) == "12,5%"
    assert persen(100) == "100%"


def test_roman_months() -> None:
    assert [romawi(m) for m in (1, 4, 9, 11, 12)] == ["I", "IV", "IX", "XI", "XII"]
    with pytest.raises(ValueError, match="Roman"):
        romawi(0)


def test_alphabetical_order_ignores_leading_titles() -> None:
    people = [{"name": "Dr. Hj. Siti Nurjanah"}, {"name": "dr. Agus Salim"}, {"name": "Nurhayati"}]
    assert [p["name"] for p in urut_abjad(people)] == [
        "dr. Agus Salim",
        "Nurhayati",
        "Dr. Hj. Siti Nurjanah",
    ]


def test_rank_group_stays_on_one_line() -> None:
    assert pangkat("Pembina Utama Muda (IV/c)") == (
        'Pembina Utama Muda <span class="nowrap">(IV/c)</span>'
    )
    assert pangkat("<b>Pembina</b>") == "&lt;b&gt;Pembina&lt;/b&gt;"


def test_every_document_date_and_time_comes_from_format_wib() -> None:
    moment = datetime(2019, 1, 14, 2, 0, tzinfo=timezone.utc)  # 09.00 WIB
    assert format_wib(moment, "d MMMM yyyy") == tanggal(moment) == "14 Januari 2019"
    assert format_wib(moment, "HH.mm 'WIB'") == jam(moment) == "09.00 WIB"
    assert format_wib(date(2019, 1, 14), "EEEE") == "Senin"
    assert format_wib(None, "d MMMM yyyy") == format_wib("", "HH.mm") == ""


@pytest.mark.parametrize(
    ("locale", "moment", "day", "seconds"),
    [
        ("id", "4 Desember 2018 pukul 23.59 WIB", "4 Desember 2018", "4 Des 2018 23.59.07 WIB"),
        ("en", "4 December 2018, 23:59 WIB", "4 December 2018", "4 Dec 2018 23.59.07 WIB"),
    ],
)
def test_page_filters_write_wib_in_the_interface_language(
    app, locale: str, moment: str, day: str, seconds: str
) -> None:
    closes = datetime(2018, 12, 4, 16, 59, 7, tzinfo=timezone.utc)  # 23.59.07 WIB
    template = "{{ at|wib }}|{{ at|long_date }}|{{ on|long_date }}|{{ at|wib_datetime }}"
    with app.test_request_context(), force_locale(locale):
        page = render_template_string(template, at=closes, on=date(2018, 12, 4))
        assert page == f"{moment}|{day}|{day}|{seconds}"
        assert (i18n.wib(closes), i18n.long_date(closes), i18n.wib_datetime(closes)) == (
            moment,
            day,
            seconds,
        )
    assert i18n.wib(None) == i18n.long_date(None) == i18n.wib_datetime(None) == ""


@pytest.mark.parametrize("locale", ["id", "en"])
def test_wib_datetime_writes_what_flask_babel_writes(app, locale: str) -> None:
    """The hand-made formatter matches Babel's pattern for every month, naive and aware."""
    moments = [
        datetime(2018 + n % 9, 1 + n % 12, 1 + n % 28, n % 24, (7 * n) % 60, (13 * n) % 60)
        for n in range(120)
    ]
    moments += [m.replace(tzinfo=timezone.utc) for m in moments[:24]]
    moments += [datetime(2024, 12, 31, 17, 0, 0, tzinfo=timezone.utc)]  # a new year in WIB
    moments += [datetime(2025, 3, 1, 1, 2, 3, tzinfo=timezone(timedelta(hours=9)))]
    with app.test_request_context(), force_locale(locale):
        for moment in moments:
            expected = format_datetime(moment, "d MMM yyyy HH.mm.ss 'WIB'")
            assert i18n.wib_datetime(moment) == expected
