"""The workflow engine: every state change of a selection or application goes through fire().

fire() is one database transaction: lock the row, check the actor's role and access, check the
guards, move the state with a transitions Machine, append the audit event, run the actions,
commit. Any failure rolls everything back, so there is never a state without its audit event,
an audit event without its state, or a document number consumed by a failed render.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from openbid import audit
from openbid.extensions import db
from openbid.models import AuditEvent, Selection, User
from openbid.rules.reasons import N_, Reason, Term
from openbid.workflow.access import access_reasons, check_access, lock, role_reason
from openbid.workflow.definition import (
    MachineDef,
    TransitionDef,
    WorkflowDefinition,
)
from openbid.workflow.errors import (
    Conflict,
    EventNotAvailable,
    Forbidden,
    GuardFailed,
    StaleState,
    WorkflowError,
)
from openbid.workflow.installed import Row, definition_of, selection_of, workflows
from openbid.workflow.registry import ACTIONS, GUARDS

__all__ = [
    "Conflict",
    "Context",
    "EventNotAvailable",
    "EventOption",
    "FireResult",
    "Forbidden",
    "GuardFailed",
    "StaleState",
    "WorkflowError",
    "access_reasons",
    "after_commit",
    "available_events",
    "kept_after_commit",
    "definition_of",
    "fire",
    "workflows",
]


@dataclass
class Context:
    """What guards and actions see: the row, its selection, the actor and the event's data."""

    session: Session
    row: Row
    selection: Selection
    actor: User
    definition: WorkflowDefinition
    machine: MachineDef
    transition: TransitionDef
    data: Mapping[str, Any]
    params: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    # The transition's event; None while actions registered ``audit_free`` run (see fire()).
    audit_event: Any = None


@dataclass(frozen=True)
class EventOption:
    """An event as a button: whether it is enabled and, if not, why."""

    name: str
    label: str
    enabled: bool
    reasons: list[Reason]
    requires: tuple[str, ...]
    dest: str


@dataclass(frozen=True)
class FireResult:
    """What fire() did."""

    event: str
    from_state: str
    to_state: str
    audit_event_id: int
    outputs: dict[str, Any]


def _machine_name(row: Row) -> str:
    return "selection" if isinstance(row, Selection) else "application"


def _subject_type(row: Row) -> str:
    return "selection" if isinstance(row, Selection) else "application"


def _event_label(machine: MachineDef, event: str) -> str:
    return next((t.label for t in machine.transitions if t.trigger == event), event)


def _missing_data(transition: TransitionDef, data: Mapping[str, Any]) -> list[Reason]:
    reasons = []
    for name in transition.requires:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            reasons.append(Reason("data.required", N_("%(field)s is required."), {"field": name}))
    return reasons


def evaluate_guards(ctx: Context) -> list[Reason]:
    """Run every guard of the transition and collect the reasons of those that fail."""
    reasons: list[Reason] = []
    for name in ctx.transition.guards:
        result = GUARDS.get(name)(ctx)
        if result is None:
            continue
        reasons.extend(result if isinstance(result, list) else [result])
    return reasons


class _Binding:
    """The model a transitions Machine drives: its state reads and writes the row's column."""

    def __init__(self, row: Row | None) -> None:
        self._row = row
        self._state = ""

    def bind(self, row: Row | None) -> None:
        """Drive row from now on (None: no row)."""
        self._row = row

    @property
    def state(self) -> str:
        return self._row.state if self._row is not None else self._state

    @state.setter
    def state(self, value: str) -> None:
        if self._row is None:  # the machine's initial state, set while it is built
            self._state = value
        elif self._row.state != value:  # binding with the row's state must not dirty it
            self._row.state = value


STALE = Reason(
    "conflict.stale",
    N_("Someone else changed this record a moment ago; reload and try again."),
)
BUSY = Reason("conflict.busy", N_("The record is being changed by someone else; try again."))


def _build_context(
    session: Session, row: Row, actor: User, transition: TransitionDef, data: Mapping[str, Any]
) -> Context:
    selection = selection_of(row)
    definition = workflows().get(selection.workflow_key, selection.workflow_version)
    return Context(
        session=session,
        row=row,
        selection=selection,
        actor=actor,
        definition=definition,
        machine=definition.machine(_machine_name(row)),
        transition=transition,
        data=data,
        params=definition.params(selection.parameters),
    )


