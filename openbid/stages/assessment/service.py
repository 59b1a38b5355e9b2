"""Competency assessment: results per eligible candidate, by form or assessment-centre CSV.

What is entered per application: the assessment centre's score (0-100) and category, its date
and centre, the paper (makalah) score, the track-record (rekam jejak) score, and the health
and psychological tests (fit or unfit). Every value is validated before anything is written;
each save is audited with the values before and after. An assessment result stays valid for
``assessment_validity_years`` (2, Peraturan BKN 26/2019), so an earlier result may be reused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from openbid import audit, clock, storage
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    AssessmentResult,
    CandidateProfile,
    Position,
    Role,
    Selection,
    SelectionState,
    StoredFile,
    User,
)
from openbid.rules.nip import InvalidNip, parse_nip
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.rules.scoring import AssessmentCategory, AssessmentThresholds, assessment_category
from openbid.stages.common.reference import reference_date
from openbid.workflow import FireResult, Forbidden, definition_of, fire
from openbid.workflow.engine import StaleState, access_reasons

ASSESSMENT_STAGE = SelectionState.COMPETENCY_ASSESSMENT
EDIT_ROLES = (Role.SECRETARIAT, Role.COMMITTEE)

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

# The CSV's columns: the canonical (Indonesian) header, then the English names also accepted.
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("nip",),
    "name": ("nama", "name"),
    "assessment_score": ("nilai_asesmen", "assessment_score"),
    "assessment_category": ("kategori_asesmen", "assessment_category"),
    "assessed_on": ("tanggal_asesmen", "assessment_date", "assessed_on"),
    "assessment_centre": ("lembaga_asesmen", "assessment_centre", "assessment_center"),
    "paper_score": ("nilai_makalah", "paper_score"),
    "track_record_score": ("nilai_rekam_jejak", "track_record_score"),
    "health_fit": ("kesehatan", "health"),
    "psych_fit": ("psikologi", "psychological", "psych"),
}
# Columns an assessment centre's sheet often carries and that mean nothing to the import.
IGNORED_COLUMNS = frozenset({"no", "nomor", "jabatan", "post", "keterangan", "notes"})
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
TEMPLATE_HEADER = [aliases[0] for aliases in COLUMNS.values()]

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


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_score(name: str, value: object) -> tuple[Decimal | None, Reason | None]:
    """Parse a 0-100 score with a decimal comma or point, at most 2 decimals."""
    if _blank(value):
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
    if _blank(value):
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
    if _blank(value):
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
    if _blank(value):
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
    if _blank(value):
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


@dataclass(frozen=True)
class AssessmentRules:
    """What the selection allows: thresholds, validity and the date results are measured at."""

    thresholds: AssessmentThresholds
    validity_years: int
    reference: date  # the selection's reference date (registration close by default)
    today: date

    @property
    def oldest(self) -> date:
        """Return the earliest assessment date still valid for this selection."""
        return _years_before(self.reference, self.validity_years)


def assessment_rules(selection: Selection) -> AssessmentRules:
    """Return the selection's assessment thresholds and validity rules."""
    params = definition_of(selection).params(selection.parameters)
    raw = params.get("assessment_thresholds") or {}
    defaults = AssessmentThresholds()
    thresholds = AssessmentThresholds(
        meets=Decimal(str(raw.get("meets", defaults.meets))),
        still_meets=Decimal(str(raw.get("still_meets", defaults.still_meets))),
    )
    return AssessmentRules(
        thresholds=thresholds,
        validity_years=int(params.get("assessment_validity_years", 2)),
        reference=reference_date(selection, params),
        today=clock.today_jakarta(),
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def date_problem(assessed_on: date, rules: AssessmentRules) -> Reason | None:
    """Return why an assessment date cannot be used: in the future, or expired."""
    if assessed_on > rules.today:
        return Reason(
            "assessment.date_future",
            N_("The assessment date %(date)s is in the future."),
            {"date": assessed_on},
        )
    oldest = rules.oldest
    if assessed_on < oldest:
        return Reason(
            "assessment.expired",
            N_(
                "The assessment of %(date)s has expired: results stay valid %(years)d years,"
                " so this selection accepts results from %(oldest)s on."
            ),
            {"date": assessed_on, "years": rules.validity_years, "oldest": oldest},
        )
    return None


def parse_fields(
    values: Mapping[str, object], rules: AssessmentRules
) -> tuple[dict[str, Any], list[Reason]]:
    """Parse and check the given fields; return the typed values and every problem."""
    parsed: dict[str, Any] = {}
    problems: list[Reason] = []
    for name, value in values.items():
        typed, problem = parse_value(name, value)
        if problem is not None:
            problems.append(problem)
            continue
        if name == "assessed_on" and typed is not None:
            problem = date_problem(typed, rules)
            if problem is not None:
                problems.append(problem)
                continue
        parsed[name] = typed
    return parsed, problems


# --- Who may enter results, and when ----------------------------------------------------------


def _check_actor(selection: Selection, actor: User) -> None:
    """Refuse an actor who may not enter results for this selection.

    :raises Forbidden: for another role, another agency, or a committee member not seated.
    """
    if actor.role not in EDIT_ROLES:
        raise Forbidden(
            Reason(
                "assessment.role",
                N_("Only the secretariat and the committee enter assessment results."),
            )
        )
    denied = access_reasons(actor, selection, selection, db.session)
    if denied:
        raise Forbidden(denied)


def _check_stage(selection: Selection) -> None:
    if selection.state != ASSESSMENT_STAGE:
        raise ValidationFailed(
            Reason(
                "assessment.closed",
                N_("Assessment results can be entered only during the competency assessment."),
            )
        )


def state_term(selection: Selection, state: str) -> Term:
    """Return an application state's label as a term that translates in messages."""
    return Term(definition_of(selection).machine("application").state_label(state))


def _check_eligible(application: Application) -> None:
    if application.state != ApplicationState.ELIGIBLE:
        raise ValidationFailed(
            Reason(
                "assessment.not_eligible",
                N_(
                    "%(name)s is not a candidate in the competency assessment (the"
                    " application is %(state)s)."
                ),
                {
                    "name": application.candidate.name,
                    "state": state_term(application.position.selection, application.state),
                },
            )
        )


# --- Saving ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _current(result: AssessmentResult | None) -> dict[str, Any]:
    if result is None:
        return dict.fromkeys(FIELDS)
    return {name: getattr(result, name) for name in FIELDS}


def _apply(
    application: Application,
    result: AssessmentResult | None,
    values: Mapping[str, Any],
    actor: User,
    rules: AssessmentRules,
    source: str,
) -> tuple[AssessmentResult | None, dict[str, Any], dict[str, Any]]:
    """Set the values on the application's result; return it and the changed before/after."""
    values = dict(values)
    before = _current(result)
    final = {**before, **values}
    if final["assessment_score"] is not None and final["assessment_category"] in (None, ""):
        # A score without a category: suggest the category its thresholds give.
        values["assessment_category"] = assessment_category(
            final["assessment_score"], rules.thresholds
        )
    if isinstance(values.get("assessment_category"), AssessmentCategory):
        values["assessment_category"] = values["assessment_category"].value
    if "assessment_centre" in values and values["assessment_centre"] is None:
        values["assessment_centre"] = ""
    changed = {
        name: value
        for name, value in values.items()
        if before[name] != value and not (before[name] in (None, "") and value in (None, ""))
    }
    if not changed:
        return result, {}, {}
    if result is None:
        result = AssessmentResult(application_id=application.id, updated_by_id=actor.id)
        db.session.add(result)
    for name, value in changed.items():
        setattr(result, name, value)
    result.updated_by_id = actor.id
    result.updated_at = clock.now()
    result.source = source[:200]
    return (
        result,
        {name: _jsonable(before[name]) for name in changed},
        {name: _jsonable(value) for name, value in changed.items()},
    )


def _reused(after: Mapping[str, Any], selection: Selection) -> bool:
    """Return whether a newly entered assessment date predates the selection (a reuse)."""
    day = after.get("assessed_on")
    return bool(day) and date.fromisoformat(day) < selection.start_date


def _flush() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Two people created the same candidate's first result at once; one must reload.
        db.session.rollback()
        raise StaleState(
            Reason(
                "conflict.stale",
                N_("Someone else changed this record a moment ago; reload and try again."),
            )
        ) from None


def save_result(
    application: Application,
    actor: User,
    *,
    commit: bool = True,
    **fields: object,
) -> AssessmentResult | None:
    """Enter or change some of an eligible candidate's assessment results.

    Only the given fields change; a blank or None value clears one. Values may be typed
    (Decimal, date, bool, AssessmentCategory) or text as typed in a form ("78,5", "MS",
    "10-12-2018"). A score without a category gets the category its thresholds suggest.
    Returns the result row (None when nothing was ever entered and nothing is given).

    :raises TypeError: for an unknown field name.
    :raises Forbidden: when the actor may not enter results for this selection.
    :raises ValidationFailed: outside the competency assessment, for a candidate who is not
        eligible, or for any bad value (every problem listed; nothing is written).
    """
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise TypeError(f"unknown assessment fields: {', '.join(unknown)}")
    selection = application.position.selection
    _check_actor(selection, actor)
    _check_stage(selection)
    _check_eligible(application)
    rules = assessment_rules(selection)
    values, problems = parse_fields(fields, rules)
    if problems:
        raise ValidationFailed(problems)
    result = db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
    )
    result, before, after = _apply(application, result, values, actor, rules, "form")
    if not after:
        return result
    _flush()
    audit.append(
        db.session,
        event="assessment_result_saved",
        actor=actor,
        subject_type="application",
        subject_id=application.id,
        selection_id=selection.id,
        payload={
            "candidate": application.candidate.name,
            "position": application.position.name,
            "source": "form",
            "reused_result": _reused(after, selection),
            "before": before,
            "after": after,
        },
    )
    if commit:
        db.session.commit()
    return result


