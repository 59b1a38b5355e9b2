"""The candidate's side: profile, open selections, applications, documents and the timeline.

Every write validates first and then runs in one transaction with its audit event; a state
change of an application goes through the workflow engine (``fire``). What a candidate may
see of the committee's work is decided here too: a result becomes visible when it is
published, i.e. when the stage's ``notify_candidates`` action has emailed it (the audit event
``candidates_notified`` follows it in the selection's chain), never while the committee is
still deciding.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from openbid import audit, clock, storage, uploads
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    AuditEvent,
    CandidateProfile,
    Position,
    Role,
    ScreeningVerdict,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.eligibility import (
    EDUCATION_LEVELS,
    PERFORMANCE_RATINGS,
    RANK_NAMES,
    REQUIRED_DOCUMENTS,
    SANCTION_LEVELS,
    DocumentType,
)
from openbid.rules.nip import InvalidNip, parse_nip
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.stages import planning as selection_service
from openbid.workflow import definition_of

# The selection state in which registration runs (both definitions name it so).
REGISTRATION_STATE = SelectionState.ANNOUNCEMENT
# Stages before the announcement are the agency's planning; candidates do not see them.
INTERNAL_STAGES = frozenset({SelectionState.DRAFT, SelectionState.APPROVAL})
# Application events the candidate causes: visible at once.
OWN_EVENTS = frozenset({"application_created", ApplicationEvent.SUBMIT, ApplicationEvent.WITHDRAW})
# Administrative closing (post dropped, selection cancelled): public at once.
IMMEDIATE_EVENTS = frozenset({ApplicationEvent.CLOSE})
NOTIFIED_EVENT = "candidates_notified"
LIVE_STATES_EXCLUDED = (ApplicationState.WITHDRAWN, ApplicationState.CLOSED)

HISTORY_LEVELS: dict[str, str] = {
    "administrator": N_("Administrator"),
    "ahli_madya": N_("Functional Ahli Madya"),
    "other": N_("Other"),
}
COUNTING_LEVELS = frozenset({"administrator", "ahli_madya"})
MAX_HISTORY_ROWS = 20
RATING_YEARS = 2


# --- profile ----------------------------------------------------------------------------

FIELD_LABELS: dict[str, str] = {
    "name": N_("Full name"),
    "nip": N_("NIP"),
    "birth_place": N_("Place of birth"),
    "phone": N_("Mobile phone"),
    "rank": N_("Rank (golongan)"),
    "education": N_("Education level"),
    "education_major": N_("Field of study"),
    "agency_name": N_("Agency"),
    "current_position": N_("Current position"),
    "current_position_since": N_("In the current position since"),
    "related_experience_years": N_("Years of experience related to the post"),
    "history": N_("Position history"),
    "ratings": N_("Performance ratings"),
    "sanction_level": N_("Disciplinary sanction"),
    "sanction_date": N_("Date of the sanction"),
}
REQUIRED_PROFILE_FIELDS = (
    "nip",
    "birth_place",
    "phone",
    "rank",
    "education",
    "agency_name",
    "current_position",
    "current_position_since",
)
_PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]+$")


@dataclass
class ProfileErrors:
    """Problems found in a profile form, by field name ("history.2", "ratings.1"...)."""

    by_field: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, reason: Reason) -> None:
        """Record a problem with one field."""
        self.by_field[name].append(reason)

    @property
    def reasons(self) -> list[Reason]:
        """Return every problem, in field order."""
        return [reason for reasons in self.by_field.values() for reason in reasons]


class ProfileInvalid(ValidationFailed):
    """The profile form has problems; ``by_field`` places each next to its field."""

    def __init__(self, errors: ProfileErrors) -> None:
        super().__init__(errors.reasons)
        self.by_field = dict(errors.by_field)


def _label(name: str) -> Term:
    return Term(FIELD_LABELS.get(name.split(".", 1)[0], name))


def _text(raw: Mapping[str, Any], name: str, errors: ProfileErrors, *, required: bool, limit: int):
    value = " ".join(str(raw.get(name) or "").split())
    if required and not value:
        errors.add(
            name, Reason("profile.required", N_("Enter %(field)s."), {"field": _label(name)})
        )
    elif len(value) > limit:
        errors.add(
            name,
            Reason(
                "profile.too_long",
                N_("%(field)s may have at most %(limit)d characters."),
                {"field": _label(name), "limit": limit},
            ),
        )
    return value[:limit]


def _date(raw_value: object, name: str, errors: ProfileErrors, *, required: bool) -> date | None:
    text = str(raw_value or "").strip()
    if not text:
        if required:
            errors.add(
                name, Reason("profile.required", N_("Enter %(field)s."), {"field": _label(name)})
            )
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.add(
            name,
            Reason(
                "profile.date",
                N_("%(field)s: %(value)s is not a date; use the form YYYY-MM-DD."),
                {"field": _label(name), "value": text[:20]},
            ),
        )
        return None
    if value > clock.today_jakarta():
        errors.add(
            name,
            Reason(
                "profile.future",
                N_("%(field)s cannot be in the future (%(value)s)."),
                {"field": _label(name), "value": value.isoformat()},
            ),
        )
        return None
    return value


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    return str(raw.get(name) or "").strip().lower() in {"1", "y", "yes", "true", "on"}


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


def _history(rows: Sequence[Mapping[str, Any]], errors: ProfileErrors) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
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
    for number, row in filled:
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
                    N_(
                        "Position history, row %(row)d: the end %(end)s is before the start "
                        "%(start)s."
                    ),
                    {"row": number, "end": end.isoformat(), "start": start.isoformat()},
                ),
            )
        kept.append(
            {
                "position": position,
                "level": level,
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
            }
        )
    return kept


def _ratings(rows: Sequence[Mapping[str, Any]], errors: ProfileErrors) -> list[dict[str, Any]]:
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


def parse_profile(user: User, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a profile form; return the values to store (birth date and gender from NIP).

    ``raw`` holds the form's text values plus ``history`` and ``ratings`` as lists of dicts.

    :raises ProfileInvalid: naming each wrong field (each wrong part of the NIP separately).
    """
    errors = ProfileErrors()
    values: dict[str, Any] = {}
    values["name"] = _text(raw, "name", errors, required=True, limit=200)
    nip_text = str(raw.get("nip") or "").strip()
    nip = None
    if not nip_text:
        errors.add(
            "nip", Reason("profile.required", N_("Enter %(field)s."), {"field": _label("nip")})
        )
    else:
        try:
            nip = parse_nip(nip_text)
        except InvalidNip as error:
            for reason in error.reasons:
                errors.add("nip", reason)
    if nip is not None:
        values.update(nip=nip.raw, birth_date=nip.birth_date, gender=nip.gender)
        taken = db.session.scalar(
            sa.select(CandidateProfile.id).where(
                CandidateProfile.nip == nip.raw, CandidateProfile.user_id != user.id
            )
        )
        if taken is not None:
            errors.add(
                "nip",
                Reason(
                    "profile.nip_taken",
                    N_(
                        "This NIP is already registered with another account. One person has "
                        "one account; if it is yours, reset that account's password."
                    ),
                ),
            )
    values["birth_place"] = _text(raw, "birth_place", errors, required=True, limit=120)
    values["phone"] = _text(raw, "phone", errors, required=True, limit=40)
    digits = sum(c.isdigit() for c in values["phone"])
    if values["phone"] and (not _PHONE_RE.match(values["phone"]) or not 8 <= digits <= 15):
        errors.add(
            "phone",
            Reason(
                "profile.phone",
                N_("Enter a phone number of 8 to 15 digits, e.g. 0812 3456 7890."),
            ),
        )
    rank = str(raw.get("rank") or "")
    if rank not in RANK_NAMES:
        errors.add("rank", Reason("profile.rank", N_("Choose your rank (golongan) from the list.")))
    values["rank"] = rank
    education = str(raw.get("education") or "")
    if education not in EDUCATION_LEVELS:
        errors.add(
            "education",
            Reason("profile.education", N_("Choose your education level from the list.")),
        )
    values["education"] = education
    values["education_major"] = _text(raw, "education_major", errors, required=False, limit=200)
    values["is_pns"] = _flag(raw, "is_pns")
    values["agency_name"] = _text(raw, "agency_name", errors, required=True, limit=200)
    values["current_position"] = _text(raw, "current_position", errors, required=True, limit=200)
    since = _date(
        raw.get("current_position_since"), "current_position_since", errors, required=True
    )
    if since and nip is not None and since < nip.cpns_start:
        errors.add(
            "current_position_since",
            Reason(
                "profile.since_before_cpns",
                N_(
                    "The current position cannot start before the CPNS start in the NIP "
                    "(%(start)s)."
                ),
                {"start": nip.cpns_start.strftime("%Y-%m")},
            ),
        )
    values["current_position_since"] = since
    years_text = str(raw.get("related_experience_years") or "").strip().replace(",", ".")
    try:
        years = float(years_text)
        if not math.isfinite(years) or not 0 <= years <= 50:
            raise ValueError
    except ValueError:
        errors.add(
            "related_experience_years",
            Reason(
                "profile.experience",
                N_("Enter the years of related experience as a number from 0 to 50, e.g. 7.5."),
            ),
        )
        years = 0.0
    values["related_experience_years"] = round(years, 1)
    values["position_history"] = _history(list(raw.get("history") or []), errors)
    values["performance_ratings"] = _ratings(list(raw.get("ratings") or []), errors)
    level = str(raw.get("sanction_level") or "none")
    if level != "none" and level not in SANCTION_LEVELS:
        errors.add(
            "sanction_level",
            Reason("profile.sanction", N_("Choose the disciplinary status from the list.")),
        )
    values["sanction_level"] = level
    values["sanction_date"] = None
    if level != "none":
        values["sanction_date"] = _date(
            raw.get("sanction_date"), "sanction_date", errors, required=True
        )
    values["under_disciplinary_examination"] = _flag(raw, "under_disciplinary_examination")
    values["lhkpn_lodged"] = _flag(raw, "lhkpn_lodged")
    values["own_ppk_approval"] = _flag(raw, "own_ppk_approval")
    if errors.by_field:
        raise ProfileInvalid(errors)
    values["admin_years"] = admin_years(values["position_history"], clock.today_jakarta())
    return values


