"""One value of an assessment result: the fields, their names, and how each is read.

A value comes typed (Decimal, date, bool, AssessmentCategory) or as text typed in a form or
a spreadsheet ("78,5", "MS", "10 Desember 2018"); each parser returns the typed value or the
reason it cannot be read. A blank value reads as None.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from openbid.rules.reasons import N_, Reason, Term
from openbid.rules.scoring import AssessmentCategory

FIELDS = (
    "assessment_score",
    "assessment_category",
    "assessed_on",
    "assessment_centre",
    "paper_score",
    "track_record_score",
    "health_fit",
    "psych_fit",
)
SCORE_FIELDS = ("assessment_score", "paper_score", "track_record_score")

FIELD_LABELS: dict[str, Term] = {
    "assessment_score": Term(N_("assessment-centre score")),
    "assessment_category": Term(N_("assessment category")),
    "assessed_on": Term(N_("assessment date")),
    "assessment_centre": Term(N_("assessment centre")),
    "paper_score": Term(N_("paper score")),
    "track_record_score": Term(N_("track-record score")),
    "health_fit": Term(N_("health test result")),
    "psych_fit": Term(N_("psychological test result")),
}

CATEGORY_ABBREVIATIONS: dict[AssessmentCategory, str] = {
    AssessmentCategory.MEETS: "MS",
    AssessmentCategory.STILL_MEETS: "MMS",
    AssessmentCategory.BELOW: "KMS",
}
CATEGORY_LABELS: dict[AssessmentCategory, str] = {
    AssessmentCategory.MEETS: "Memenuhi Syarat (MS)",
    AssessmentCategory.STILL_MEETS: "Masih Memenuhi Syarat (MMS)",
    AssessmentCategory.BELOW: "Kurang Memenuhi Syarat (KMS)",
}

_FIT = {
    "ms": True,
    "memenuhi syarat": True,
    "fit": True,
    "ya": True,
    "yes": True,
    "sehat": True,
    "layak": True,
    "tms": False,
    "tidak memenuhi syarat": False,
    "unfit": False,
    "not fit": False,
    "tidak": False,
    "no": False,
    "tidak sehat": False,
    "tidak layak": False,
}
_CATEGORIES = {
    "ms": AssessmentCategory.MEETS,
    "memenuhi syarat": AssessmentCategory.MEETS,
    "meets": AssessmentCategory.MEETS,
    "mms": AssessmentCategory.STILL_MEETS,
    "masih memenuhi syarat": AssessmentCategory.STILL_MEETS,
    "still meets": AssessmentCategory.STILL_MEETS,
    "kms": AssessmentCategory.BELOW,
    "kurang memenuhi syarat": AssessmentCategory.BELOW,
    "below": AssessmentCategory.BELOW,
    **{c.value.replace("_", " "): c for c in AssessmentCategory},
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb", "pebruari"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "aug", "agt"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nopember", "nov"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_WORD_DATE = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$")


# --- Parsing one value ----------------------------------------------------------------------


def blank(value: object) -> bool:
    """Return whether a value is missing: None, or text with nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_score(name: str, value: object) -> tuple[Decimal | None, Reason | None]:
    """Parse a 0-100 score with a decimal comma or point, at most 2 decimals."""
    if blank(value):
        return None, None
    text = str(value).strip()
    label = FIELD_LABELS[name]
    if isinstance(value, bool) or not _NUMBER.match(text):
        return None, Reason(
            "assessment.score_not_number",
            N_("The %(field)s must be a number from 0 to 100, such as 78,50; %(value)s is not."),
            {"field": label, "value": text},
        )
    number = Decimal(text.replace(",", "."))
    if not Decimal(0) <= number <= Decimal(100):
        return None, Reason(
            "assessment.score_range",
            N_("The %(field)s %(value)s is outside 0 to 100."),
            {"field": label, "value": text},
        )
    if number.as_tuple().exponent < -2:
        return None, Reason(
            "assessment.score_decimals",
            N_("The %(field)s %(value)s has more than two decimals."),
            {"field": label, "value": text},
        )
    return number.quantize(Decimal("0.01")), None


def parse_category(value: object) -> tuple[AssessmentCategory | None, Reason | None]:
    """Parse an assessment category: its code, its Indonesian name, or MS / MMS / KMS."""
    if blank(value):
        return None, None
    if isinstance(value, AssessmentCategory):
        return value, None
    text = " ".join(str(value).replace("_", " ").split()).lower()
    text = re.sub(r"\s*\((ms|mms|kms)\)$", "", text)
    category = _CATEGORIES.get(text)
    if category is None:
        return None, Reason(
            "assessment.category",
            N_(
                "%(value)s is not an assessment category; use Memenuhi Syarat (MS), Masih"
                " Memenuhi Syarat (MMS) or Kurang Memenuhi Syarat (KMS)."
            ),
            {"value": str(value).strip()},
        )
    return category, None


def parse_date(value: object) -> tuple[date | None, Reason | None]:
    """Parse a date: 2018-12-10, 10-12-2018, 10/12/2018 or 10 Desember 2018."""
    if blank(value):
        return None, None
    if isinstance(value, date):
        return value, None
    text = str(value).strip()
    problem = Reason(
        "assessment.date",
        N_("%(value)s is not a date; write it as 2018-12-10 or 10-12-2018."),
        {"value": text},
    )
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            return date.fromisoformat(text), None
        match = _NUMERIC_DATE.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day), None
        match = _WORD_DATE.match(text)
        if match and match.group(2).lower() in _MONTHS:
            return date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match[1])), None
    except ValueError:
        return None, problem
    return None, problem


def parse_fit(name: str, value: object) -> tuple[bool | None, Reason | None]:
    """Parse a fitness result: MS/TMS, fit/unfit, ya/tidak, yes/no."""
    if blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    text = " ".join(str(value).replace("_", " ").split()).lower()
    if text in _FIT:
        return _FIT[text], None
    return None, Reason(
        "assessment.fit",
        N_(
            "The %(field)s %(value)s is not understood; write MS or TMS (also fit/unfit, ya/tidak)."
        ),
        {"field": FIELD_LABELS[name], "value": str(value).strip()},
    )


def parse_centre(value: object) -> tuple[str | None, Reason | None]:
    """Parse the assessment centre's name (up to 200 characters)."""
    if blank(value):
        return None, None
    text = " ".join(str(value).split())
    if len(text) > 200:
        return None, Reason(
            "assessment.centre_long",
            N_("The assessment centre's name is longer than 200 characters."),
        )
    return text, None


def parse_value(name: str, value: object) -> tuple[Any, Reason | None]:
    """Parse one field's value; blank gives None."""
    if name in SCORE_FIELDS:
        return parse_score(name, value)
    if name == "assessment_category":
        return parse_category(value)
    if name == "assessed_on":
        return parse_date(value)
    if name == "assessment_centre":
        return parse_centre(value)
    if name in ("health_fit", "psych_fit"):
        return parse_fit(name, value)
    raise TypeError(f"unknown assessment field {name!r}")


def category_label(code: str | None) -> str:
    """Return a category's Indonesian name with its abbreviation, or "" for none."""
    if not code:
        return ""
    try:
        return CATEGORY_LABELS[AssessmentCategory(code)]
    except ValueError:
        return code