def fire(
    row: Row,
    event: str,
    actor: User,
    data: Mapping[str, Any] | None = None,
    *,
    expected_version: int | None = None,
    commit: bool = True,
) -> FireResult:
    """Fire event on row as actor, atomically; commit on success, roll back on any error.

    With ``commit=False`` the caller owns the transaction: an action moving child rows
    (e.g. each application when the results are frozen) fires inside its parent's
    transaction, and any error propagates so the whole parent rolls back.

    :raises Forbidden: the actor's role or access does not allow it.
    :raises EventNotAvailable: the event is not valid from the row's current state.
    :raises StaleState: the row changed since the caller loaded it (expected_version).
    :raises GuardFailed: a guard or a required field failed, with reasons.
    """
    session = db.session
    data = dict(data or {})
    seen_version = row.version if expected_version is None else expected_version
    with _transaction(session, commit=commit):
        row = _lock_unchanged(session, row, seen_version)
        transition = _transition_for(row, event)
        _check_actor(session, actor, row, transition)
        ctx = _build_context(session, row, actor, transition, data)
        _check_guards(ctx)
        from_state = _move(ctx, event)
        # The event takes its place in the chain before the actions run (their own events and
        # documents come after it), unless none of them touches the audit trail: then after
        # them, so the chain head (which serialises every change of the selection) is locked
        # for the last statements before the commit only, not while the actions run.
        late = ACTIONS.audit_free(ctx.transition.actions)
        if not late:
            ctx.audit_event = _append_audit(ctx, event, from_state)
        _run_actions(ctx)
        if late:
            session.flush()  # the row's change and the actions' writes, before the head's lock
            ctx.audit_event = _append_audit(ctx, event, from_state)
        # The version check happens here (a lost race raises StaleDataError) or at an action's
        # first query: the row's new state is written once with what the actions set on it.
        session.flush()
        result = FireResult(event, from_state, row.state, ctx.audit_event.id, ctx.outputs)
        _finish(session, row, result, commit=commit)
        return result


@contextmanager
def _transaction(session: Session, *, commit: bool) -> Iterator[None]:
    """fire()'s transaction: any error rolls it back when fire() owns it (``commit``).

    A lost race (the version check at flush, SQLite's database lock) becomes StaleState
    then; inside a caller's transaction every error propagates unchanged.
    """
    try:
        yield
    except StaleDataError:
        if not commit:
            raise
        session.rollback()
        raise StaleState(STALE) from None
    except OperationalError as exc:
        if not commit:
            raise
        session.rollback()
        if "locked" in str(exc.orig).lower():  # SQLite's single writer lost the race
            raise StaleState(BUSY) from None
        raise
    except BaseException:
        if commit:
            session.rollback()
        raise


def _lock_unchanged(session: Session, row: Row, seen_version: int) -> Row:
    """Lock the row and return it as stored, unless it changed since the caller saw it.

    :raises StaleState: when its version is no longer seen_version.
    """
    row = lock(session, type(row), row.id)
    if row.version != seen_version:
        raise StaleState(STALE)
    return row


def _transition_for(row: Row, event: str) -> TransitionDef:
    """Return the transition event fires from the row's state in its pinned definition.

    :raises EventNotAvailable: when the definition has no such event, or not from this state.
    """
    machine_def = definition_of(row).machine(_machine_name(row))
    transition = machine_def.find(event, row.state)
    if transition is not None:
        return transition
    if not machine_def.has_trigger(event):
        raise EventNotAvailable(
            Reason("event.unknown", N_("There is no action %(event)s."), {"event": event})
        )
    raise EventNotAvailable(
        Reason(
            "event.not_available",
            N_("“%(event)s” is not possible at the stage “%(state)s”."),
            {
                "event": Term(_event_label(machine_def, event)),
                "state": Term(machine_def.state_label(row.state)),
            },
        )
    )


def _check_actor(session: Session, actor: User, row: Row, transition: TransitionDef) -> None:
    """Refuse an actor whose role may not fire transition, or who may not act on row.

    :raises Forbidden: with the role's reason, else the access reasons.
    """
    denied = role_reason(actor, transition)
    if denied is not None:
        raise Forbidden(denied)
    check_access(actor, row, selection_of(row), session)


def _check_guards(ctx: Context) -> None:
    """Refuse the event while a required field is empty or a guard does not hold.

    :raises GuardFailed: with every reason, the missing fields first.
    """
    reasons = _missing_data(ctx.transition, ctx.data) + evaluate_guards(ctx)
    if reasons:
        raise GuardFailed(reasons)


