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


@dataclass(frozen=True)
class Outcome:
    """A step of the application the candidate may see: what happened, when, and why."""

    event: str
    state: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class Stage:
    """A stage of the selection on the candidate's timeline."""

    name: str
    label: str  # English source from the definition; translate for display
    reached_at: datetime | None
    planned_start: date | None
    planned_end: date | None
    current: bool


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
        outcomes.append(Outcome(event.event, event.to_state or "", event.occurred_at, reason))
    return outcomes


def _schedule(selection: Selection) -> dict[str, tuple[date | None, date | None]]:
    planned: dict[str, tuple[date | None, date | None]] = {}
    for item in selection.schedule or []:
        if not isinstance(item, Mapping) or not item.get("stage"):
            continue
        dates = []
        for key in ("starts_on", "ends_on"):
            try:
                dates.append(date.fromisoformat(str(item.get(key))) if item.get(key) else None)
            except ValueError:
                dates.append(None)
        planned[str(item["stage"])] = (dates[0], dates[1])
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
        stages = _stages(selection, machine, chain_events)
        result[application.id] = Timeline(application, visible_state, stages, outcomes)
    return result


def _stages(
    selection: Selection, machine: MachineDef, chain_events: Sequence[AuditEvent]
) -> list[Stage]:
    """Return the selection's public stages: when each was reached and when it is planned."""
    reached: dict[str, datetime] = {}
    for event in chain_events:
        if event.subject_type == "selection" and event.to_state:
            reached.setdefault(event.to_state, event.occurred_at)
    planned = _schedule(selection)
    stages = []
    for state in machine.states:
        if state.name in INTERNAL_STAGES:
            continue
        if (
            state.name in machine.final
            and state.name not in reached
            and state.name != SelectionState.COMPLETED
        ):
            continue  # "cancelled" appears only when it happened
        start, end = planned.get(state.name, (None, None))
        stages.append(
            Stage(
                name=state.name,
                label=state.label,
                reached_at=reached.get(state.name),
                planned_start=start,
                planned_end=end,
                current=state.name == selection.state,
            )
        )
    return stages
