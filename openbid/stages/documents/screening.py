"""The minutes of the administrative screening and the announcement of who passed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from openbid import clock
from openbid.models import Application, Position, ScreeningVerdict, Selection, User
from openbid.stages.documents.committee import chair_signatory, committee_context
from openbid.stages.documents.common import (
    People,
    document_params,
    fill_texts,
    reason_in_indonesian,
    schedule_rows,
    selection_context,
    selection_positions,
)
from openbid.stages.documents.letters import cited_document, document_letter
from openbid.stages.documents.wording import DEFAULT_SCREENING_NOTES


def _verdict_reasons(verdict: ScreeningVerdict) -> list[str]:
    """Return why an application did not qualify, in Indonesian: the rules, then the note."""
    reasons = []
    if not verdict.overridden:
        reasons = [
            text
            for item in verdict.rule_results or []
            if isinstance(item, Mapping) and not item.get("passed")
            for text in [reason_in_indonesian(item.get("reason") or item.get("message"))]
            if text
        ]
    note = (verdict.reason or "").strip()
    if note and note not in reasons:
        reasons.append(note)
    return reasons or ["Tidak memenuhi persyaratan administrasi."]


def _screened(
    session: Session, selection: Selection
) -> tuple[list[Position], dict[int, list[tuple[Application, ScreeningVerdict]]], People]:
    positions = selection_positions(session, selection, open_only=True)
    rows = session.execute(
        sa.select(Application, ScreeningVerdict)
        .join(ScreeningVerdict, ScreeningVerdict.application_id == Application.id)
        .join(Position, Position.id == Application.position_id)
        .join(User, User.id == Application.candidate_id)
        .where(Position.selection_id == selection.id)
        .options(joinedload(Application.candidate))
        .order_by(Application.position_id, User.name, Application.id)
    ).all()
    by_post: dict[int, list[tuple[Application, ScreeningVerdict]]] = defaultdict(list)
    for application, verdict in rows:
        by_post[application.position_id].append((application, verdict))
    people = People(session, [a for a, _ in rows])
    return positions, by_post, people


def screening_minutes_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``ScreeningMinutesContext`` keys: every verdict per post."""
    positions, by_post, people = _screened(session, selection)
    agency = selection.agency
    own = document_params(params)
    return {
        "selection": selection_context(selection),
        "held_at": clock.to_jakarta(issued_at),
        "place": str(
            own.get("meeting_place") or f"Kantor {agency.office_name} {agency.region_name}"
        ),
        "committee": committee_context(session, selection),
        "posts": [
            {
                "name": position.name,
                "unit": position.unit,
                "applicants": [
                    {
                        **people.candidate(application),
                        "qualified": bool(verdict.passed),
                        "reasons": [] if verdict.passed else _verdict_reasons(verdict),
                    }
                    for application, verdict in by_post.get(position.id, [])
                ],
            }
            for position in positions
        ],
    }


def screening_announcement_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``ScreeningAnnouncementContext`` keys: who passed, per post."""
    positions, by_post, people = _screened(session, selection)
    minutes = cited_document(session, selection, "screening_minutes", "screening announcement")
    own = document_params(params)
    return {
        "selection": selection_context(selection),
        "minutes": document_letter(minutes),
        "posts": [
            {
                "name": position.name,
                "unit": position.unit,
                "candidates": [
                    people.candidate(application)
                    for application, verdict in by_post.get(position.id, [])
                    if verdict.passed
                ],
            }
            for position in positions
        ],
        "next_stages": schedule_rows(selection, after=clock.to_jakarta(issued_at).date()),
        "notes": fill_texts(
            own.get("screening_notes") or DEFAULT_SCREENING_NOTES, selection.agency
        ),
        "signatory": chair_signatory(session, selection, "screening announcement"),
    }
