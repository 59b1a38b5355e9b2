"""Hash-chained audit events: append inside the caller's transaction; the exact check.

Each event's ``hash = sha256(canonical_json(event) + prev_hash)``. Chains are per selection
("selection:<id>"), so selections never serialise on each other; everything else goes to the
"system" chain. A chain head row holds the last seq and hash: appends lock it, and
verification compares it with the last event, so deleting the newest event is caught too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from openbid import clock
from openbid.models import AuditChainHead, AuditEvent, User

GENESIS_HASH = "0" * 64
SYSTEM_CHAIN = "system"


def chain_for(selection_id: int | None) -> str:
    """Return the chain key of a selection, or the system chain."""
    return f"selection:{selection_id}" if selection_id is not None else SYSTEM_CHAIN


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable for the audit log")


def canonical_json(value: Any) -> str:
    """Serialise deterministically: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def normalise_payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the payload exactly as it will read back from the database."""
    return json.loads(canonical_json(dict(payload or {})))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """Return the fields an event's hash covers."""
    return {
        "chain": event.chain,
        "seq": event.seq,
        "selection_id": event.selection_id,
        "occurred_at": _timestamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "actor_role": event.actor_role,
        "event": event.event,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "payload": event.payload,
    }


def compute_hash(event: AuditEvent) -> str:
    """Return sha256 over the event's canonical JSON followed by the previous hash."""
    material = canonical_json(event_fields(event)) + event.prev_hash
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# The chain head's statements, built once: every appended event runs them.
_HEAD = AuditChainHead.__table__
_KEY = sa.bindparam("key")
_TOUCH_HEAD = _HEAD.update().where(_HEAD.c.chain == _KEY).values(seq=_HEAD.c.seq)
_READ_HEAD = sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.chain == _KEY).with_for_update()
_WRITE_HEAD = _HEAD.update().where(_HEAD.c.chain == _KEY)


_EVENTS = AuditEvent.__table__
_EVENT_COLUMNS = [column for column in _EVENTS.columns if column.key != "id"]
_INSERT_EVENT = _EVENTS.insert().returning(_EVENTS.c.id)


def _lock_head(session: Session, chain: str) -> tuple[int, str]:
    """Return the chain head's (seq, hash), locked for this transaction, creating it on first use.

    Read as plain columns, not as a row object: the head is read and written once per event,
    and the ORM's bookkeeping for it cost more than the round trip.

    SQLite has no row locks and begins a transaction at its first write: the head is written
    (unchanged) before it is read, so the read happens under the database's write lock,
    whatever the caller has written before (fire() writes its row's change before or after
    this, as its actions allow).
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(_TOUCH_HEAD, {"key": chain})
    head = session.execute(_READ_HEAD, {"key": chain}).first()
    if head is not None:
        return head.seq, head.hash
    try:
        with session.begin_nested():
            session.add(AuditChainHead(chain=chain, seq=0, hash=GENESIS_HASH))
    except IntegrityError:
        # Another transaction created it first; wait for its lock like everyone else.
        seq, digest = session.execute(_READ_HEAD, {"key": chain}).one()
        return seq, digest
    return 0, GENESIS_HASH


def _move_head(session: Session, chain: str, seq: int, digest: str) -> None:
    """Write the chain head's new (seq, hash) under the lock ``_lock_head`` took.

    A head object the session holds (one it created) is expired: it is read again if used.
    """
    session.execute(_WRITE_HEAD, {"key": chain, "seq": seq, "hash": digest})
    key = sa.inspect(AuditChainHead).identity_key_from_primary_key((chain,))
    held = session.identity_map.get(key)
    if held is not None:
        session.expire(held)


def lock_head(session: Session, selection_id: int | None) -> tuple[int, str]:
    """Return a chain's (seq, hash) head, locked until the caller's transaction ends."""
    return _lock_head(session, chain_for(selection_id))


def append(
    session: Session,
    *,
    event: str,
    actor: User | None,
    subject_type: str,
    subject_id: int | None,
    selection_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    payload: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Append an event to its chain inside the caller's transaction; the caller commits.

    The event is written at once, as a plain INSERT (the unit of work's bookkeeping for a
    row written once cost more than the statement), and returned as a row of the session.
    ``flush``: write the caller's pending changes first; with ``flush=False`` they wait for
    the caller's next flush (fire(): the row's change is written once, with the actions').
    """
    chain = chain_for(selection_id)
    head_seq, head_hash = _lock_head(session, chain)
    row = AuditEvent(
        chain=chain,
        seq=head_seq + 1,
        selection_id=selection_id,
        occurred_at=occurred_at or clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor=f"{actor.name} <{actor.email}>" if actor is not None else "system",
        actor_role=str(actor.role) if actor is not None else "system",
        event=event,
        subject_type=subject_type,
        subject_id=subject_id,
        from_state=from_state,
        to_state=to_state,
        payload=normalise_payload(payload),
        prev_hash=head_hash,
    )
    row.hash = compute_hash(row)
    _move_head(session, chain, row.seq, row.hash)
    if flush:
        session.flush()
    values = {column.key: getattr(row, column.key) for column in _EVENT_COLUMNS}
    row.id = session.execute(_INSERT_EVENT, values).scalar_one()
    make_transient_to_detached(row)  # as if read back: persistent in the session, unchanged
    session.add(row)
    return row


