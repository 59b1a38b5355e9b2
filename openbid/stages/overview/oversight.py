"""How long each selection waited on the oversight body, per approval gate, in working days.

A gate's wait runs from the plan's first ``submit_for_approval`` to the first letter recorded
for it (``gate:<code>``), counted in the agency's working days (national holidays, cuti
bersama and its own days off skipped); a required gate with no letter yet is still waiting,
up to today. One query each for the submissions, the letters and the agency's days off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import Approval, AuditEvent, Selection, SelectionEvent
from openbid.stages.common.holidays import agency_calendar
from openbid.workflow import definition_of


@dataclass(frozen=True)
class GateWait:
    """One gate of one selection: how many working days it waited, and whether it still does."""

    selection: Selection
    code: str
    label: str  # the definition's label of the gate (translatable)
    authority: str
    since: date  # the day the plan was sent (Asia/Jakarta)
    until: date  # the day the letter was recorded, or today while still waiting
    days: int
    waiting: bool


def _first_submissions(session: Session, ids: list[int]) -> dict[int, date]:
    """Return the day (WIB) each selection's plan was first sent for approval."""
    rows = session.execute(
        sa.select(AuditEvent.selection_id, sa.func.min(AuditEvent.occurred_at))
        .where(
            AuditEvent.selection_id.in_(ids),
            AuditEvent.event == SelectionEvent.SUBMIT_FOR_APPROVAL,
        )
        .group_by(AuditEvent.selection_id)
    ).all()
    return {sid: clock.to_jakarta(at).date() for sid, at in rows if at is not None}


def _first_letters(session: Session, ids: list[int]) -> dict[tuple[int, str], date]:
    """Return the day (WIB) each gate's first letter was recorded, by (selection, code)."""
    rows = session.execute(
        sa.select(Approval.selection_id, Approval.purpose, sa.func.min(Approval.recorded_at))
        .where(Approval.selection_id.in_(ids), Approval.purpose.like("gate:%"))
        .group_by(Approval.selection_id, Approval.purpose)
    ).all()
    return {
        (sid, purpose.removeprefix("gate:")): clock.to_jakarta(at).date()
        for sid, purpose, at in rows
    }


def oversight_waits(
    session: Session, agency_id: int, selections: Sequence[Selection], today: date
) -> list[GateWait]:
    """Return every gate wait of the selections sent for approval, in the selections' order.

    A gate counts when the definition or the selection requires it, or a letter for it is on
    file; a required gate without a letter is still waiting (until ``today``).
    """
    ids = [s.id for s in selections]
    submitted = _first_submissions(session, ids) if ids else {}
    if not submitted:
        return []
    letters = _first_letters(session, list(submitted))
    calendar = agency_calendar(session, agency_id)
    waits = []
    for selection in selections:
        since = submitted.get(selection.id)
        if since is None:
            continue
        definition = definition_of(selection)
        marked = set(definition.params(selection.parameters).get("required_gates") or [])
        for gate in definition.approval_gates:
            code = str(gate["code"])
            recorded = letters.get((selection.id, code))
            if recorded is None and not (gate.get("required") or code in marked):
                continue
            until = recorded or today
            waits.append(
                GateWait(
                    selection=selection,
                    code=code,
                    label=str(gate.get("label") or code),
                    authority=str(gate.get("authority") or ""),
                    since=since,
                    until=until,
                    days=calendar.working_days_between(since, until),
                    waiting=recorded is None,
                )
            )
    return waits
