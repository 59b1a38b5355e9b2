"""The selection's schedule: the stages it announces, with their dates and places."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openbid import audit
from openbid.extensions import db
from openbid.i18n import short_date
from openbid.models import Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.planning.draft import clean_text, lock_draft

MAX_SCHEDULE_ROWS = 30
# Stage names as announcements print them; offered as suggestions for the schedule.
SCHEDULE_SUGGESTIONS = (
    "Pengumuman dan pendaftaran",
    "Seleksi administrasi",
    "Pengumuman hasil seleksi administrasi",
    "Penelusuran rekam jejak",
    "Penilaian kompetensi (assessment center)",
    "Penulisan dan presentasi makalah",
    "Wawancara akhir",
    "Tes kesehatan dan kejiwaan",
    "Pengumuman hasil akhir (tiga besar)",
)


# A time of day as a browser's time input sends it (09:00) or as Indonesians write it (09.00).
TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})")


@dataclass(frozen=True)
class ScheduleInput:
    """A row of the schedule as entered; ends_on None means a one-day stage.

    ``time`` is the time of day the stage starts, in WIB, as typed ("" when none is given).
    """

    stage: str
    starts_on: date | None
    ends_on: date | None = None
    place: str = ""
    time: str = ""


def time_of_day(text: str) -> str | None:
    """Return a typed time of day as ``HH:MM`` ("" when empty), or None when it is not one."""
    text = clean_text(text)
    if not text:
        return ""
    match = TIME_RE.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def check_schedule(selection: Selection, rows: Sequence[ScheduleInput]) -> list[Reason]:
    """Return what is wrong with schedule rows: names, dates, and their order."""
    reasons = []
    if len(rows) > MAX_SCHEDULE_ROWS:
        reasons.append(
            Reason(
                "schedule.too_many",
                N_("The schedule has %(count)d rows; at most %(limit)d are allowed."),
                {"count": len(rows), "limit": MAX_SCHEDULE_ROWS},
            )
        )
    previous: tuple[int, date] | None = None
    for number, row in enumerate(rows, start=1):
        reasons += _text_reasons(number, row)
        if row.starts_on is None:
            reasons.append(
                Reason("schedule.start", N_("Row %(row)d: enter the start date."), {"row": number})
            )
            continue
        reasons += _date_reasons(selection, number, row, previous)
        previous = (number, row.starts_on)
    return reasons


def _text_reasons(number: int, row: ScheduleInput) -> list[Reason]:
    """Return what is wrong with a row's stage, time and place."""
    reasons = []
    stage = clean_text(row.stage)
    if not stage:
        reasons.append(
            Reason("schedule.stage", N_("Row %(row)d: enter the stage."), {"row": number})
        )
    elif len(stage) > 200:
        reasons.append(
            Reason(
                "schedule.stage_long",
                N_("Row %(row)d: the stage is longer than 200 characters."),
                {"row": number},
            )
        )
    if time_of_day(row.time) is None:
        reasons.append(
            Reason(
                "schedule.time",
                N_("Row %(row)d: “%(time)s” is not a time of day; write it as 09.00 (WIB)."),
                {"row": number, "time": clean_text(row.time)[:20]},
            )
        )
    if len(clean_text(row.place)) > 200:
        reasons.append(
            Reason(
                "schedule.place_long",
                N_("Row %(row)d: the place is longer than 200 characters."),
                {"row": number},
            )
        )
    return reasons


def _date_reasons(
    selection: Selection, number: int, row: ScheduleInput, previous: tuple[int, date] | None
) -> list[Reason]:
    """Return what is wrong with a dated row: its end, its start, its place in the order."""
    reasons = []
    start = short_date(row.starts_on)
    if row.ends_on is not None and row.ends_on < row.starts_on:
        reasons.append(
            Reason(
                "schedule.end_before_start",
                N_("Row %(row)d ends on %(end)s, before it starts on %(start)s."),
                {"row": number, "start": start, "end": short_date(row.ends_on)},
            )
        )
    if row.starts_on < selection.start_date:
        reasons.append(
            Reason(
                "schedule.before_selection",
                N_(
                    "Row %(row)d starts on %(start)s, before the selection's start date"
                    " %(selection_start)s."
                ),
                {
                    "row": number,
                    "start": start,
                    "selection_start": short_date(selection.start_date),
                },
            )
        )
    if previous is not None and row.starts_on < previous[1]:
        reasons.append(
            Reason(
                "schedule.order",
                N_(
                    "Row %(row)d starts on %(start)s, before row %(previous)d"
                    " (%(previous_start)s); list the stages in date order."
                ),
                {
                    "row": number,
                    "start": start,
                    "previous": previous[0],
                    "previous_start": short_date(previous[1]),
                },
            )
        )
    return reasons


def save_schedule(selection: Selection, actor: User, rows: Sequence[ScheduleInput]) -> None:
    """Replace the schedule of a draft selection with rows (in date order).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a row without stage or start date, an end
        before its start, or rows out of date order.
    """
    selection = lock_draft(selection, actor)
    reasons = check_schedule(selection, rows)
    if reasons:
        raise ValidationFailed(reasons)
    schedule = [
        {
            "stage": clean_text(row.stage),
            "starts_on": row.starts_on.isoformat(),
            "ends_on": (row.ends_on or row.starts_on).isoformat(),
            **({"time": time_of_day(row.time)} if time_of_day(row.time) else {}),
            **({"place": clean_text(row.place)} if clean_text(row.place) else {}),
        }
        for row in rows
    ]
    before = list(selection.schedule or [])
    if schedule == before:
        return
    selection.schedule = schedule
    audit.append(
        db.session,
        event="schedule_updated",
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={"before": before, "after": schedule},
    )
    db.session.commit()