def eliminate(
    application: Application,
    actor: User,
    reason: str,
    *,
    expected_version: int | None = None,
    commit: bool = True,
) -> FireResult:
    """Eliminate a candidate from the selection (e.g. absent from the assessment), with reason.

    :raises ValidationFailed: when no reason is written.
    :raises GuardFailed: outside the competency assessment and the interview.
    :raises Forbidden: when the actor may not act on this selection.
    :raises Conflict: when the application is not eligible (any more).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            Reason(
                "assessment.eliminate_reason",
                N_("Write the reason the candidate is eliminated; the candidate will read it."),
            )
        )
    return fire(
        application,
        ApplicationEvent.ELIMINATE,
        actor,
        {"reason": reason[:4000]},
        expected_version=expected_version,
        commit=commit,
    )


# --- The page's rows --------------------------------------------------------------------------


@dataclass
class AssessedCandidate:
    """One candidate of the competency assessment with their results so far."""

    application: Application
    nip: str  # as the profile gives it
    result: AssessmentResult | None

    @property
    def nip_formatted(self) -> str:
        """Return the NIP grouped as ``19860926 201505 1 001`` when it is valid."""
        try:
            return parse_nip(self.nip).formatted
        except InvalidNip:
            return self.nip


def candidates(
    selection: Selection, states: Sequence[str] = (ApplicationState.ELIGIBLE,)
) -> list[AssessedCandidate]:
    """Return the selection's applications in the given states with their results.

    A fixed number of queries, whatever the number of candidates.
    """
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(Position.selection_id == selection.id, Application.state.in_(states))
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.submitted_at, Application.id)
        )
    )
    if not applications:
        return []
    ids = [a.id for a in applications]
    results = {
        r.application_id: r
        for r in db.session.scalars(
            sa.select(AssessmentResult).where(AssessmentResult.application_id.in_(ids))
        )
    }
    without_snapshot = [a.candidate_id for a in applications if not a.profile_snapshot]
    profile_nips: dict[int, str] = {}
    if without_snapshot:
        profile_nips = dict(
            db.session.execute(
                sa.select(CandidateProfile.user_id, CandidateProfile.nip).where(
                    CandidateProfile.user_id.in_(without_snapshot)
                )
            ).all()
        )
    return [
        AssessedCandidate(
            application=a,
            nip=str(
                (a.profile_snapshot or {}).get("nip") or profile_nips.get(a.candidate_id) or ""
            ),
            result=results.get(a.id),
        )
        for a in applications
    ]


def missing_components(result: AssessmentResult | None, params: Mapping[str, Any]) -> list[str]:
    """Return the fields still missing before a candidate can go on to the interview.

    The assessment score, category and date, paper and track-record scores are needed for
    each component the selection weighs; health and psychological results always.
    """
    weights = params.get("weights") or {}
    needed: list[str] = []
    if Decimal(str(weights.get("assessment", 0))) > 0:
        needed += ["assessment_score", "assessment_category", "assessed_on"]
    if Decimal(str(weights.get("paper", 0))) > 0:
        needed.append("paper_score")
    if Decimal(str(weights.get("track_record", 0))) > 0:
        needed.append("track_record_score")
    # Fitness decides who may go on to the interview (see eliminate_unfit), so it is
    # needed from everyone before the stage closes.
    needed += ["health_fit", "psych_fit"]
    return [name for name in needed if result is None or getattr(result, name) in (None, "")]


# --- CSV import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineProblem:
    """What is wrong on one line of an imported file (line None: the file as a whole)."""

    line: int | None
    reason: Reason


class ImportFailed(ValidationFailed):
    """The CSV has problems; nothing was imported. ``problems`` lists each with its line."""

    def __init__(self, problems: list[LineProblem]) -> None:
        self.problems = problems
        super().__init__([p.reason for p in problems])

    @property
    def lines(self) -> list[int]:
        """Return the numbers of the lines with problems, in order, once each."""
        return sorted({p.line for p in self.problems if p.line is not None})


@dataclass
class ImportReport:
    """What an import did."""

    rows: int  # data rows read
    changed: int  # applications whose results changed
    file: StoredFile | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _delimiter(text: str) -> str:
    """Return ';' or ',' (or a tab): whichever separates the header line more often."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-/]+", "_", cell.strip().strip("\ufeff").lower())


