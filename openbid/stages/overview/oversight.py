"""How long each selection waited on the oversight body, per approval gate, in working days.

A gate's wait runs from the plan's last ``submit_for_approval`` (a plan returned and sent
again waits from its new sending) to the first letter recorded for it since
(``gate:<code>``), counted in the agency's working days (national holidays, cuti
bersama and its own days off skipped); a required gate with no letter yet is still waiting,
up to today. One query each for the submissions, the letters and the agency's days off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

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


def _last_submissions(session: Session, ids: list[int]) -> dict[int, datetime]:
    """Return when each selection's plan was last sent for approval."""
    rows = session.execute(
        sa.select(AuditEvent.selection_id, sa.func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.selection_id.in_(ids),
            AuditEvent.event == SelectionEvent.SUBMIT_FOR_APPROVAL,
        )
        .group_by(AuditEvent.selection_id)
    ).all()
    return {sid: at for sid, at in rows if at is not None}


def _letters_since(session: Session, submitted: dict[int, datetime]) -> dict[tuple[int, str], date]:
    """Return the day (WIB) of each gate's first letter since the plan was last sent.

    A letter recorded before that (e.g. on a plan later returned) does not end the new wait;
    one recorded before the plan was ever sent does not either, unless it is all there is.
    """
    rows = session.execute(
        sa.select(Approval.selection_id, Approval.purpose, Approval.recorded_at)
        .where(Approval.selection_id.in_(list(submitted)), Approval.purpose.like("gate:%"))
        .order_by(Approval.recorded_at, Approval.id)
    ).all()
    found: dict[tuple[int, str], date] = {}
    earlier: dict[tuple[int, str], date] = {}
    for sid, purpose, at in rows:
        key = (sid, purpose.removeprefix("gate:"))
        day = clock.to_jakarta(at).date()
        if at >= submitted[sid]:
            found.setdefault(key, day)
        else:
            earlier[key] = day
    return {**earlier, **found}


def oversight_waits(
    session: Session, agency_id: int, selections: Sequence[Selection], today: date
) -> list[GateWait]:
    """Return every gate wait of the selections sent for approval, in the selections' order.

    A gate counts when the definition or the selection requires it, or a letter for it is on
    file; a required gate without a letter is still waiting (until ``today``).
    """
    ids = [s.id for s in selections]
    sent = _last_submissions(session, ids) if ids else {}
    if not sent:
        return []
    letters = _letters_since(session, sent)
    submitted = {sid: clock.to_jakarta(at).date() for sid, at in sent.items()}
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
