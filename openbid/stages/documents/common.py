"""What every context builder uses: refusals, parameter texts, values, posts and people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session, joinedload

from openbid import clock
from openbid.documents.formatting import terbilang
from openbid.models import (
    Agency,
    Application,
    CandidateProfile,
    Position,
    Selection,
    ShortlistResult,
)
from openbid.rules.eligibility import RANK_NAMES, normalize_rank
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.documents.wording import STAGE_LABELS_ID
from openbid.workflow.definition import WorkflowDefinition


def missing_data(code: str, template: str, **params: object) -> ValidationFailed:
    """Return the error for data a document must cite but that is not recorded."""
    return ValidationFailed(Reason(f"documents.{code}", template, params))


def document_params(params: Mapping[str, Any]) -> Mapping[str, Any]:
    value = params.get("documents")
    return value if isinstance(value, Mapping) else {}


def fill_texts(texts: Iterable[str], agency: Agency) -> list[str]:
    """Fill {head_title}, {province}, {region_name}, {seat} in parameter texts."""
    values = {
        "head_title": agency.head_title,
        "province": agency.province,
        "region_name": agency.region_name,
        "seat": agency.seat,
    }
    out = []
    for text in texts:
        try:
            out.append(str(text).format(**values))
        except (KeyError, IndexError, ValueError):
            out.append(str(text))  # a text with other braces is printed as written
    return out


def count_text(value: object) -> str:
    """Write a whole number as documents do: ``5 (lima)``."""
    number = int(Decimal(str(value)))
    return f"{number} ({terbilang(number)})"


def as_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return clock.to_jakarta(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def as_float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def reason_in_indonesian(data: object) -> str:
    """Return a stored reason (``Reason.as_dict()`` JSON, or plain text) in Indonesian."""
    if not data:
        return ""
    if isinstance(data, Reason):
        data = {**data.as_dict(), "terms": []}
    if not isinstance(data, Mapping):
        return str(data)
    template = data.get("template")
    if not template:
        return str(data.get("message") or "")
    terms = set(data.get("terms") or ())
    with force_locale("id"):
        params = {
            key: gettext(value) if key in terms and isinstance(value, str) and value else value
            for key, value in (data.get("params") or {}).items()
        }
        try:
            return gettext(str(template)) % params
        except (KeyError, TypeError, ValueError):
            return str(data.get("message") or template)


def selection_context(selection: Selection) -> dict[str, Any]:
    """Return ``contexts.Selection``."""
    return {"title": selection.title, "year": selection.year}


def legal_basis(definition: WorkflowDefinition, day: date, agency: Agency) -> list[str]:
    """Return the regulations to cite on a day: the agency's formation law(s), then the
    national ones of the selection's pinned definition, then the agency's own regulations.

    A selection keeps its definition to the end; after the definition's last day its
    regulations are cited as they stood then (the definition knows nothing newer).
    """
    if definition.valid_until is not None and day > definition.valid_until:
        day = definition.valid_until
    texts = [
        *fill_texts(agency.formation_laws or (), agency),
        *definition.legal_basis_on(day),
        *fill_texts(agency.local_legal_basis or (), agency),
    ]
    return [text if text.rstrip().endswith((";", ".")) else f"{text};" for text in texts]


def formation_law_required(agency: Agency) -> None:
    """Refuse a decree whose "Mengingat" would not cite the law that formed the region.

    :raises ValidationFailed: when the agency has no formation law recorded.
    """
    if not [text for text in agency.formation_laws or () if str(text).strip()]:
        raise missing_data(
            "no_formation_law",
            N_(
                "%(agency)s has no formation law recorded, and the decree must cite it; "
                "an admin enters it on the agency page."
            ),
            agency=agency.name,
        )


def selection_positions(
    session: Session, selection: Selection, *, open_only: bool
) -> list[Position]:
    stmt = sa.select(Position).where(Position.selection_id == selection.id)
    if open_only:
        stmt = stmt.where(Position.dropped_at.is_(None))
    return list(session.scalars(stmt.order_by(Position.id)))


def current_shortlists(session: Session, selection: Selection) -> dict[int, ShortlistResult]:
    """Return, per post id, its current (not superseded, newest revision) shortlist result."""
    results: dict[int, ShortlistResult] = {}
    for result in session.scalars(
        sa.select(ShortlistResult)
        .where(
            ShortlistResult.selection_id == selection.id,
            ShortlistResult.superseded_at.is_(None),
        )
        .order_by(ShortlistResult.position_id, ShortlistResult.revision.desc())
    ):
        results.setdefault(result.position_id, result)
    return results


class People:
    """Name, NIP, rank and current position of applicants: snapshot first, then profile."""

    def __init__(self, session: Session, applications: Sequence[Application]) -> None:
        """Load the profiles of applicants whose snapshot lacks something, in one query."""
        self._apps = {a.id: a for a in applications}
        needed = {
            a.candidate_id
            for a in applications
            if not all((a.profile_snapshot or {}).get(k) for k in ("nip", "rank"))
        }
        self._profiles: dict[int, CandidateProfile] = {}
        if needed:
            self._profiles = {
                p.user_id: p
                for p in session.scalars(
                    sa.select(CandidateProfile).where(CandidateProfile.user_id.in_(needed))
                )
            }

    def _value(self, application: Application, key: str) -> str:
        value = (application.profile_snapshot or {}).get(key)
        if not value:
            profile = self._profiles.get(application.candidate_id)
            value = getattr(profile, key, "") if profile is not None else ""
        return str(value or "")

    def candidate(self, application: Application) -> dict[str, str]:
        """Return ``contexts.Candidate``."""
        return {
            "name": application.candidate.name,
            "nip": self._value(application, "nip"),
            "current_position": self._value(application, "current_position"),
        }

    def rank(self, application: Application) -> str:
        """Return the rank written out: ``Pembina Utama Muda (IV/c)``."""
        code = self._value(application, "rank")
        try:
            code = normalize_rank(code)
        except ValueError:
            return code
        return f"{RANK_NAMES[code]} ({code})"


def load_applications(
    session: Session, ids: Iterable[int] | None = None, *, selection: Selection | None = None
) -> list[Application]:
    stmt = sa.select(Application).options(joinedload(Application.candidate))
    if ids is not None:
        stmt = stmt.where(Application.id.in_(list(ids)))
    if selection is not None:
        stmt = stmt.join(Position).where(Position.selection_id == selection.id)
    return list(session.scalars(stmt.order_by(Application.id)))


def schedule_rows(selection: Selection, *, after: date | None = None) -> list[dict[str, Any]]:
    """Return the selection's planned schedule as ``contexts.ScheduleRow`` items."""
    rows = []
    for item in selection.schedule or []:
        if not isinstance(item, Mapping):
            continue
        start = as_day(item.get("starts_on") or item.get("start"))
        if start is None:
            continue
        end = as_day(item.get("ends_on") or item.get("end"))
        if after is not None and (end or start) < after:
            continue
        stage = str(item.get("stage") or "")
        row: dict[str, Any] = {"stage": STAGE_LABELS_ID.get(stage, stage), "start": start}
        if end is not None and end != start:
            row["end"] = end
        if item.get("time"):
            row["time"] = str(item["time"])
        if item.get("place"):
            row["place"] = str(item["place"])
        rows.append(row)
    rows.sort(key=lambda r: r["start"])
    return rows
