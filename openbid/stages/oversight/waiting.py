"""How long each oversight gate has waited, in Indonesian working days.

A gate starts waiting when the agency last sent what the body must judge (the plan, when
it is submitted for approval; the results, when the interviews close; an extension, when
the secretariat asks for it; the final report, when the selection completes) and stops
when the body's word is on file: a letter given in openbid or uploaded on paper, an
extension refused, or the report's receipt acknowledged. A plan returned and sent again
waits from its last sending. Days are counted on the agency's
working calendar: weekends, national holidays and joint leave (the ``holidays`` package)
and the agency's own days off are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import (
    Agency,
    Approval,
    AuditEvent,
    OversightReview,
    Selection,
    SelectionEvent,
    SelectionState,
)
from openbid.rules.calendar import WorkCalendar
from openbid.workflow.installed import definition_of

PLAN, RESULTS, EXTENSION, REPORT = "plan", "results", "extension", "report"
GATES = (PLAN, RESULTS, EXTENSION, REPORT)
# The event that sends each gate's dossier to the oversight body.
SENT_BY = {
    PLAN: SelectionEvent.SUBMIT_FOR_APPROVAL,
    RESULTS: SelectionEvent.CLOSE_INTERVIEW,
    EXTENSION: SelectionEvent.REQUEST_EXTENSION,
    REPORT: SelectionEvent.COMPLETE,
}
RESULT_PURPOSE = "result_recommendation"
EXTENSION_PURPOSE = "extension"
# OversightReview outcomes that end a gate's wait without a letter.
CLOSING_OUTCOMES = ("refused", "received")


def plan_gate_code(selection: Selection) -> str:
    """Return the code of the definition's gate the oversight body gives ("kasn_recommendation")."""
    definition = definition_of(selection)
    for gate in definition.approval_gates:
        if gate.get("authority") == definition.oversight_body and gate.get("required"):
            return str(gate["code"])
    return str(definition.approval_gates[0]["code"])


def gate_purpose(selection: Selection, gate: str) -> str:
    """Return the Approval purpose that satisfies a gate ("gate:kasn_recommendation"...)."""
    if gate == PLAN:
        return f"gate:{plan_gate_code(selection)}"
    return EXTENSION_PURPOSE if gate == EXTENSION else RESULT_PURPOSE


def calendar_for(agency: Agency) -> WorkCalendar:
    """Return the agency's working calendar (national holidays plus its own days off)."""
    return WorkCalendar({h.day: h.name for h in agency.holidays})


