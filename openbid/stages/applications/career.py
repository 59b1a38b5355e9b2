"""The candidate's career in the profile: position history, performance ratings, admin years.

The position history counts towards the years as Administrator or functional Ahli Madya the
eligibility rules need; the ratings are the last ``RATING_YEARS`` years' performance ratings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from openbid import clock
from openbid.rules.eligibility import PERFORMANCE_RATINGS
from openbid.rules.reasons import N_, Reason
from openbid.stages.applications.form_fields import ProfileErrors

HISTORY_LEVELS: dict[str, str] = {
    "administrator": N_("Administrator"),
    "ahli_madya": N_("Functional Ahli Madya"),
    "other": N_("Other"),
}
COUNTING_LEVELS = frozenset({"administrator", "ahli_madya"})
MAX_HISTORY_ROWS = 20
RATING_YEARS = 2


def admin_years(history: Sequence[Mapping[str, Any]], today: date) -> float:
    """Return the years as Administrator or Ahli Madya, overlaps counted once, rounded down.

    Rounded down to a tenth of a year so 1.96 years never shows as the 2.0 the rules need.
    """
    spans = []
    for row in history:
        if row.get("level") not in COUNTING_LEVELS or not row.get("start"):
            continue
        start = date.fromisoformat(str(row["start"]))
        end = date.fromisoformat(str(row["end"])) if row.get("end") else today
        if end > start:
            spans.append((start, end))
    spans.sort()
    days, current_start, current_end = 0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_end is not None:
                days += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        days += (current_end - current_start).days
    return math.floor(days / 365.25 * 10) / 10


def _row_date(
    raw_value: object, name: str, number: int, errors: ProfileErrors, *, required: bool
) -> date | None:
    text = str(raw_value or "").strip()
    if not text:
        if required:
            errors.add(
                name,
                Reason(
                    "profile.history_start",
                    N_("Position history, row %(row)d: enter the date the position started."),
                    {"row": number},
                ),
            )
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.add(
            name,
            Reason(
                "profile.history_date",
                N_(
                    "Position history, row %(row)d: %(value)s is not a date; use the form "
                    "YYYY-MM-DD."
                ),
                {"row": number, "value": text[:20]},
            ),
        )
        return None
    if value > clock.today_jakarta():
        errors.add(
            name,
            Reason(
                "profile.history_future",
                N_("Position history, row %(row)d: %(value)s is in the future."),
                {"row": number, "value": value.isoformat()},
            ),
        )
        return None
    return value


def parse_history(rows: Sequence[Mapping[str, Any]], errors: ProfileErrors) -> list[dict[str, Any]]:
    """Return the filled rows of the position history, cleaned; record each row's problems."""
    filled = [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if any(str(row.get(k) or "").strip() for k in ("position", "start", "end"))
    ]
    if len(filled) > MAX_HISTORY_ROWS:
        errors.add(
            "history",
            Reason(
                "profile.history_rows",
                N_("List at most %(limit)d positions."),
                {"limit": MAX_HISTORY_ROWS},
            ),
        )
        return []
    return [_history_row(number, row, errors) for number, row in filled]


def _history_row(number: int, row: Mapping[str, Any], errors: ProfileErrors) -> dict[str, Any]:
    name = f"history.{number}"
    position = " ".join(str(row.get("position") or "").split())[:200]
    if not position:
        errors.add(
            name,
            Reason(
                "profile.history_position",
                N_("Position history, row %(row)d: enter the position's name."),
                {"row": number},
            ),
        )
    level = str(row.get("level") or "")
    if level not in HISTORY_LEVELS:
        errors.add(
            name,
            Reason(
                "profile.history_level",
                N_(
                    "Position history, row %(row)d: choose Administrator, functional Ahli "
                    "Madya or other."
                ),
                {"row": number},
            ),
        )
    start = _row_date(row.get("start"), name, number, errors, required=True)
    end = _row_date(row.get("end"), name, number, errors, required=False)
    if start and end and end < start:
        errors.add(
            name,
            Reason(
                "profile.history_order",
                N_("Position history, row %(row)d: the end %(end)s is before the start %(start)s."),
                {"row": number, "end": end.isoformat(), "start": start.isoformat()},
            ),
        )
    return {
        "position": position,
        "level": level,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }


def parse_ratings(rows: Sequence[Mapping[str, Any]], errors: ProfileErrors) -> list[dict[str, Any]]:
    """Return the last years' performance ratings, newest first; record each row's problems."""
    today = clock.today_jakarta()
    kept: list[dict[str, Any]] = []
    for number, row in enumerate(rows[:RATING_YEARS], start=1):
        name = f"ratings.{number}"
        year_text, rating = str(row.get("year") or "").strip(), str(row.get("rating") or "")
        try:
            year = int(year_text)
        except ValueError:
            year = None
        if year is None or not today.year - 6 <= year <= today.year:
            errors.add(
                name,
                Reason(
                    "profile.rating_year",
                    N_("Performance rating %(row)d: enter a year between %(first)d and %(last)d."),
                    {"row": number, "first": today.year - 6, "last": today.year},
                ),
            )
        if rating not in PERFORMANCE_RATINGS:
            errors.add(
                name,
                Reason(
                    "profile.rating",
                    N_("Performance rating %(row)d: choose the rating from the list."),
                    {"row": number},
                ),
            )
        if year is not None and rating in PERFORMANCE_RATINGS:
            kept.append({"year": year, "rating": rating})
    if len(rows) < RATING_YEARS:
        errors.add(
            "ratings",
            Reason(
                "profile.rating_count",
                N_("Give the performance ratings of the last %(years)d years."),
                {"years": RATING_YEARS},
            ),
        )
    years = [item["year"] for item in kept]
    if len(set(years)) != len(years):
        errors.add(
            "ratings",
            Reason("profile.rating_twice", N_("Give each year's performance rating only once.")),
        )
    return sorted(kept, key=lambda item: item["year"], reverse=True)
