"""The candidate's timeline of an application: the selection's stages and the published steps.

What a candidate may see of the committee's work is decided here: a step of the application
shows once it is published (see ``notices``); the agency's planning stages never show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    AuditEvent,
    ScreeningVerdict,
    Selection,
    SelectionState,
)
from openbid.stages.applications.notices import (
    IMMEDIATE_EVENTS,
    NOTIFIED_EVENT,
    OWN_EVENTS,
    event_reason,
)
from openbid.workflow import definition_of
from openbid.workflow.definition import MachineDef

# Stages before the announcement are the agency's planning; candidates do not see them.
INTERNAL_STAGES = frozenset({SelectionState.DRAFT, SelectionState.APPROVAL})
# Application states that end the candidate's way through the selection (as far as is
# published): later stages are not theirs, whatever the selection goes on to do.
ENDED_STATES = frozenset(
    {
        ApplicationState.WITHDRAWN,
        ApplicationState.INELIGIBLE,
        ApplicationState.ELIMINATED,
        ApplicationState.NOT_SHORTLISTED,
        ApplicationState.NOT_APPOINTED,
        ApplicationState.CLOSED,
    }
)
# The stage whose committee makes each decision; the decision itself may be recorded by the
# action that closes the stage, when the selection has already moved on.
DECIDED_IN = {
    ApplicationState.INELIGIBLE: SelectionState.ADMINISTRATIVE_SCREENING,
    ApplicationState.NOT_SHORTLISTED: SelectionState.INTERVIEW,
    ApplicationState.NOT_APPOINTED: SelectionState.APPOINTMENT,
}
# Words by which a schedule row (free text, as the announcement prints it) names a stage.
SCHEDULE_WORDS = {
    SelectionState.ADMINISTRATIVE_SCREENING: ("seleksi administrasi", "administrative"),
    SelectionState.COMPETENCY_ASSESSMENT: (
        "penilaian kompetensi",
        "assessment",
        "makalah",
        "rekam jejak",
        "kesehatan",
        "kejiwaan",
        "psikolog",
    ),
    SelectionState.INTERVIEW: ("wawancara", "interview"),
}


@dataclass(frozen=True)
class Outcome:
    """A step of the application the candidate may see: what happened, when, and why."""

    event: str
    state: str
    at: datetime
    reason: str = ""
    seq: int = 0
    code: str = ""


@dataclass(frozen=True)
class Planned:
    """A row of the selection's schedule: what, from when to when, at what time and where."""

    title: str
    starts_on: date | None
    ends_on: date | None
    time: str = ""  # "HH:MM" Jakarta time, when the schedule gives one
    place: str = ""


@dataclass(frozen=True)
class Stage:
    """A stage of the selection on the candidate's timeline."""

    name: str
    label: str  # English source from the definition; translate for display
    reached_at: datetime | None
    planned_start: date | None
    planned_end: date | None
    current: bool
    # For this candidate: done, current, todo, ended (their application ended here) or
    # not_reached (after it ended).
    status: str = "todo"
    ended: Outcome | None = None
    # The schedule's rows for this stage, shown while the stage is still ahead or under way.
    planned: tuple[Planned, ...] = ()


@dataclass(frozen=True)
class Timeline:
    """An application as its candidate may see it."""

    application: Application
    visible_state: str
    stages: list[Stage]
    outcomes: list[Outcome]

    @property
    def last_outcome(self) -> Outcome | None:
        """Return the latest visible step."""
        return self.outcomes[-1] if self.outcomes else None


def _events_of(selection_ids: Iterable[int], application_ids: Iterable[int]) -> list[AuditEvent]:
    chains = [audit.chain_for(sid) for sid in set(selection_ids)]
    app_ids = list(set(application_ids))
    if not chains:
        return []
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.chain.in_(chains),
                sa.or_(
                    sa.and_(
                        AuditEvent.subject_type == "selection",
                        sa.or_(
                            AuditEvent.to_state.is_not(None), AuditEvent.event == NOTIFIED_EVENT
                        ),
                    ),
                    sa.and_(
                        AuditEvent.subject_type == "application",
                        AuditEvent.subject_id.in_(app_ids),
                        AuditEvent.to_state.is_not(None),
                    ),
                ),
            )
            .order_by(AuditEvent.chain, AuditEvent.seq)
        )
    )


def _visible_outcomes(
    application: Application,
    events: Sequence[AuditEvent],
    final: bool,
    verdicts: Mapping[int, ScreeningVerdict],
) -> list[Outcome]:
    """Return the application's steps that are published, in order."""
    notified_seqs = [
        e.seq for e in events if e.subject_type == "selection" and e.event == NOTIFIED_EVENT
    ]
    last_notice = max(notified_seqs, default=0)
    outcomes = []
    for event in events:
        if event.subject_type != "application" or event.subject_id != application.id:
            continue
        published = (
            final
            or event.event in OWN_EVENTS
            or event.event in IMMEDIATE_EVENTS
            or event.seq < last_notice
        )
        if not published:
            continue
        reason = event_reason(event)
        verdict = verdicts.get(application.id)
        if (
            event.event == ApplicationEvent.FAIL_SCREENING
            and verdict is not None
            and verdict.reason
        ):
            reason = verdict.reason
        if event.event in OWN_EVENTS or event.to_state in {
            ApplicationState.ELIGIBLE,
            ApplicationState.SHORTLISTED,
            ApplicationState.APPOINTED,
        }:
            reason = ""  # a pass needs no reason; the candidate's own steps have none
        code = str(((event.payload or {}).get("data") or {}).get("code") or "")
        outcomes.append(
            Outcome(event.event, event.to_state or "", event.occurred_at, reason, event.seq, code)
        )
    return outcomes