@dataclasses.dataclass(frozen=True)
class Witness:
    """A hash a chain had at a position, as recorded outside the database.

    ``source`` names the witness for a person, e.g. a checkpoint file or an issued document.
    """

    chain: str
    seq: int
    hash: str
    source: str


@dataclasses.dataclass(frozen=True)
class ChainProblem:
    """The first thing wrong with one chain."""

    chain: str
    selection_id: int | None
    event_id: int | None
    seq: int
    message: str


@dataclasses.dataclass(frozen=True)
class VerifyReport:
    """Outcome of re-computing every chain."""

    chains: int
    events: int
    problems: list[ChainProblem]
    # The (seq, hash) each intact chain was verified up to.
    heads: dict[str, tuple[int, str]] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return whether every chain is intact."""
        return not self.problems


def selection_of(chain: str) -> int | None:
    """Return the selection id of a chain key, or None for the system chain."""
    return int(chain.split(":", 1)[1]) if chain.startswith("selection:") else None


def _event_problem(event: AuditEvent, expected_seq: int, prev_hash: str) -> str | None:
    """Return what is wrong with one event given its predecessor, or None."""
    if event.seq != expected_seq:
        return (
            f"event #{expected_seq} is missing before event id {event.id} (#{event.seq}): "
            "it was deleted"
        )
    if event.prev_hash != prev_hash:
        return f"event id {event.id} (#{event.seq}) does not link to the previous event"
    if compute_hash(event) != event.hash:
        return (
            f"event id {event.id} (#{event.seq}, {event.event}) was altered: "
            "its hash does not match its content"
        )
    return None


def _witness_problem(event: AuditEvent, witnesses: list[Witness], confirmed: int) -> str | None:
    """Return how an event contradicts a witness of its position, or None.

    ``confirmed`` is the last position a witness agreed with: the rewrite lies after it.
    """
    for witness in witnesses:
        if witness.hash == event.hash:
            continue
        where = (
            "the chain was rewritten from this event on"
            if confirmed >= event.seq - 1
            else f"the chain was rewritten after event #{confirmed}, at or before this one"
        )
        return (
            f"event #{event.seq} ({event.event}) differs from {witness.source} "
            f"(hash {witness.hash[:16]}…, the database has {event.hash[:16]}…): {where}"
        )
    return None


def verify_chain_exact(
    session: Session, chain: str, witnesses: list[Witness] | None = None
) -> tuple[int, ChainProblem | None, str]:
    """Re-compute one chain from ORM objects; return (events read, first problem, last hash).

    The reference the fast check (``audit.verify``) is held to, and what it falls back on.

    With ``witnesses`` (of this chain), the chain must also still have each witnessed hash
    at its position: that catches a chain rewritten with every later hash recomputed.
    """
    head = session.get(AuditChainHead, chain)
    selection_id = selection_of(chain)
    by_seq: dict[int, list[Witness]] = {}
    for witness in witnesses or ():
        if witness.chain == chain and witness.seq > 0:
            by_seq.setdefault(witness.seq, []).append(witness)
    confirmed = 0
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=500)
    )
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    # Closed explicitly: on PostgreSQL yield_per streams through a server-side cursor, and an
    # early return on the first problem must not leave it open.
    with contextlib.closing(session.scalars(stmt)) as events:
        for event in events:
            count += 1
            message = _event_problem(event, expected_seq, prev_hash)
            if message is None and event.seq in by_seq:
                message = _witness_problem(event, by_seq[event.seq], confirmed)
                confirmed = event.seq
            if message is not None:
                problem = ChainProblem(chain, selection_id, event.id, event.seq, message)
                return count, problem, prev_hash
            prev_hash = event.hash
            expected_seq += 1
    last_seq = expected_seq - 1
    if head is None and last_seq:
        message = "the chain head record is missing"
    elif head is not None and (head.seq != last_seq or head.hash != prev_hash):
        message = (
            f"the chain records {head.seq} events but {last_seq} remain: "
            f"event #{last_seq + 1} onwards was deleted"
        )
    elif by_seq and max(by_seq) > last_seq:
        witness = by_seq[min(seq for seq in by_seq if seq > last_seq)][0]
        message = (
            f"the chain ends at event #{last_seq} but {witness.source} recorded event "
            f"#{witness.seq} (hash {witness.hash[:16]}…): event #{last_seq + 1} onwards "
            "was deleted"
        )
    else:
        return count, None, prev_hash
    return count, ChainProblem(chain, selection_id, None, last_seq + 1, message), prev_hash


def chains(session: Session) -> list[str]:
    """Return every chain key known from events or heads."""
    from_events = sa.select(AuditEvent.chain).distinct()
    from_heads = sa.select(AuditChainHead.chain)
    return sorted(set(session.scalars(from_events)) | set(session.scalars(from_heads)))


def iter_events(session: Session, selection_id: int) -> Iterator[AuditEvent]:
    """Yield a selection's events in chain order."""
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.chain == chain_for(selection_id))
        .order_by(AuditEvent.seq)
    )
    yield from session.scalars(stmt)