def _nip_key(value: str) -> tuple[str | None, Reason | None]:
    text = value.strip().strip("'").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    if re.match(r"^\d+([.,]\d+)?[eE]\+?\d+$", text):
        return None, Reason(
            "assessment_import.nip_scientific",
            N_(
                "The NIP %(value)s was turned into a number by the spreadsheet; format the NIP"
                " column as text and export the file again."
            ),
            {"value": text},
        )
    digits = re.sub(r"[\s.]", "", text)
    if not digits:
        return None, Reason("assessment_import.nip_missing", N_("The NIP is empty."))
    if not digits.isdigit() or len(digits) != 18:
        return None, Reason(
            "assessment_import.nip_shape",
            N_("%(value)s is not an NIP: an NIP has 18 digits."),
            {"value": text},
        )
    return digits, None


def _nip_index(selection: Selection) -> dict[str, list[Application]]:
    """Return every live application of the selection by its candidate's NIP."""
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(Position.selection_id == selection.id, Application.submitted_at.is_not(None))
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Application.id)
        )
    )
    without_snapshot = [a.candidate_id for a in applications if not a.profile_snapshot]
    profile_nips: dict[int, str] = {}
    if without_snapshot:
        profile_nips = dict(
            db.session.execute(
                sa.select(CandidateProfile.user_id, CandidateProfile.nip).where(
                    CandidateProfile.user_id.in_(without_snapshot)
                )
            ).all()
        )
    index: dict[str, list[Application]] = defaultdict(list)
    for a in applications:
        raw = (a.profile_snapshot or {}).get("nip") or profile_nips.get(a.candidate_id) or ""
        key = re.sub(r"\s", "", str(raw))
        if key:
            index[key].append(a)
    return index


