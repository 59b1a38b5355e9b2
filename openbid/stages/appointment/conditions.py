"""When the PPK may pick: the conditions shared by the guards and the appointment page.

A post short of qualified candidates needs its override on file, and the oversight body's
word must be on file for the current (latest revised) results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import Approval, Position, Selection
from openbid.rules.reasons import N_, Reason, Term
from openbid.stages.appointment.approvals import latest_recommendation, result_letter
from openbid.stages.appointment.ranking import open_positions, shortlist_size
from openbid.stages.common.shortlists import OVERRIDE_PREFIX, current_results, override_purpose


def short_reason(position: Position, count: int, size: int) -> Reason:
    """Return the reason the PPK may not pick in a post with count of size qualified."""
    return Reason(
        "appointment.shortlist_short",
        N_(
            "Qualified candidates for %(post)s: %(count)d of the %(size)d needed;"
            " record the approval to proceed with fewer first."
        ),
        {"post": position.name, "count": count, "size": size},
    )


def shortage_reasons(
    session: Session,
    selection: Selection,
    params: Mapping[str, Any],
    position_ids: list[int] | None = None,
) -> list[Reason]:
    """Return why the PPK may not pick yet because a post's three best are short, unapproved."""
    results = current_results(session, selection)
    size = shortlist_size(params)
    positions = open_positions(session, selection)
    overrides = {
        a.purpose
        for a in session.scalars(
            sa.select(Approval).where(
                Approval.selection_id == selection.id,
                Approval.purpose.like(f"{OVERRIDE_PREFIX}%"),
            )
        )
    }
    reasons = []
    for position in positions:
        if position_ids is not None and position.id not in position_ids:
            continue
        result = results.get(position.id)
        if result is None or len(result.shortlist) >= size:
            continue
        if override_purpose(position.id) in overrides:
            continue
        reasons.append(short_reason(position, len(result.shortlist), size))
    return reasons


def recommendation_reasons(session: Session, selection: Selection) -> list[Reason]:
    """Return why the oversight body's word on the results is not (or no longer) on file."""
    letter = result_letter(selection)
    latest = latest_recommendation(session, selection)
    if latest is None:
        return [
            Reason(
                "appointment.no_recommendation",
                N_(
                    "%(letter)s is not on file yet; the appointing official appoints after"
                    " the oversight body's word."
                ),
                {"letter": letter},
            )
        ]
    positions = {p.id: p for p in open_positions(session, selection)}
    reasons = []
    for position_id, result in sorted(current_results(session, selection).items()):
        if position_id in positions and result.frozen_at > latest.recorded_at:
            reasons.append(
                Reason(
                    "appointment.recommendation_stale",
                    N_(
                        "The three best of %(post)s were revised after %(letter)s (letter"
                        " %(number)s) was recorded; record its word on the revised results."
                    ),
                    {
                        "post": positions[position_id].name,
                        "letter": letter,
                        "number": latest.letter_number,
                    },
                )
            )
    return reasons


def stored_reason(data: Mapping[str, Any]) -> Reason:
    """Return a Reason saved with a frozen result, its component name translatable again."""
    params = dict(data.get("params") or {})
    if isinstance(params.get("component"), str):
        # Saved as the English label, which is the label's msgid.
        params["component"] = Term(params["component"])
    return Reason(str(data.get("code", "")), str(data.get("template", "")), params)
