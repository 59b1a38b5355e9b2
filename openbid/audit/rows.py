"""The fast check of a run of one chain's events, from plain rows (no ORM objects).

A worker process can run it with nothing but a DB-API connection: the query asks the
database for each event's hashed fields already as text (the timestamp as ISO 8601 UTC, the
payload as its stored canonical JSON), so checking an event is one string join and one
SHA-256. An event whose stored text does not give its hash this way is a *suspect*, not a
verdict: the caller re-checks it exactly as ``chain.compute_hash`` does (a payload stored
in another JSON layout, by an older openbid, is re-serialised here first). Sequence gaps,
broken links and contradicted witnesses need no re-check and end the run.

Why a match here proves the event intact: the hashed text is a JSON object whose fields are
each one complete JSON token (strings escaped as ``json.dumps`` does, the payload a valid
JSON value: PostgreSQL's json type or SQLite's ``json_valid`` guarantees it), so equal texts
mean equal fields, and SHA-256 gives equal texts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import Any

GENESIS_HASH = "0" * 64
MAX_SUSPECTS = 100

_FIELDS = (
    "id, seq, selection_id, {occurred}, actor_id, actor, actor_role, event, subject_type, "
    "subject_id, from_state, to_state, {payload}, prev_hash, hash, {valid} FROM audit_event"
)
_FULL = {
    "postgresql": "SELECT "
    + _FIELDS.format(
        occurred='to_char(occurred_at, \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')',
        payload="payload::text",
        valid="true",
    ),
    "sqlite": "SELECT "
    + _FIELDS.format(
        occurred="replace(occurred_at, ' ', 'T') || '+00:00'",
        payload="payload",
        valid="json_valid(payload)",
    ),
}


def _material_sql(quote: str, number: str, occurred: str, payload: str) -> str:
    """Return SQL that spells an event's hashed text (see ``chain.compute_hash``)."""
    parts = [
        "'{\"actor\":' || " + quote.format("actor"),
        "',\"actor_id\":' || " + number.format("actor_id"),
        "',\"actor_role\":' || " + quote.format("actor_role"),
        "',\"chain\":' || " + quote.format("chain"),
        "',\"event\":' || " + quote.format("event"),
        "',\"from_state\":' || coalesce(" + quote.format("from_state") + ", 'null')",
        '\',"occurred_at":"\' || ' + occurred + " || '\"'",
        "',\"payload\":' || " + payload,
        "',\"selection_id\":' || " + number.format("selection_id"),
        "',\"seq\":' || " + number.format("seq"),
        "',\"subject_id\":' || " + number.format("subject_id"),
        "',\"subject_type\":' || " + quote.format("subject_type"),
        "',\"to_state\":' || coalesce(" + quote.format("to_state") + ", 'null')",
        "'}' || prev_hash",
    ]
    return " || ".join(parts)


# Each event's hashed text spelled by the database itself: to_json/json_quote escape a
# string exactly as json.dumps(ensure_ascii=False) does (a difference only costs a re-check).
_SHORT = {
    "postgresql": "SELECT id, seq, event, prev_hash, hash, "  # noqa: S608 - constant SQL
    + _material_sql(
        "to_json({})::text",
        "coalesce({}::text, 'null')",
        'to_char(occurred_at, \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')',
        "payload::text",
    )
    + " FROM audit_event",
    "sqlite": "SELECT id, seq, event, prev_hash, hash, "  # noqa: S608 - constant SQL
    + _material_sql(
        "json_quote({})",
        "coalesce(CAST({} AS TEXT), 'null')",
        "replace(occurred_at, ' ', 'T') || '+00:00'",
        "CASE WHEN json_valid(payload) THEN payload END",
    )
    + " FROM audit_event",
}
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _mark(dialect: str) -> str:
    return "%s" if dialect == "postgresql" else "?"


def range_query(dialect: str, lo: int | None, hi: int | None) -> str:
    """Return the SQL of a chain's events with lo < seq <= hi (None: unbounded), in order."""
    mark = _mark(dialect)
    base = f"{_SHORT[dialect]} WHERE chain = {mark}"
    if lo is not None:
        base += f" AND seq > {mark}"
    if hi is not None:
        base += f" AND seq <= {mark}"
    return base + " ORDER BY seq"


def range_params(chain: str, lo: int | None, hi: int | None) -> tuple[Any, ...]:
    """Return the parameters of ``range_query``."""
    return (chain, *(v for v in (lo, hi) if v is not None))


@dataclasses.dataclass
class RangeResult:
    """What one run of events showed; seqs and ids let the caller name events."""

    count: int = 0
    first: tuple[int, int, str] | None = None  # (seq, id, prev_hash) of the first event
    last: tuple[int, str] | None = None  # (seq, hash) of the last event read
    problem: tuple[int, int, int, str] | None = None  # (index, seq, id, message)
    suspects: list[tuple[int, int, int]] = dataclasses.field(default_factory=list)
    # (index, seq, id) whose database-spelled text did not hash right: checked field by field
    rechecks: list[tuple[int, int, int]] = dataclasses.field(default_factory=list)
    overflow: bool = False  # too many suspects: re-check the whole chain the slow way


def _num(value: Any) -> str:
    if value is None:
        return "null"
    if value.__class__ is not int:  # e.g. 5.5 in an integer column: the exact check decides
        raise ValueError(value)
    return str(value)