_AUDITED_FIELDS = (
    "nip",
    "birth_date",
    "gender",
    "birth_place",
    "phone",
    "rank",
    "education",
    "education_major",
    "is_pns",
    "agency_name",
    "current_position",
    "current_position_since",
    "related_experience_years",
    "admin_years",
    "position_history",
    "performance_ratings",
    "sanction_level",
    "sanction_date",
    "under_disciplinary_examination",
    "lhkpn_lodged",
    "own_ppk_approval",
)


def get_profile(user: User) -> CandidateProfile | None:
    """Return the candidate's profile, if they have saved one."""
    return db.session.scalar(sa.select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def save_profile(user: User, raw: Mapping[str, Any]) -> CandidateProfile:
    """Validate and store the candidate's profile; audit what changed (system chain).

    :raises ProfileInvalid: naming each wrong field; nothing is written.
    :raises ValidationFailed: when the user is not a candidate.
    """
    if user.role != Role.CANDIDATE:
        raise ValidationFailed(
            Reason("profile.role", N_("Only candidates have a candidate profile."))
        )
    values = parse_profile(user, raw)
    profile = get_profile(user)
    created = profile is None
    if profile is None:
        profile = CandidateProfile(user_id=user.id)
        db.session.add(profile)
    changes: dict[str, Any] = {}
    if user.name != values["name"]:
        changes["name"] = {"from": user.name, "to": values["name"]}
        user.name = values["name"]
    for name in _AUDITED_FIELDS:
        old = None if created else getattr(profile, name)
        new = values[name]
        if old != new:
            changes[name] = {"from": old, "to": new}
            setattr(profile, name, new)
    db.session.flush()
    if changes:
        audit.append(
            db.session,
            event="candidate_profile_saved",
            actor=user,
            subject_type="candidate_profile",
            subject_id=profile.id,
            payload={"user_id": user.id, "created": created, "changes": changes},
        )
    db.session.commit()
    return profile


def missing_profile_fields(
    profile: CandidateProfile | None, rating_years: int = RATING_YEARS
) -> list[str]:
    """Return the English labels of the profile fields still missing for an application."""
    if profile is None:
        return [FIELD_LABELS[n] for n in (*REQUIRED_PROFILE_FIELDS, "ratings")]
    missing = [FIELD_LABELS[n] for n in REQUIRED_PROFILE_FIELDS if not getattr(profile, n)]
    if len(profile.performance_ratings or []) < rating_years:
        missing.append(FIELD_LABELS["ratings"])
    return missing


def profile_snapshot(profile: CandidateProfile, user: User) -> dict[str, Any]:
    """Return the profile as JSON, in the shape screening reads, with name and email added."""
    snapshot: dict[str, Any] = {"name": user.name, "email": user.email}
    for name in _AUDITED_FIELDS:
        value = getattr(profile, name)
        snapshot[name] = value.isoformat() if isinstance(value, date) else value
    snapshot["rank_name"] = RANK_NAMES.get(profile.rank, "")
    return snapshot


# --- open selections ------------------------------------------------------------------


def registration_open(selection: Selection, now: datetime | None = None) -> bool:
    """Return whether the selection takes applications at this moment (Asia/Jakarta clock)."""
    now = now or clock.now()
    return (
        selection.state == REGISTRATION_STATE
        and selection.registration_opens_at is not None
        and selection.registration_closes_at is not None
        and selection.registration_opens_at <= now < selection.registration_closes_at
    )


def required_documents(selection: Selection) -> list[DocumentType]:
    """Return the documents this selection asks for, in the definition's order."""
    params = definition_of(selection).params(selection.parameters)
    codes = (params.get("eligibility") or {}).get("required_documents") or list(REQUIRED_DOCUMENTS)
    return [REQUIRED_DOCUMENTS[code] for code in codes if code in REQUIRED_DOCUMENTS]


def eligibility_summary(selection: Selection) -> dict[str, Any]:
    """Return the selection's eligibility parameters (definition plus overrides) for display."""
    params = definition_of(selection).params(selection.parameters)
    return dict(params.get("eligibility") or {})


def one_post_only(selection: Selection) -> bool:
    """Return whether a candidate may apply to only one post of this selection."""
    return bool(eligibility_summary(selection).get("one_post_per_selection", True))


def open_selections() -> list[Selection]:
    """Return the selections whose registration is open now, across agencies, closing first."""
    now = clock.now()
    return list(
        db.session.scalars(
            sa.select(Selection)
            .where(
                Selection.state == REGISTRATION_STATE,
                Selection.registration_opens_at <= now,
                Selection.registration_closes_at > now,
            )
            .options(joinedload(Selection.agency), selectinload(Selection.positions))
            .order_by(Selection.registration_closes_at, Selection.id)
        )
    )


def other_applications(
    candidate_id: int, selection_id: int, *, exclude_id: int | None = None
) -> list[Application]:
    """Return the candidate's live (not withdrawn or closed) applications in a selection."""
    stmt = (
        sa.select(Application)
        .join(Position)
        .where(
            Position.selection_id == selection_id,
            Application.candidate_id == candidate_id,
            Application.state.not_in(LIVE_STATES_EXCLUDED),
        )
        .options(joinedload(Application.position))
    )
    if exclude_id is not None:
        stmt = stmt.where(Application.id != exclude_id)
    return list(db.session.scalars(stmt))


def one_post_reason(others: Iterable[Application]) -> Reason | None:
    """Return the refusal for a second post in a one-post selection, or None."""
    names = [a.position.name for a in others]
    if not names:
        return None
    return Reason(
        "application.one_post",
        N_(
            "You already applied to %(posts)s in this selection; each candidate may apply to "
            "one post only. Withdraw that application first if you want to change posts."
        ),
        {"posts": ", ".join(names)},
    )


def registration_reason(selection: Selection) -> Reason | None:
    """Return why the selection does not take applications now (with its WIB dates), or None."""
    from openbid.documents.formatting import tanggal_jam

    now = clock.now()
    if registration_open(selection, now):
        return None
    closes = selection.registration_closes_at
    if (
        selection.state == REGISTRATION_STATE
        and selection.registration_opens_at
        and (now < selection.registration_opens_at)
    ):
        return Reason(
            "registration.not_yet",
            N_("Registration opens on %(opens)s."),
            {"opens": tanggal_jam(selection.registration_opens_at)},
        )
    if closes is not None and now >= closes:
        return Reason(
            "registration.closed",
            N_("Registration closed on %(deadline)s; applications are no longer accepted."),
            {"deadline": tanggal_jam(closes)},
        )
    return Reason("registration.not_open", N_("This selection is not taking applications."))


def start_application(candidate: User, position: Position) -> Application:
    """Open a draft application to a post whose selection is taking applications.

    :raises ValidationFailed: registration not open, post dropped, already applied, or a
        second post where the definition allows one post per selection.
    """
    selection = position.selection
    reason = registration_reason(selection)
    if reason is not None:
        raise ValidationFailed(reason)
    if not position.is_open:
        raise ValidationFailed(
            Reason("application.post_dropped", N_("This post is no longer being filled."))
        )
    if one_post_only(selection):
        refusal = one_post_reason(other_applications(candidate.id, selection.id))
        if refusal is not None:
            raise ValidationFailed(refusal)
    application = selection_service.create_application(position, candidate, commit=False)
    db.session.commit()
    return application


# --- documents ------------------------------------------------------------------------


def current_documents(application: Application) -> dict[str, ApplicationDocument]:
    """Return the application's documents in force, by document type."""
    rows = db.session.scalars(
        sa.select(ApplicationDocument)
        .where(
            ApplicationDocument.application_id == application.id,
            ApplicationDocument.superseded_at.is_(None),
        )
        .options(joinedload(ApplicationDocument.file))
    )
    return {row.doc_type: row for row in rows}


def document_history(application: Application) -> list[ApplicationDocument]:
    """Return every document ever uploaded to the application, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApplicationDocument)
            .where(ApplicationDocument.application_id == application.id)
            .options(joinedload(ApplicationDocument.file))
            .order_by(ApplicationDocument.uploaded_at.desc(), ApplicationDocument.id.desc())
        )
    )


def missing_documents(application: Application) -> list[DocumentType]:
    """Return the required documents not uploaded yet."""
    present = current_documents(application)
    return [doc for doc in required_documents(application.selection) if doc.code not in present]


def _clean_name(filename: str) -> str:
    # Keep what the candidate called it, minus any folder a browser sent along.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(c for c in name if c.isprintable())[:255] or "document.pdf"


def upload_document(
    application: Application,
    candidate: User,
    doc_type: str,
    upload: FileStorage | None,
    max_bytes: int,
) -> ApplicationDocument:
    """Store a required document as PDF; a re-upload supersedes the earlier one.

    Checked by content (a PDF that opens, not encrypted, not empty, within the size limit).
    The file, the row and the audit events (``document_uploaded`` and, for a replacement,
    ``document_superseded``) are written in one transaction; on any problem nothing is.

    :raises ValidationFailed: not the candidate's, not a draft, unknown type, or a bad file.
    """
    if application.candidate_id != candidate.id:
        raise ValidationFailed(
            Reason("access.not_own", N_("You can act only on your own application."))
        )
    if application.state != ApplicationState.DRAFT:
        raise ValidationFailed(
            Reason(
                "document.locked",
                N_("Documents can be changed only before the application is submitted."),
            )
        )
    wanted = {doc.code: doc for doc in required_documents(application.selection)}
    if doc_type not in wanted:
        raise ValidationFailed(
            Reason("document.unknown", N_("This selection does not ask for that document."))
        )
    reason = registration_reason(application.selection)
    if reason is not None:
        raise ValidationFailed(reason)
    data, reasons = uploads.read_upload(upload, max_bytes)
    if not reasons:
        reasons = uploads.check_pdf(data, max_bytes)
    if reasons:
        raise ValidationFailed(reasons)
    selection_id = application.selection.id
    stored = storage.store(db.session, data, "application/pdf")
    now = clock.now()
    previous = current_documents(application).get(doc_type)
    if previous is not None:
        previous.superseded_at = now
        audit.append(
            db.session,
            event="document_superseded",
            actor=candidate,
            subject_type="application_document",
            subject_id=previous.id,
            selection_id=selection_id,
            payload={
                "application_id": application.id,
                "doc_type": doc_type,
                "sha256": previous.file.sha256,
                "original_name": previous.original_name,
            },
        )
    document = ApplicationDocument(
        application_id=application.id,
        doc_type=doc_type,
        file_id=stored.id,
        original_name=_clean_name(upload.filename or ""),
        uploaded_by_id=candidate.id,
        uploaded_at=now,
    )
    db.session.add(document)
    db.session.flush()
    audit.append(
        db.session,
        event="document_uploaded",
        actor=candidate,
        subject_type="application_document",
        subject_id=document.id,
        selection_id=selection_id,
        payload={
            "application_id": application.id,
            "doc_type": doc_type,
            "document": wanted[doc_type].name_id,
            "sha256": stored.sha256,
            "size": stored.size,
            "original_name": document.original_name,
            "replaces": previous.id if previous is not None else None,
        },
    )
    db.session.commit()
    return document


# --- what the candidate sees of the selection -----------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A step of the application the candidate may see: what happened, when, and why."""

    event: str
    state: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class Stage:
    """A stage of the selection on the candidate's timeline."""

    name: str
    label: str  # English source from the definition; translate for display
    reached_at: datetime | None
    planned_start: date | None
    planned_end: date | None
    current: bool


@dataclass(frozen=True)
class Timeline:
    """An application as its candidate may see it."""

    application: Application
    visible_state: str
    stages: list[Stage]
    outcomes: list[Outcome]

    @property
    def last_outcome(self) -> Outcome | None:
        """Return the latest visible step."""
        return self.outcomes[-1] if self.outcomes else None


def _events_of(selection_ids: Iterable[int], application_ids: Iterable[int]) -> list[AuditEvent]:
    chains = [audit.chain_for(sid) for sid in set(selection_ids)]
    app_ids = list(set(application_ids))
    if not chains:
        return []
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.chain.in_(chains),
                sa.or_(
                    sa.and_(
                        AuditEvent.subject_type == "selection",
                        sa.or_(
                            AuditEvent.to_state.is_not(None), AuditEvent.event == NOTIFIED_EVENT
                        ),
                    ),
                    sa.and_(
                        AuditEvent.subject_type == "application",
                        AuditEvent.subject_id.in_(app_ids),
                        AuditEvent.to_state.is_not(None),
                    ),
                ),
            )
            .order_by(AuditEvent.chain, AuditEvent.seq)
        )
    )