def _planned_row(item: Mapping) -> Planned:
    dates = []
    for key in ("starts_on", "ends_on"):
        try:
            dates.append(date.fromisoformat(str(item.get(key))) if item.get(key) else None)
        except ValueError:
            dates.append(None)
    return Planned(
        str(item["stage"]),
        dates[0],
        dates[1],
        str(item.get("time") or ""),
        str(item.get("place") or ""),
    )


def _schedule(selection: Selection) -> dict[str, list[Planned]]:
    """Return the schedule's rows by the stage they belong to (by name, or by its words)."""
    planned: dict[str, list[Planned]] = defaultdict(list)
    for item in selection.schedule or []:
        if not isinstance(item, Mapping) or not item.get("stage"):
            continue
        row = _planned_row(item)
        text = row.title.casefold()
        if text.startswith(("pengumuman", "announcement")):
            continue  # announcing a stage's results is not the stage
        for state, words in SCHEDULE_WORDS.items():
            if text == state or any(word in text for word in words):
                planned[state].append(row)
                break
        else:
            planned[row.title].append(row)
    return planned


def timelines(applications: Sequence[Application]) -> dict[int, Timeline]:
    """Return each application's timeline, reading the audit trail in one query."""
    if not applications:
        return {}
    selections = {a.position.selection_id: a.position.selection for a in applications}
    events = _events_of(selections, (a.id for a in applications))
    by_chain: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_chain[event.chain].append(event)
    verdicts = {
        v.application_id: v
        for v in db.session.scalars(
            sa.select(ScreeningVerdict).where(
                ScreeningVerdict.application_id.in_([a.id for a in applications])
            )
        )
    }
    result = {}
    for application in applications:
        selection = selections[application.position.selection_id]
        chain_events = by_chain[audit.chain_for(selection.id)]
        machine = definition_of(selection).machine("selection")
        final = selection.state in machine.final
        outcomes = _visible_outcomes(application, chain_events, final, verdicts)
        app_machine = definition_of(selection).machine("application")
        visible_state = outcomes[-1].state if outcomes else app_machine.initial
        ended = outcomes[-1] if outcomes and outcomes[-1].state in ENDED_STATES else None
        stages = _stages(selection, machine, chain_events, ended)
        result[application.id] = Timeline(application, visible_state, stages, outcomes)
    return result


def _stages(
    selection: Selection,
    machine: MachineDef,
    chain_events: Sequence[AuditEvent],
    ended: Outcome | None,
) -> list[Stage]:
    """Return the selection's public stages as this candidate lived them."""
    reached: dict[str, datetime] = {}
    for event in chain_events:
        if event.subject_type == "selection" and event.to_state:
            reached.setdefault(event.to_state, event.occurred_at)
    ended_in = _ended_in(ended, chain_events) if ended is not None else None
    planned = _schedule(selection)
    stages = []
    after_end = False
    for state in machine.states:
        if state.name in INTERNAL_STAGES:
            continue
        if (
            state.name in machine.final
            and state.name not in reached
            and state.name != SelectionState.COMPLETED
        ):
            continue  # "cancelled" appears only when it happened
        rows = planned.get(state.name, [])
        start, end = (rows[0].starts_on, rows[-1].ends_on) if rows else (None, None)
        current = state.name == selection.state
        status = "current" if current else ("done" if state.name in reached else "todo")
        if after_end:
            status = "not_reached"
        elif state.name == ended_in:
            status, after_end = "ended", True
        ahead = status in {"current", "todo"}
        stages.append(
            Stage(
                name=state.name,
                label=state.label,
                reached_at=reached.get(state.name),
                planned_start=start if ahead or status == "done" else None,
                planned_end=end if ahead or status == "done" else None,
                current=current,
                status=status,
                ended=ended if status == "ended" else None,
                planned=tuple(rows) if ahead else (),
            )
        )
    return stages


def _ended_in(ended: Outcome, chain_events: Sequence[AuditEvent]) -> str | None:
    """Return the stage in which the candidate's application ended."""
    decided = DECIDED_IN.get(ended.state)
    if ended.code.startswith("unfit_"):
        decided = SelectionState.COMPETENCY_ASSESSMENT  # found unfit when the assessment closed
    if decided is not None:
        return decided
    stage = None
    for event in chain_events:
        if event.seq > ended.seq:
            break
        if event.subject_type == "selection" and event.to_state:
            stage = event.to_state
    return stage