class _Machines(threading.local):
    """Each thread's transitions Machine per machine definition, built on first use.

    Building one costs more than the rest of a transition outside the database; a machine
    is bound to its row only for the trigger (``_bound``), so none holds a row between
    events, and none is shared between threads.
    """

    def __init__(self) -> None:
        self.built: dict[int, tuple[MachineDef, Machine, _Binding]] = {}

    def get(self, machine_def: MachineDef) -> tuple[Machine, _Binding]:
        """Return this thread's machine for machine_def and the binding it drives."""
        held = self.built.get(id(machine_def))
        if held is None or held[0] is not machine_def:
            binding = _Binding(None)
            machine = Machine(
                model=binding,
                initial=machine_def.initial,
                **machine_def.machine_config(lambda _event: True),
            )
            held = (machine_def, machine, binding)
            self.built[id(machine_def)] = held
        return held[1], held[2]


_MACHINES = _Machines()


@contextmanager
def _bound(machine_def: MachineDef, row: Row) -> Iterator[_Binding]:
    """Yield this thread's machine for machine_def bound to row, in the row's state."""
    machine, binding = _MACHINES.get(machine_def)
    binding.bind(row)
    try:
        machine.set_state(row.state, model=binding)
        yield binding
    finally:
        binding.bind(None)


def _move(ctx: Context, event: str) -> str:
    """Trigger event on a transitions Machine bound to the row; return the state it left.

    :raises EventNotAvailable: when the machine refuses the trigger.
    """
    row = ctx.row
    from_state = row.state
    with _bound(ctx.machine, row) as binding:
        moved = binding.trigger(event)
    if not moved:
        raise EventNotAvailable(
            Reason(
                "event.refused",
                N_("“%(event)s” could not be done; reload the page and try again."),
                {"event": Term(_event_label(ctx.machine, event))},
            )
        )
    return from_state


def _append_audit(ctx: Context, event: str, from_state: str) -> AuditEvent:
    """Append the transition's event to the selection's audit chain and return it.

    Nothing is flushed yet: the row's change and the event are written by the next flush,
    so an action setting more on the row (a submission's snapshot) adds no second UPDATE.
    """
    with ctx.session.no_autoflush:
        return audit.append(
            ctx.session,
            flush=False,
            event=event,
            actor=ctx.actor,
            subject_type=_subject_type(ctx.row),
            subject_id=ctx.row.id,
            selection_id=ctx.selection.id,
            from_state=from_state,
            to_state=ctx.row.state,
            payload={"data": ctx.data, "workflow": ctx.definition.ident},
        )


def _run_actions(ctx: Context) -> None:
    """Run the transition's actions in order, in the transition's transaction."""
    for name in ctx.transition.actions:
        ACTIONS.get(name)(ctx)


def _finish(session: Session, row: Row, result: FireResult, *, commit: bool) -> None:
    """Commit and run the after-commit hooks; inside a caller's transaction, only flush."""
    if commit:
        session.commit()
        _run_after_commit(row, result)
    else:
        session.flush()


# app.extensions key: callables ``hook(row, result)`` run after fire() commits a change
# (e.g. openbid.checkpoints writes the chain head outside the database).
AFTER_COMMIT = "openbid.after_commit"


def after_commit(app: Flask, hook: Callable[[Row, FireResult], None]) -> None:
    """Run hook(row, result) after each change fire() commits in app (not inside a caller's).

    A failing hook is logged; the change it follows stays committed.
    """
    app.extensions.setdefault(AFTER_COMMIT, []).append(hook)


def _run_after_commit(row: Row, result: FireResult) -> None:
    """Run the app's after-commit hooks; one failing must not make the change look failed."""
    for hook in current_app.extensions.get(AFTER_COMMIT, ()):
        try:
            hook(row, result)
        except Exception:
            current_app.logger.exception("after-commit hook %r failed", hook)


@contextmanager
def kept_after_commit() -> Iterator[None]:
    """Keep the rows loaded in the block as fire() committed them, for the answer to a write.

    A commit expires every row, and the answer (the row as the change left it) would read
    each again, one query apiece. In the block the rows keep what the transaction read and
    wrote: the rows fire() changed hold exactly what it committed, under its lock.
    """
    session = db.session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = previous


def available_events(row: Row, actor: User) -> list[EventOption]:
    """List the events from the row's state that the actor's role may fire, enabled or not."""
    session = db.session
    selection = selection_of(row)
    definition = workflows().get(selection.workflow_key, selection.workflow_version)
    machine_def = definition.machine(_machine_name(row))
    access = access_reasons(actor, row, selection, session)
    options = []
    for transition in machine_def.transitions_from(row.state):
        if role_reason(actor, transition) is not None:
            continue
        ctx = _build_context(session, row, actor, transition, {})
        reasons = access + (evaluate_guards(ctx) if not access else [])
        options.append(
            EventOption(
                name=transition.trigger,
                label=transition.label,
                enabled=not reasons,
                reasons=reasons,
                requires=transition.requires,
                dest=transition.dest,
            )
        )
    return options