def event_reason(event: AuditEvent) -> str:
    """Return the reason the committee wrote with an application event, if any."""
    data = (event.payload or {}).get("data") or {}
    return str(data.get("reason") or "").strip()


def _visible_outcomes(
    application: Application,
    events: Sequence[AuditEvent],
    final: bool,
    verdicts: Mapping[int, ScreeningVerdict],
) -> list[Outcome]:
    """Return the application's steps that are published, in order."""
    notified_seqs = [
        e.seq for e in events if e.subject_type == "selection" and e.event == NOTIFIED_EVENT
    ]
    last_notice = max(notified_seqs, default=0)
    outcomes = []
    for event in events:
        if event.subject_type != "application" or event.subject_id != application.id:
            continue
        published = (
            final
            or event.event in OWN_EVENTS
            or event.event in IMMEDIATE_EVENTS
            or event.seq < last_notice
        )
        if not published:
            continue
        reason = event_reason(event)
        verdict = verdicts.get(application.id)
        if (
            event.event == ApplicationEvent.FAIL_SCREENING
            and verdict is not None
            and verdict.reason
        ):
            reason = verdict.reason
        if event.event in OWN_EVENTS or event.to_state in {
            ApplicationState.ELIGIBLE,
            ApplicationState.SHORTLISTED,
            ApplicationState.APPOINTED,
        }:
            reason = ""  # a pass needs no reason; the candidate's own steps have none
        outcomes.append(Outcome(event.event, event.to_state or "", event.occurred_at, reason))
    return outcomes


