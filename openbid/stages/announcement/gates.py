"""Approval gates: which letters a selection needs before publishing, and which are on file.

The definition lists the gates (``approval_gates``): some required by the regulation, some
optional that the secretariat marks required for a selection (``required_gates``), and the
Home Affairs Minister's permission, needed when the selection runs inside an election window
(``election_windows``). The newest letter recorded for a gate is the one that counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.i18n import short_date
from openbid.models import Approval, Selection
from openbid.rules.reasons import N_, Reason, Term
from openbid.workflow import WorkflowDefinition

ELECTION_WINDOW = "election_window"

# Names of the known gates for messages ("The KASN recommendation letter is not recorded yet.").
GATE_NAMES: dict[str, Term] = {
    "kasn_recommendation": Term(N_("KASN recommendation letter")),
    "bkn_pertek": Term(N_("BKN technical consideration (Pertek) letter")),
    "governor_letter": Term(N_("governor's letter")),
    "kemendagri_permission": Term(N_("Home Affairs Minister's written permission")),
}


@dataclass(frozen=True)
class ElectionWindow:
    """A period in which replacing officials needs the Home Affairs Minister's permission."""

    starts_on: date
    ends_on: date
    reason: str

    def overlaps(self, first: date, last: date) -> bool:
        """Return whether the window shares a day with first..last."""
        return self.starts_on <= last and first <= self.ends_on


def election_windows(params: Mapping[str, Any]) -> list[ElectionWindow]:
    """Return the selection's election windows (``parameters["election_windows"]``)."""
    windows = []
    for item in params.get("election_windows") or []:
        windows.append(
            ElectionWindow(
                date.fromisoformat(item["from"]),
                date.fromisoformat(item["until"]),
                str(item.get("reason", "")),
            )
        )
    return windows


def selection_span(selection: Selection, on_day: date) -> tuple[date, date]:
    """Return the days the selection still runs: from on_day to its last scheduled day."""
    last = on_day
    for row in selection.schedule or []:
        for key in ("starts_on", "ends_on"):
            if row.get(key):
                last = max(last, date.fromisoformat(row[key]))
    return on_day, last


@dataclass(frozen=True)
class GateStatus:
    """One approval gate of a selection: whether it is required, why, and its letter."""

    code: str
    authority: str
    label: str  # the definition's label, as the regulation names the letter
    name: str  # English name for messages (a Term for the known gates)
    required: bool
    required_by: str  # "definition", "selection", "election_window" or "" (optional)
    condition: str  # the definition's ``when`` ("election_window") or ""
    window: ElectionWindow | None
    approval: Approval | None
    history: tuple[Approval, ...]  # every letter recorded for it, newest first

    @property
    def recorded(self) -> bool:
        """Return whether a letter is on file."""
        return self.approval is not None


def gate_name(gate: Mapping[str, Any]) -> str:
    """Return the translatable name of a gate, or its definition label."""
    return GATE_NAMES.get(str(gate["code"]), str(gate.get("label") or gate["code"]))


def _letters_by_purpose(session: Session, selection_id: int) -> dict[str, list[Approval]]:
    """Return every gate letter of the selection by its purpose ("gate:<code>"), newest first."""
    approvals = session.scalars(
        sa.select(Approval)
        .where(Approval.selection_id == selection_id, Approval.purpose.like("gate:%"))
        .options(sa.orm.joinedload(Approval.file))
        .order_by(Approval.id.desc())
    ).all()
    by_purpose: dict[str, list[Approval]] = {}
    for approval in approvals:
        by_purpose.setdefault(approval.purpose, []).append(approval)
    return by_purpose


def _required_by(gate: Mapping[str, Any], marked: set[str], window: ElectionWindow | None) -> str:
    """Return what makes a gate required ("definition", "selection", "election_window") or ""."""
    if gate.get("required"):
        return "definition"
    if str(gate["code"]) in marked:
        return "selection"
    if window is not None:
        return ELECTION_WINDOW
    return ""


def gate_statuses(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    params: Mapping[str, Any],
    on_day: date,
) -> list[GateStatus]:
    """Return the status of every approval gate of the selection's definition on a day."""
    by_purpose = _letters_by_purpose(session, selection.id)
    marked = set(params.get("required_gates") or [])
    first, last = selection_span(selection, on_day)
    windows = [w for w in election_windows(params) if w.overlaps(first, last)]
    statuses = []
    for gate in definition.approval_gates:
        code = str(gate["code"])
        condition = str(gate.get("when") or "")
        window = windows[0] if condition == ELECTION_WINDOW and windows else None
        required_by = _required_by(gate, marked, window)
        history = tuple(by_purpose.get(f"gate:{code}", []))
        statuses.append(
            GateStatus(
                code=code,
                authority=str(gate.get("authority", "")),
                label=str(gate.get("label", code)),
                name=gate_name(gate),
                required=bool(required_by),
                required_by=required_by,
                condition=condition,
                window=window,
                approval=history[0] if history else None,
                history=history,
            )
        )
    return statuses


def missing_gate_reasons(statuses: Sequence[GateStatus]) -> list[Reason]:
    """Return one reason per required gate without a letter on file."""
    reasons = []
    for status in statuses:
        if not status.required or status.recorded:
            continue
        if status.required_by == ELECTION_WINDOW and status.window is not None:
            reasons.append(
                Reason(
                    "approval.gate_missing_election",
                    N_(
                        "The %(gate)s is not recorded yet; it is needed because the selection"
                        " runs inside the election window %(starts)s to %(ends)s (%(why)s)."
                    ),
                    {
                        "gate": status.name,
                        "starts": short_date(status.window.starts_on),
                        "ends": short_date(status.window.ends_on),
                        "why": status.window.reason,
                        "code": status.code,
                    },
                )
            )
        else:
            reasons.append(
                Reason(
                    "approval.gate_missing",
                    N_("The %(gate)s is not recorded yet."),
                    {"gate": status.name, "code": status.code},
                )
            )
    return reasons
