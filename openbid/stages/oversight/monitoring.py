"""The oversight body's monitoring across its agencies: selections by stage and agency, the
days each gate waited, the overrides used, and completed selections with their decrees.

A fixed number of queries whatever the number of agencies and selections.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import (
    Approval,
    CommitteeException,
    IssuedDocument,
    OversightBody,
    Selection,
    SelectionState,
)
from openbid.stages.oversight.scope import supervised_selections
from openbid.stages.oversight.waiting import (
    GATES,
    decisions_after,
    sent_by_gate,
    waited_days,
)

# Approval purposes that record a departure from the rules (see models.approval).
OVERRIDE_PREFIXES = {"shortlist_override:": "shortlist", "waiver:": "waiver"}
COMMITTEE_EXCEPTION = "committee_exception"  # a row of committee_exception, not an approval


@dataclass
class MonitoringRow:
    """One selection in the monitoring table."""

    selection: Selection
    waits: dict[str, int | None] = field(default_factory=dict)  # gate -> working days
    sources: dict[str, str] = field(default_factory=dict)  # gate -> "openbid"/"paper"/""
    # "shortlist"/"waiver"/"committee" (composition exceptions) -> count
    overrides: Counter = field(default_factory=Counter)
    decree: str = ""  # the appointment decree's number, once completed


@dataclass
class Monitoring:
    """The monitoring view's data."""

    body: OversightBody
    rows: list[MonitoringRow]
    by_stage: dict[str, Counter]  # state -> agency name -> selections

    @property
    def agencies(self) -> list[str]:
        """Return the agencies that have selections, by name."""
        return sorted({row.selection.agency.name for row in self.rows})

    @property
    def completed(self) -> list[MonitoringRow]:
        """Return the completed selections."""
        return [r for r in self.rows if r.selection.state == SelectionState.COMPLETED]


def _waits(
    session: Session, selections: list[Selection], rows: dict[int, MonitoringRow], today: date
) -> None:
    """Fill each row's working days waited per gate (to the letter, or to today)."""
    sent_all = sent_by_gate(session, rows)
    for gate in GATES:
        sent = sent_all[gate]
        words = decisions_after(session, selections, gate, sent)
        for selection in selections:
            if selection.id not in sent:
                rows[selection.id].waits[gate] = None
                continue
            word = words.get(selection.id)
            until = clock.to_jakarta(word.moment).date() if word else today
            rows[selection.id].waits[gate] = waited_days(
                selection.agency, sent[selection.id], until
            )
            rows[selection.id].sources[gate] = word.source if word else ""


def _overrides(session: Session, rows: dict[int, MonitoringRow]) -> None:
    """Count each selection's overrides on file (shortlists, waivers, committee exceptions).

    One query: the approvals that record a departure, and the composition exceptions.
    """
    ids = list(rows)
    approvals = sa.select(Approval.selection_id, Approval.purpose).where(
        Approval.selection_id.in_(ids),
        sa.or_(*(Approval.purpose.startswith(p) for p in OVERRIDE_PREFIXES)),
    )
    exceptions = sa.select(
        CommitteeException.selection_id, sa.literal(COMMITTEE_EXCEPTION).label("purpose")
    ).where(CommitteeException.selection_id.in_(ids))
    for selection_id, purpose in session.execute(sa.union_all(approvals, exceptions)).all():
        if purpose == COMMITTEE_EXCEPTION:
            rows[selection_id].overrides["committee"] += 1
            continue
        for prefix, name in OVERRIDE_PREFIXES.items():
            if purpose.startswith(prefix):
                rows[selection_id].overrides[name] += 1


def _decrees(session: Session, rows: dict[int, MonitoringRow]) -> None:
    """Fill the decree numbers of the selections that have one."""
    decrees = session.execute(
        sa.select(IssuedDocument.selection_id, IssuedDocument.number)
        .where(IssuedDocument.selection_id.in_(list(rows)), IssuedDocument.kind == "decree")
        .order_by(IssuedDocument.id)
    ).all()
    for selection_id, number in decrees:
        rows[selection_id].decree = number


def monitoring(session: Session, body: OversightBody, today: date | None = None) -> Monitoring:
    """Return the body's monitoring data over every selection it supervises."""
    today = today or clock.today_jakarta()
    selections = supervised_selections(session, body)
    rows = {s.id: MonitoringRow(selection=s) for s in selections}
    by_stage: dict[str, Counter] = {}
    for selection in selections:
        by_stage.setdefault(selection.state, Counter())[selection.agency.name] += 1
    if rows:
        _waits(session, selections, rows, today)
        _overrides(session, rows)
        _decrees(session, rows)
    return Monitoring(body=body, rows=list(rows.values()), by_stage=by_stage)


CSV_HEADER = (
    "selection_id",
    "agency",
    "title",
    "year",
    "state",
    *(f"{gate}_{column}" for gate in GATES for column in ("waited_working_days", "letter")),
    "shortlist_overrides",
    "waivers",
    "committee_exceptions",
    "decree",
)


def monitoring_csv(data: Monitoring) -> str:
    """Return the monitoring rows as CSV (one line per selection, header first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in data.rows:
        s = row.selection
        writer.writerow(
            [
                s.id,
                s.agency.name,
                s.title,
                s.year,
                s.state,
                *(
                    value
                    for gate in GATES
                    for value in (
                        "" if row.waits.get(gate) is None else row.waits[gate],
                        row.sources.get(gate, ""),
                    )
                ),
                row.overrides["shortlist"],
                row.overrides["waiver"],
                row.overrides["committee"],
                row.decree,
            ]
        )
    return out.getvalue()
