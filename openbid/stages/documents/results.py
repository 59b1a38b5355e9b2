"""The results announcement, the plenary minutes and the announcement of the three best.

All three publish the frozen rankings (``Rankings``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import Position, Selection, ShortlistResult
from openbid.rules.reasons import N_
from openbid.stages.documents.committee import (
    chair_signatory,
    committee_context,
    recusals_context,
)
from openbid.stages.documents.common import (
    People,
    as_float,
    current_shortlists,
    document_params,
    fill_texts,
    load_applications,
    missing_data,
    reason_in_indonesian,
    schedule_rows,
    selection_context,
    selection_positions,
)
from openbid.stages.documents.letters import cited_document, document_letter
from openbid.stages.documents.wording import (
    COMPONENT_LABELS_ID,
    DEFAULT_RESULTS_NOTES,
    DEFAULT_TOP_THREE_NOTES,
    RESULTS_STAGE_NAME,
)


class Rankings:
    """The frozen rankings of every open post, with the applicants they name."""

    def __init__(self, session: Session, selection: Selection, document: str) -> None:
        """Load the current shortlist result of each open post.

        :raises ValidationFailed: when a post's ranking is not frozen.
        """
        self.positions = selection_positions(session, selection, open_only=True)
        self.results: dict[int, ShortlistResult] = current_shortlists(session, selection)
        for position in self.positions:
            if position.id not in self.results:
                raise missing_data(
                    "no_ranking",
                    N_(
                        "The ranking of %(post)s is not frozen yet, and the %(document)s "
                        "must publish it."
                    ),
                    post=position.name,
                    document=document,
                )
        ids = {
            int(entry["application_id"])
            for result in self.results.values()
            for entry in result.ranking or []
        }
        self.applications = {a.id: a for a in load_applications(session, ids)}
        self.people = People(session, list(self.applications.values()))

    def components(self, fallback: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Return the weighted components (``contexts.Component``) in the weights' order."""
        weights: Mapping[str, Any] = {}
        for result in self.results.values():
            weights = result.weights or {}
            break
        weights = weights or fallback
        values = {name: Decimal(str(value)) for name, value in weights.items()}
        as_percent = sum(values.values(), Decimal(0)) <= Decimal("1.5")
        return [
            {
                "key": name,
                "label": COMPONENT_LABELS_ID.get(name, name.replace("_", " ").title()),
                "weight": float(value * 100 if as_percent else value),
            }
            for name, value in values.items()
        ]

    def scored(self, position: Position) -> list[dict[str, Any]]:
        """Return a post's candidates (``contexts.ScoredCandidate``) in ranking order."""
        out = []
        for entry in self.results[position.id].ranking or []:
            application = self.applications.get(int(entry["application_id"]))
            if application is None:
                continue
            row: dict[str, Any] = {
                **self.people.candidate(application),
                "rank": entry.get("rank") or "–",
                "scores": {
                    name: as_float(value) for name, value in (entry.get("components") or {}).items()
                },
                "total": as_float(entry.get("combined")),
            }
            if not entry.get("qualified", True):
                why = [reason_in_indonesian(r) for r in entry.get("reasons") or []]
                row["note"] = "Tidak memenuhi syarat: " + "; ".join(w for w in why if w)
                if not any(why):
                    row["note"] = "Tidak memenuhi syarat."
            out.append(row)
        return out

    def top_three(self, position: Position) -> list[dict[str, str]]:
        """Return a post's three best (``contexts.Candidate``) in rank order."""
        return [
            self.people.candidate(self.applications[int(i)])
            for i in self.results[position.id].shortlist or []
            if int(i) in self.applications
        ]


def results_announcement_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``ResultsAnnouncementContext`` keys from the frozen rankings."""
    rankings = Rankings(session, selection, "results announcement")
    own = document_params(params)
    return {
        "selection": selection_context(selection),
        "stage_name": RESULTS_STAGE_NAME,
        "components": rankings.components(params.get("weights") or {}),
        "posts": [
            {"name": p.name, "unit": p.unit, "candidates": rankings.scored(p)}
            for p in rankings.positions
        ],
        "next_stages": schedule_rows(selection, after=clock.to_jakarta(issued_at).date()),
        "notes": fill_texts(own.get("results_notes") or DEFAULT_RESULTS_NOTES, selection.agency),
        "signatory": chair_signatory(session, selection, "results announcement"),
    }


def plenary_minutes_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``PlenaryMinutesContext`` keys: weights, rankings, three best, recusals."""
    rankings = Rankings(session, selection, "plenary minutes")
    agency = selection.agency
    own = document_params(params)
    return {
        "selection": selection_context(selection),
        "held_at": clock.to_jakarta(issued_at),
        "place": str(
            own.get("meeting_place") or f"Kantor {agency.office_name} {agency.region_name}"
        ),
        "committee": committee_context(session, selection),
        "components": rankings.components(params.get("weights") or {}),
        "posts": [
            {
                "name": p.name,
                "unit": p.unit,
                "candidates": rankings.scored(p),
                "top_three": rankings.top_three(p),
            }
            for p in rankings.positions
        ],
        "recusals": recusals_context(session, selection),
    }


def top_three_announcement_context(
    session: Session, selection: Selection, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the ``TopThreeAnnouncementContext`` keys, citing the plenary minutes."""
    rankings = Rankings(session, selection, "announcement of the three best")
    minutes = cited_document(
        session, selection, "plenary_minutes", "announcement of the three best"
    )
    own = document_params(params)
    return {
        "selection": selection_context(selection),
        "minutes": document_letter(minutes),
        "posts": [
            {"name": p.name, "unit": p.unit, "candidates": rankings.top_three(p)}
            for p in rankings.positions
        ],
        "notes": fill_texts(
            own.get("top_three_notes") or DEFAULT_TOP_THREE_NOTES, selection.agency
        ),
        "signatory": chair_signatory(session, selection, "announcement of the three best"),
    }