def _parse_header(row: list[str]) -> tuple[dict[int, str], list[LineProblem]]:
    columns: dict[int, str] = {}
    problems = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(row):
        key = _header_key(cell)
        if not key or key in IGNORED_COLUMNS:
            continue
        name = _ALIASES.get(key)
        if name is None:
            problems.append(
                LineProblem(
                    1,
                    Reason(
                        "assessment_import.unknown_column",
                        N_(
                            "The header has an unknown column %(column)s; the columns are"
                            " %(columns)s."
                        ),
                        {"column": cell.strip(), "columns": ", ".join(TEMPLATE_HEADER)},
                    ),
                )
            )
            continue
        if name in seen:
            problems.append(
                LineProblem(
                    1,
                    Reason(
                        "assessment_import.duplicate_column",
                        N_("The header has the column %(column)s twice."),
                        {"column": cell.strip()},
                    ),
                )
            )
            continue
        seen[name] = position
        columns[position] = name
    if "nip" not in seen:
        problems.append(
            LineProblem(
                1,
                Reason(
                    "assessment_import.no_nip_column",
                    N_("The header has no nip column; rows are matched to candidates by NIP."),
                ),
            )
        )
    elif not problems and set(seen) <= {"nip", "name"}:
        problems.append(
            LineProblem(
                1,
                Reason(
                    "assessment_import.no_value_columns",
                    N_("The header has no result column; see the format below."),
                ),
            )
        )
    return columns, problems