def _schedule(selection: Selection) -> dict[str, tuple[date | None, date | None]]:
    planned: dict[str, tuple[date | None, date | None]] = {}
    for item in selection.schedule or []:
        if not isinstance(item, Mapping) or not item.get("stage"):
            continue
        dates = []
        for key in ("starts_on", "ends_on"):
            try:
                dates.append(date.fromisoformat(str(item.get(key))) if item.get(key) else None)
            except ValueError:
                dates.append(None)
        planned[str(item["stage"])] = (dates[0], dates[1])
    return planned


def timelines(applications: Sequence[Application]) -> dict[int, Timeline]:
    """Return each application's timeline, reading the audit trail in one query."""
    if not applications:
        return {}
    selections = {a.position.selection_id: a.position.selection for a in applications}
    events = _events_of(selections, (a.id for a in applications))
    by_chain: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_chain[event.chain].append(event)
    verdicts = {
        v.application_id: v
        for v in db.session.scalars(
            sa.select(ScreeningVerdict).where(
                ScreeningVerdict.application_id.in_([a.id for a in applications])
            )
        )
    }
    result = {}
    for application in applications:
        selection = selections[application.position.selection_id]
        chain_events = by_chain[audit.chain_for(selection.id)]
        machine = definition_of(selection).machine("selection")
        final = selection.state in machine.final
        outcomes = _visible_outcomes(application, chain_events, final, verdicts)
        app_machine = definition_of(selection).machine("application")
        visible_state = outcomes[-1].state if outcomes else app_machine.initial
        reached: dict[str, datetime] = {}
        for event in chain_events:
            if event.subject_type == "selection" and event.to_state:
                reached.setdefault(event.to_state, event.occurred_at)
        planned = _schedule(selection)
        stages = []
        for state in machine.states:
            if state.name in INTERNAL_STAGES:
                continue
            if (
                state.name in machine.final
                and state.name not in reached
                and state.name != SelectionState.COMPLETED
            ):
                continue  # "cancelled" appears only when it happened
            start, end = planned.get(state.name, (None, None))
            stages.append(
                Stage(
                    name=state.name,
                    label=state.label,
                    reached_at=reached.get(state.name),
                    planned_start=start,
                    planned_end=end,
                    current=state.name == selection.state,
                )
            )
        result[application.id] = Timeline(application, visible_state, stages, outcomes)
    return result