def _text(value: Any) -> str:
    return "null" if value is None else encode_basestring(value)


def _canonical_payload(raw: Any) -> str | None:
    """Return a stored payload's canonical JSON, or None when it is not JSON at all."""
    try:
        return _CANONICAL.encode(json.loads(raw))
    except (TypeError, ValueError):
        return None


def _matches(chain_json: str, row: Sequence[Any]) -> bool:
    """Return whether a row's stored text hashes to its stored hash."""
    (_, seq, selection_id, occurred, actor_id, actor, role, event, subject_type, subject_id,
     from_state, to_state, payload, prev_hash, digest, valid) = row  # fmt: skip
    try:
        head = "".join((
            '{"actor":', encode_basestring(actor), ',"actor_id":', _num(actor_id),
            ',"actor_role":', encode_basestring(role), ',"chain":', chain_json,
            ',"event":', encode_basestring(event), ',"from_state":', _text(from_state),
            ',"occurred_at":"', occurred, '","payload":',
        ))  # fmt: skip
        tail = "".join((
            ',"selection_id":', _num(selection_id), ',"seq":', _num(seq),
            ',"subject_id":', _num(subject_id), ',"subject_type":', encode_basestring(subject_type),
            ',"to_state":', _text(to_state), "}", prev_hash,
        ))  # fmt: skip
    except (TypeError, ValueError):
        return False  # a value of the wrong type: the exact check decides
    if valid and isinstance(payload, str):
        material = head + payload + tail
        if hashlib.sha256(material.encode("utf-8")).hexdigest() == digest:
            return True
    canonical = _canonical_payload(payload)
    if canonical is None or canonical == payload:
        return False
    return hashlib.sha256((head + canonical + tail).encode("utf-8")).hexdigest() == digest


def _witness_message(seq: int, event: str, digest: str, witnesses: list, confirmed: int) -> str:
    """Return how an event contradicts a witness of its position (see chain._witness_problem)."""
    for source, expected in witnesses:
        if expected == digest:
            continue
        where = (
            "the chain was rewritten from this event on"
            if confirmed >= seq - 1
            else f"the chain was rewritten after event #{confirmed}, at or before this one"
        )
        return (
            f"event #{seq} ({event}) differs from {source} "
            f"(hash {expected[:16]}…, the database has {digest[:16]}…): {where}"
        )
    return ""


def check_rows(
    chain: str,
    rows: Iterable[Sequence[Any]],
    witnesses: dict[int, list[tuple[str, str]]],
    confirmed: int,
) -> RangeResult:
    """Check a run of a chain's events in order (the first one's link is the caller's).

    ``witnesses`` maps a seq to its (source, hash) witnesses; ``confirmed`` is the last
    witnessed seq before this run (every earlier witness agreed, or it would have stopped).
    """
    result, sha256 = RangeResult(), hashlib.sha256
    previous: tuple[int, str] | None = None
    for index, row in enumerate(rows):
        event_id, seq, prev_hash, digest, material = row[0], row[1], row[3], row[4], row[5]
        result.count = index + 1
        if previous is None:
            result.first = (seq, event_id, prev_hash)
        elif seq != previous[0] + 1:
            message = (
                f"event #{previous[0] + 1} is missing before event id {event_id} (#{seq}): "
                "it was deleted"
            )
            result.problem = (index, seq, event_id, message)
            break
        elif prev_hash != previous[1]:
            message = f"event id {event_id} (#{seq}) does not link to the previous event"
            result.problem = (index, seq, event_id, message)
            break
        if material is None or sha256(material.encode("utf-8")).hexdigest() != digest:
            result.rechecks.append((index, seq, event_id))
        if seq in witnesses:
            message = _witness_message(seq, row[2], digest, witnesses[seq], confirmed)
            confirmed = seq
            if message:
                result.problem = (index, seq, event_id, message)
                break
        previous = (seq, digest)
        result.last = previous
    return result


def check_range(
    connection: Any,
    dialect: str,
    chain: str,
    bounds: tuple[int | None, int | None],
    witnesses: dict[int, list[tuple[str, str]]],
    confirmed: int,
) -> RangeResult:
    """Read a chain's events with lo < seq <= hi through a DB-API connection and check them."""
    lo, hi = bounds
    cursor = connection.cursor()
    try:
        cursor.execute(range_query(dialect, lo, hi), range_params(chain, lo, hi))
        rows = itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(2000), []))
        result = check_rows(chain, rows, witnesses, confirmed)
        _recheck(cursor, dialect, chain, result)
        return result
    finally:
        cursor.close()


def _recheck(cursor: Any, dialect: str, chain: str, result: RangeResult, batch: int = 500) -> None:
    """Check the rechecks field by field in Python (e.g. payloads stored before canonical
    text); what still fails becomes a suspect for the exact check.
    """
    chain_json, mark = encode_basestring(chain), _mark(dialect)
    for start in range(0, len(result.rechecks), batch):
        part = result.rechecks[start : start + batch]
        marks = ", ".join([mark] * len(part))
        cursor.execute(f"{_FULL[dialect]} WHERE id IN ({marks})", [i for _, _, i in part])
        good = {row[0] for row in cursor.fetchall() if _matches(chain_json, row)}
        result.suspects += [entry for entry in part if entry[2] not in good]
        if len(result.suspects) > MAX_SUSPECTS:
            result.overflow = True
            return