def sent_moments(session: Session, selection_ids: Iterable[int], gate: str) -> dict[int, datetime]:
    """Return, per selection, when its dossier for gate was last sent (one query)."""
    ids = list(selection_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(AuditEvent.selection_id, sa.func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.selection_id.in_(ids),
            AuditEvent.event == str(SENT_BY[gate]),
            AuditEvent.subject_type == "selection",
        )
        .group_by(AuditEvent.selection_id)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def letters_after(
    session: Session, selections: Iterable[Selection], gate: str, sent: dict[int, datetime]
) -> dict[int, Approval]:
    """Return, per selection, the first letter recorded for gate since it was last sent."""
    by_id = {s.id: s for s in selections}
    if not by_id:
        return {}
    purposes = {gate_purpose(s, gate) for s in by_id.values()}
    approvals = session.scalars(
        sa.select(Approval)
        .where(Approval.selection_id.in_(list(by_id)), Approval.purpose.in_(purposes))
        .order_by(Approval.recorded_at, Approval.id)
    ).all()
    found: dict[int, Approval] = {}
    for approval in approvals:
        selection = by_id[approval.selection_id]
        since = sent.get(selection.id)
        if approval.purpose != gate_purpose(selection, gate) or approval.selection_id in found:
            continue
        if since is None or approval.recorded_at >= since:
            found[approval.selection_id] = approval
    return found


@dataclass(frozen=True)
class Decision:
    """The body's word that ended a gate's wait: when, and whether in openbid or on paper."""

    moment: datetime
    source: str  # "openbid" or "paper"
    outcome: str  # "approved", "refused" or "received"
    note: str = ""  # a refusal's reason, for the agency


def decisions_after(
    session: Session, selections: Iterable[Selection], gate: str, sent: dict[int, datetime]
) -> dict[int, Decision]:
    """Return, per selection sent, the body's first word on gate since it was last sent."""
    selections = [s for s in selections if s.id in sent]
    if not selections:
        return {}
    found: dict[int, Decision] = {}
    if gate != REPORT:
        for sid, letter in letters_after(session, selections, gate, sent).items():
            found[sid] = Decision(letter.recorded_at, letter.source, "approved")
    if gate not in (EXTENSION, REPORT):
        return found  # a plan or results gate ends with a letter only
    reviews = session.execute(
        sa.select(
            OversightReview.selection_id,
            OversightReview.created_at,
            OversightReview.outcome,
            OversightReview.notes,
        )
        .where(
            OversightReview.selection_id.in_([s.id for s in selections]),
            OversightReview.gate == gate,
            OversightReview.outcome.in_(CLOSING_OUTCOMES),
        )
        .order_by(OversightReview.created_at, OversightReview.id)
    ).all()
    for sid, moment, outcome, notes in reviews:
        if moment >= sent[sid] and (sid not in found or moment < found[sid].moment):
            found[sid] = Decision(moment, "openbid", outcome, str((notes or {}).get("reason", "")))
    return found


def sent_by_gate(session: Session, selection_ids: Iterable[int]) -> dict[str, dict[int, datetime]]:
    """Return, per gate and selection, when its dossier was last sent (one query)."""
    ids = list(selection_ids)
    found: dict[str, dict[int, datetime]] = {gate: {} for gate in GATES}
    if not ids:
        return found
    gate_of = {str(event): gate for gate, event in SENT_BY.items()}
    rows = session.execute(
        sa.select(AuditEvent.selection_id, AuditEvent.event, sa.func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.selection_id.in_(ids),
            AuditEvent.event.in_(list(gate_of)),
            AuditEvent.subject_type == "selection",
        )
        .group_by(AuditEvent.selection_id, AuditEvent.event)
    ).all()
    for selection_id, event, moment in rows:
        found[gate_of[event]][selection_id] = moment
    return found


@dataclass(frozen=True)
class GateWait:
    """One oversight gate of a selection: when it was sent, decided, and the days waited."""

    gate: str  # one of GATES
    sent_on: date
    decided_on: date | None
    waited: int  # working days, up to the decision or today
    source: str  # "openbid", "paper" or "" while waiting
    service_level: int
    outcome: str = ""  # the Decision's outcome, "" while waiting
    note: str = ""  # a refusal's reason

    @property
    def overdue(self) -> bool:
        """Return whether it waited (or has waited) past the service level."""
        return self.waited > self.service_level


def waited_days(agency: Agency, sent: datetime, until: date) -> int:
    """Return the working days from sent (WIB) to until on the agency's calendar."""
    return calendar_for(agency).working_days_between(clock.to_jakarta(sent).date(), until)


def gate_waits(
    session: Session, selection: Selection, service_level: int, today: date | None = None
) -> list[GateWait]:
    """Return the selection's oversight gates that were sent, with their waiting days."""
    today = today or clock.today_jakarta()
    waits = []
    for gate in GATES:
        sent = sent_moments(session, [selection.id], gate)
        if selection.id not in sent:
            continue
        if gate == PLAN and selection.state == SelectionState.DRAFT:
            continue  # returned for revision: the plan waits on the agency, not the body
        word = decisions_after(session, [selection], gate, sent).get(selection.id)
        decided = clock.to_jakarta(word.moment).date() if word else None
        waits.append(
            GateWait(
                gate=gate,
                sent_on=clock.to_jakarta(sent[selection.id]).date(),
                decided_on=decided,
                waited=waited_days(selection.agency, sent[selection.id], decided or today),
                source=word.source if word else "",
                service_level=service_level,
                outcome=word.outcome if word else "",
                note=word.note if word else "",
            )
        )
    return waits