def own_applications(candidate: User) -> list[Application]:
    """Return the candidate's applications with their posts and selections, newest first."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.candidate_id == candidate.id)
            .options(
                joinedload(Application.position)
                .joinedload(Position.selection)
                .joinedload(Selection.agency)
            )
            .order_by(Application.id.desc())
        )
    )


@dataclass(frozen=True)
class Dashboard:
    """The candidate's home: what is missing before applying, and each application's status."""

    profile: CandidateProfile | None
    missing_profile: list[str]
    email_confirmed: bool
    applications: list[Application]
    timelines: dict[int, Timeline]
    open_count: int


def dashboard(candidate: User) -> Dashboard:
    """Return what the candidate's home page shows."""
    profile = get_profile(candidate)
    applications = own_applications(candidate)
    return Dashboard(
        profile=profile,
        missing_profile=missing_profile_fields(profile),
        email_confirmed=candidate.email_confirmed_at is not None,
        applications=applications,
        timelines=timelines(applications),
        open_count=len(open_selections()),
    )


# --- result notices ---------------------------------------------------------------------

# What each application state tells the candidate in a result email.
OUTCOME_SUBJECTS: dict[str, str] = {
    ApplicationState.ELIGIBLE: N_("Administrative screening result: you passed"),
    ApplicationState.INELIGIBLE: N_("Administrative screening result: you did not pass"),
    ApplicationState.ELIMINATED: N_("Selection result: you are no longer in the selection"),
    ApplicationState.SHORTLISTED: N_("Selection result: you are among the three best"),
    ApplicationState.NOT_SHORTLISTED: N_("Selection result: you are not among the three best"),
    ApplicationState.APPOINTED: N_("Selection result: you have been appointed"),
    ApplicationState.NOT_APPOINTED: N_("Selection result: you were not appointed"),
    ApplicationState.CLOSED: N_("Your application has been closed"),
}
NOTICE_FALLBACK_SUBJECT = N_("Your application's status has changed")


def result_reason(application: Application, event: AuditEvent | None) -> str:
    """Return the committee's written reason for an application's latest result."""
    if application.state == ApplicationState.INELIGIBLE:
        verdict = db.session.scalar(
            sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
        )
        if verdict is not None and verdict.reason:
            return verdict.reason
    if application.state in {
        ApplicationState.ELIGIBLE,
        ApplicationState.SHORTLISTED,
        ApplicationState.APPOINTED,
    }:
        return ""
    return event_reason(event) if event is not None else ""
