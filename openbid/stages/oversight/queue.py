"""The oversight body's queue: what waits for its word, longest waiting first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import Agency, OversightBody, Selection, SelectionState
from openbid.models.oversight import DEFAULT_SERVICE_LEVEL_DAYS
from openbid.stages.oversight.scope import supervised_selections
from openbid.stages.oversight.waiting import (
    EXTENSION,
    PLAN,
    REPORT,
    RESULTS,
    decisions_after,
    sent_moments,
    waited_days,
)

# Which state a gate waits in.
WAITS_IN = {
    PLAN: SelectionState.APPROVAL,
    EXTENSION: SelectionState.ANNOUNCEMENT,
    RESULTS: SelectionState.APPOINTMENT,
    REPORT: SelectionState.COMPLETED,
}


@dataclass(frozen=True)
class QueueItem:
    """A selection waiting for the body's word on one gate."""

    selection: Selection
    agency: Agency
    gate: str  # PLAN, EXTENSION, RESULTS or REPORT
    sent_on: date
    waited: int  # working days
    overdue: bool


def service_level(session: Session, body_code: str) -> int:
    """Return the service level (working days) of the body named body_code, or the default."""
    days = session.scalar(
        sa.select(OversightBody.service_level_days).where(OversightBody.code == body_code)
    )
    return days or DEFAULT_SERVICE_LEVEL_DAYS


def review_queue(
    session: Session, body: OversightBody, today: date | None = None
) -> list[QueueItem]:
    """Return the selections waiting for the body, longest waiting first, then oldest."""
    today = today or clock.today_jakarta()
    selections = supervised_selections(session, body, tuple(set(WAITS_IN.values())))
    items: list[QueueItem] = []
    for gate, state in WAITS_IN.items():
        waiting = [s for s in selections if s.state == state]
        sent = sent_moments(session, [s.id for s in waiting], gate)
        decided = decisions_after(session, waiting, gate, sent)
        for selection in waiting:
            if selection.id in decided or selection.id not in sent:
                continue
            days = waited_days(selection.agency, sent[selection.id], today)
            items.append(
                QueueItem(
                    selection=selection,
                    agency=selection.agency,
                    gate=gate,
                    sent_on=clock.to_jakarta(sent[selection.id]).date(),
                    waited=days,
                    overdue=days > body.service_level_days,
                )
            )
    items.sort(key=lambda item: (-item.waited, item.sent_on, item.selection.id))
    return items