def import_csv(selection: Selection, actor: User, file_bytes: bytes, filename: str) -> ImportReport:
    """Import assessment results from an assessment centre's CSV, all rows or none.

    The file: UTF-8 (with or without BOM), separated by commas or semicolons, a header row
    naming the columns (see ``COLUMNS``), one row per candidate matched by NIP to an
    eligible application of this selection. Empty cells leave a value unchanged. Any bad
    row rejects the whole file and every problem is listed with its line number.

    :raises Forbidden: when the actor may not enter results for this selection.
    :raises ValidationFailed: outside the competency assessment.
    :raises ImportFailed: listing every problem; nothing is written.
    """
    _check_actor(selection, actor)
    _check_stage(selection)
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    if not file_bytes:
        raise ImportFailed(
            [LineProblem(None, Reason("assessment_import.empty", N_("The file is empty.")))]
        )
    if len(file_bytes) > limit:
        raise ImportFailed(
            [
                LineProblem(
                    None,
                    Reason(
                        "assessment_import.too_large",
                        N_("The file is larger than %(limit)s MB."),
                        {"limit": f"{limit / (1024 * 1024):g}"},
                    ),
                )
            ]
        )
    text = _decode(file_bytes)
    if text is None:
        raise ImportFailed(
            [
                LineProblem(
                    None,
                    Reason(
                        "assessment_import.encoding",
                        N_(
                            'The file is not UTF-8 text; in the spreadsheet save it as "CSV UTF-8".'
                        ),
                    ),
                )
            ]
        )
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise ImportFailed(
                [LineProblem(None, Reason("assessment_import.empty", N_("The file is empty.")))]
            )
        header_line = reader.line_num
        columns, problems = _parse_header(header)
        if problems:
            raise ImportFailed([LineProblem(header_line, p.reason) for p in problems])
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise ImportFailed(
            [
                LineProblem(
                    reader.line_num,
                    Reason(
                        "assessment_import.csv",
                        N_("The file cannot be read as CSV: %(error)s."),
                        {"error": str(error)},
                    ),
                )
            ]
        ) from None

    rules = assessment_rules(selection)
    index = _nip_index(selection)
    problems: list[LineProblem] = []
    first_line_of: dict[str, int] = {}
    planned: list[tuple[Application, dict[str, Any]]] = []
    data_rows = 0
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        data_rows += 1
        if len(row) > len(header):
            if delimiter == ",":
                reason = Reason(
                    "assessment_import.too_many_values",
                    N_(
                        "The line has %(count)d values but the header has %(columns)d; in a"
                        ' file separated by commas, a decimal comma needs quotes ("78,5")'
                        " or the file can be separated by semicolons."
                    ),
                    {"count": len(row), "columns": len(header)},
                )
            else:
                reason = Reason(
                    "assessment_import.too_many_values",
                    N_("The line has %(count)d values but the header has %(columns)d."),
                    {"count": len(row), "columns": len(header)},
                )
            problems.append(LineProblem(line, reason))
            continue
        cells = {name: (row[pos] if pos < len(row) else "") for pos, name in columns.items()}
        nip, problem = _nip_key(cells.pop("nip"))
        cells.pop("name", None)  # for the reader only: rows are matched by NIP
        if problem is not None:
            problems.append(LineProblem(line, problem))
        matches: list[Application] = []
        if nip is not None:
            if nip in first_line_of:
                problems.append(
                    LineProblem(
                        line,
                        Reason(
                            "assessment_import.duplicate_nip",
                            N_("The NIP %(nip)s was already on line %(first)d."),
                            {"nip": nip, "first": first_line_of[nip]},
                        ),
                    )
                )
            else:
                first_line_of[nip] = line
            found = index.get(nip, [])
            matches = [a for a in found if a.state == ApplicationState.ELIGIBLE]
            if not found:
                problems.append(
                    LineProblem(
                        line,
                        Reason(
                            "assessment_import.unknown_nip",
                            N_("No applicant of this selection has the NIP %(nip)s."),
                            {"nip": nip},
                        ),
                    )
                )
            elif not matches:
                problems.append(
                    LineProblem(
                        line,
                        Reason(
                            "assessment_import.not_eligible",
                            N_(
                                "%(name)s (NIP %(nip)s) is not a candidate in the competency"
                                " assessment: the application is %(state)s."
                            ),
                            {
                                "name": found[0].candidate.name,
                                "nip": nip,
                                "state": state_term(selection, found[0].state),
                            },
                        ),
                    )
                )
        given = {name: value for name, value in cells.items() if not _blank(value)}
        values, value_problems = parse_fields(given, rules)
        problems.extend(LineProblem(line, p) for p in value_problems)
        for application in matches:
            planned.append((application, values))
    if not data_rows and not problems:
        problems.append(
            LineProblem(
                None,
                Reason("assessment_import.no_rows", N_("The file has a header but no rows.")),
            )
        )
    if problems:
        raise ImportFailed(problems)

    existing = {
        r.application_id: r
        for r in db.session.scalars(
            sa.select(AssessmentResult).where(
                AssessmentResult.application_id.in_([a.id for a, _ in planned])
            )
        )
    }
    source = f"import:{filename}"[:200]
    changes = []
    for application, values in planned:
        result, before, after = _apply(
            application, existing.get(application.id), values, actor, rules, source
        )
        if after:
            existing[application.id] = result
            changes.append(
                {
                    "application_id": application.id,
                    "candidate": application.candidate.name,
                    "reused_result": _reused(after, selection),
                    "before": before,
                    "after": after,
                }
            )
    stored = storage.store(db.session, file_bytes, "text/csv")
    _flush()
    audit.append(
        db.session,
        event="assessment_results_imported",
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={
            "filename": filename,
            "sha256": hashlib.sha256(file_bytes).hexdigest(),
            "rows": data_rows,
            "changes": changes,
        },
    )
    db.session.commit()
    return ImportReport(rows=data_rows, changed=len(changes), file=stored, changes=changes)


def template_csv(selection: Selection) -> bytes:
    """Return a CSV to fill in: the header and one row per eligible candidate (NIP, name).

    Semicolon-separated UTF-8 with a BOM, so a spreadsheet set to Indonesian opens it in
    columns; the NIP is written grouped (``19690512 199403 1 004``) so it stays text.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    for item in candidates(selection):
        writer.writerow(
            [item.nip_formatted, item.application.candidate.name] + [""] * (len(COLUMNS) - 2)
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def category_label(code: str | None) -> str:
    """Return a category's Indonesian name with its abbreviation, or "" for none."""
    if not code:
        return ""
    try:
        return CATEGORY_LABELS[AssessmentCategory(code)]
    except ValueError:
        return code
