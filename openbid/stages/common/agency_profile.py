"""The agency's own page: its letterhead, PPK, legal basis and numbering patterns.

What the documents print about the agency comes from here: the head's title and name sign
the decree, the formation law(s) open its "Mengingat" and the local regulations close it,
and each series is numbered with the agency's pattern. Only the agency's admin edits it,
and a refused change writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openbid import audit
from openbid.documents import numbering
from openbid.extensions import db
from openbid.models import Agency, Role, User
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.workflow.access import check_staff

NOT_AGENCY_ADMIN = Reason("access.agency_profile", N_("Only the agency's admin may do this."))

# Column, its label in reasons (English source), its longest length, whether required.
TEXT_FIELDS: tuple[tuple[str, str, int, bool], ...] = (
    ("name", N_("Name of the government"), 200, True),
    ("region_name", N_("Region"), 120, True),
    ("province", N_("Province"), 120, True),
    ("seat", N_("Place of signing"), 120, True),
    ("head_title", N_("Title of the PPK"), 120, True),
    ("head_name", N_("Name of the PPK"), 200, True),
    ("office_name", N_("Civil-service office"), 200, True),
    ("office_head_name", N_("Head of the civil-service office"), 200, False),
    ("address", N_("Address"), 300, False),
    ("phone", N_("Telephone"), 60, False),
    ("email", N_("Email"), 200, False),
    ("website", N_("Website"), 200, False),
)
# The numbering series an agency usually gives its own pattern.
SERIES = ("decree", "announcement", "minutes", "report")
SERIES_LABELS = {
    "decree": N_("decrees"),
    "announcement": N_("announcements and notices"),
    "minutes": N_("minutes (Berita Acara)"),
    "report": N_("reports to the oversight body"),
}
MAX_LAWS, MAX_LAW_LENGTH = 8, 1000


@dataclass(frozen=True)
class AgencyProfile:
    """What the page submits: the texts, the legal basis one item per line, the patterns."""

    texts: Mapping[str, str]
    formation_laws: str
    local_legal_basis: str
    patterns: Mapping[str, str]


def check_agency_admin(actor: User, agency: Agency) -> None:
    """:raises Forbidden: for anyone but an admin of this agency."""
    check_staff(actor, agency.id, (Role.ADMIN,), denied=NOT_AGENCY_ADMIN)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _text_reasons(texts: Mapping[str, str]) -> list[Reason]:
    reasons = []
    for column, label, longest, required in TEXT_FIELDS:
        value = texts.get(column, "")
        if required and not value:
            reasons.append(
                Reason("agency.required", N_("%(field)s is required."), {"field": Term(label)})
            )
        elif len(value) > longest:
            reasons.append(
                Reason(
                    "agency.too_long",
                    N_("%(field)s is longer than %(max)d characters."),
                    {"field": Term(label), "max": longest},
                )
            )
    return reasons


def _law_reasons(laws: list[str], local: list[str]) -> list[Reason]:
    reasons = []
    if not laws:
        reasons.append(
            Reason(
                "agency.no_formation_law",
                N_(
                    "Enter the law that formed the region (one per line); the appointment "
                    "decree cites it first under Mengingat."
                ),
            )
        )
    for items, label in ((laws, N_("Formation law")), (local, N_("Local legal basis"))):
        if len(items) > MAX_LAWS:
            reasons.append(
                Reason(
                    "agency.too_many_laws",
                    N_("%(field)s: at most %(max)d lines, one regulation per line."),
                    {"field": Term(label), "max": MAX_LAWS},
                )
            )
        if any(len(item) > MAX_LAW_LENGTH for item in items):
            reasons.append(
                Reason(
                    "agency.law_too_long",
                    N_("%(field)s: a line is longer than %(max)d characters."),
                    {"field": Term(label), "max": MAX_LAW_LENGTH},
                )
            )
    return reasons


def _pattern_reasons(patterns: Mapping[str, str]) -> list[Reason]:
    reasons = []
    for series in SERIES:
        pattern = patterns.get(series, "")
        if not pattern:
            continue  # the default pattern of the series applies
        try:
            numbering.validate_pattern(pattern)
        except ValueError as error:
            reasons.append(
                Reason(
                    "documents.bad_pattern",
                    N_(
                        "The numbering pattern of the %(series)s series cannot be used: %(problem)s"
                    ),
                    {"series": Term(SERIES_LABELS[series]), "problem": str(error)},
                )
            )
    return reasons


def update_agency_profile(agency: Agency, actor: User, profile: AgencyProfile) -> Agency:
    """Save the agency's letterhead, PPK, legal basis and numbering patterns.

    :raises Forbidden: for anyone but an admin of this agency.
    :raises ValidationFailed: a required text missing or too long, no formation law, too
        many or too long legal-basis lines, or a numbering pattern that cannot be used.
    """
    check_agency_admin(actor, agency)
    texts = {column: (profile.texts.get(column) or "").strip() for column, *_ in TEXT_FIELDS}
    patterns = {s: (profile.patterns.get(s) or "").strip() for s in SERIES}
    laws, local = _lines(profile.formation_laws), _lines(profile.local_legal_basis)
    reasons = _text_reasons(texts) + _law_reasons(laws, local) + _pattern_reasons(patterns)
    if reasons:
        raise ValidationFailed(reasons)
    new_patterns = {k: v for k, v in (agency.numbering_patterns or {}).items() if k not in SERIES}
    new_patterns.update({series: pattern for series, pattern in patterns.items() if pattern})
    after = {**texts, "formation_laws": laws, "local_legal_basis": local}
    after["numbering_patterns"] = new_patterns
    before = {key: getattr(agency, key) for key in after}
    changed = {key: value for key, value in after.items() if before[key] != value}
    if not changed:
        return agency
    for key, value in changed.items():
        setattr(agency, key, value)
    audit.append(
        db.session,
        event="agency_profile_changed",
        actor=actor,
        subject_type="agency",
        subject_id=agency.id,
        selection_id=None,
        payload={
            "agency": agency.code,
            "before": {key: before[key] for key in changed},
            "after": changed,
        },
    )
    db.session.commit()
    return agency
