"""Verify the chains fast: plain rows, stored canonical text, runs of events in parallel.

Every check of one event is local (its seq follows the previous one's, its ``prev_hash`` is
the previous ``hash``, its content hashes to its ``hash``, its witnesses agree), so a chain
is cut into runs of seqs that worker processes check at once (``audit.rows``), each on its
own connection; joining the runs checks the link across each cut and resolves suspects with
the exact ORM check. The first problem of each chain is the one the sequential check
(``chain.verify_chain_exact``) would name.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.audit import rows
from openbid.audit.chain import (
    GENESIS_HASH,
    ChainProblem,
    VerifyReport,
    Witness,
    chains,
    compute_hash,
    selection_of,
    verify_chain_exact,
)
from openbid.models import AuditChainHead, AuditEvent

PARALLEL_MIN_EVENTS = 20_000  # below this, starting processes costs more than it saves
MIN_RUN, MAX_RUN = 5_000, 25_000

WitnessMap = dict[int, list[tuple[str, str]]]


@dataclass(frozen=True)
class Task:
    """One run of one chain for a worker: lo < seq <= hi (None: unbounded)."""

    chain: str
    bounds: tuple[int | None, int | None]
    witnesses: WitnessMap
    confirmed: int


def witness_map(chain: str, witnesses: Sequence[Witness] | None) -> WitnessMap:
    """Return a chain's witnesses by seq as (source, hash) pairs."""
    found: WitnessMap = {}
    for witness in witnesses or ():
        if witness.chain == chain and witness.seq > 0:
            found.setdefault(witness.seq, []).append((witness.source, witness.hash))
    return found


def _tasks(chain: str, head_seq: int | None, size: int, by_seq: WitnessMap) -> list[Task]:
    """Cut a chain into runs of about ``size`` events."""
    cuts = list(range(size, head_seq, size)) if head_seq and head_seq > size else []
    bounds = list(zip([None, *cuts], [*cuts, None], strict=True))
    tasks = []
    for lo, hi in bounds:
        mine = {
            s: w for s, w in by_seq.items() if (lo is None or s > lo) and (hi is None or s <= hi)
        }
        confirmed = max((s for s in by_seq if lo is not None and s <= lo), default=0)
        tasks.append(Task(chain, (lo, hi), mine, confirmed))
    return tasks


def dbapi(session: Session) -> tuple[Any, str]:
    """Return the session's DB-API connection (inside its transaction) and dialect name."""
    connection = session.connection()
    return connection.connection.driver_connection, connection.dialect.name


def _worker_target(session: Session) -> tuple[str, str] | None:
    """Return how a worker process connects to the same database, or None if it cannot."""
    url = session.get_bind().url
    if url.get_backend_name() == "postgresql":
        return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        return ("sqlite", database) if not database.startswith("file:") else None
    return None


_worker: dict[str, Any] = {}


def _init_worker(dialect: str, target: str) -> None:
    """Open the worker process's own connection (read-only work, autocommit)."""
    if dialect == "postgresql":
        _worker["connection"] = psycopg.connect(target, autocommit=True)
    else:
        _worker["connection"] = sqlite3.connect(target)
    _worker["dialect"] = dialect


def _run_task(task: Task) -> rows.RangeResult:
    connection, dialect = _worker["connection"], _worker["dialect"]
    return rows.check_range(
        connection, dialect, task.chain, task.bounds, task.witnesses, task.confirmed
    )


def run_tasks(session: Session, tasks: list[Task], workers: int) -> list[rows.RangeResult]:
    """Check every run, in worker processes when ``workers`` > 1 and the database allows."""
    target = _worker_target(session) if workers > 1 and len(tasks) > 1 else None
    if target is None:
        connection, dialect = dbapi(session)
        return [
            rows.check_range(connection, dialect, t.chain, t.bounds, t.witnesses, t.confirmed)
            for t in tasks
        ]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=context,
        initializer=_init_worker,
        initargs=target,
    ) as pool:
        return list(pool.map(_run_task, tasks))


def _suspect_problem(session: Session, chain: str, result: rows.RangeResult) -> ChainProblem | None:
    """Re-check a run's suspects exactly, in order; return the first real alteration."""
    limit = result.problem[0] if result.problem is not None else None
    for index, seq, event_id in result.suspects:
        if limit is not None and index > limit:
            break
        event = session.get(AuditEvent, event_id)
        if event is not None and compute_hash(event) != event.hash:
            message = (
                f"event id {event.id} (#{event.seq}, {event.event}) was altered: "
                "its hash does not match its content"
            )
            return ChainProblem(chain, selection_of(chain), event.id, seq, message)
    return None


def _link_problem(chain: str, result: rows.RangeResult, last: tuple[int, str]) -> str | None:
    """Return what is wrong with the link from the previous run to this run's first event."""
    seq, event_id, prev_hash = result.first
    if seq != last[0] + 1:
        return (
            f"event #{last[0] + 1} is missing before event id {event_id} (#{seq}): it was deleted"
        )
    if prev_hash != last[1]:
        return f"event id {event_id} (#{seq}) does not link to the previous event"
    return None


def tail_problem(
    chain: str, last: tuple[int, str], head: tuple[int, str] | None, by_seq: WitnessMap
) -> str | None:
    """Return what the chain head or a witness says is missing after the last event."""
    last_seq = last[0]
    if head is None and last_seq:
        return "the chain head record is missing"
    if head is not None and head != last:
        return (
            f"the chain records {head[0]} events but {last_seq} remain: "
            f"event #{last_seq + 1} onwards was deleted"
        )
    if by_seq and max(by_seq) > last_seq:
        source, digest = by_seq[min(seq for seq in by_seq if seq > last_seq)][0]
        seq = min(seq for seq in by_seq if seq > last_seq)
        return (
            f"the chain ends at event #{last_seq} but {source} recorded event "
            f"#{seq} (hash {digest[:16]}…): event #{last_seq + 1} onwards was deleted"
        )
    return None


def join_runs(
    session: Session,
    chain: str,
    results: list[rows.RangeResult],
    start: tuple[int, str] = (0, GENESIS_HASH),
) -> tuple[int, ChainProblem | None, tuple[int, str]]:
    """Join a chain's checked runs in order from ``start`` (seq, hash).

    Returns (events read, first problem or None, (seq, hash) of the last good event).
    """
    count, last, selection_id = 0, start, selection_of(chain)
    for result in results:
        if result.first is not None:
            message = _link_problem(chain, result, last)
            if message is not None:
                seq, event_id, _ = result.first
                return count + 1, ChainProblem(chain, selection_id, event_id, seq, message), last
        problem = _suspect_problem(session, chain, result)
        if problem is not None:
            index = next(i for i, seq, _ in result.suspects if seq == problem.seq)
            return count + index + 1, problem, last
        if result.problem is not None:
            index, seq, event_id, message = result.problem
            problem = ChainProblem(chain, selection_id, event_id, seq, message)
            return count + index + 1, problem, last
        count += result.count
        last = result.last or last
    return count, None, last


def head_of(session: Session, chain: str) -> tuple[int, str] | None:
    """Return the chain head's (seq, hash), or None before the chain's first event.

    The seq is the number of events of an intact chain (1..n without gaps): one row by its
    key, where counting the events reads every one of them.
    """
    row = session.execute(
        sa.select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.chain == chain)
    ).first()
    return (row[0], row[1]) if row is not None else None


def _finish(
    session: Session,
    chain: str,
    results: list[rows.RangeResult],
    head: tuple[int, str] | None,
    witnesses: list[Witness] | None,
) -> tuple[int, ChainProblem | None, str]:
    """Join the runs of a whole chain and check its tail; fall back to the exact check."""
    if any(result.overflow for result in results):
        return verify_chain_exact(session, chain, witnesses)
    count, problem, last = join_runs(session, chain, results)
    if problem is not None:
        return count, problem, last[1]
    by_seq = witness_map(chain, witnesses)
    message = tail_problem(chain, last, head, by_seq)
    if message is not None and head is not None and head[0] < last[0]:
        # Appended to while we read: the head moved on; judge against the new one.
        message = tail_problem(chain, last, head_of(session, chain), by_seq)
    if message is None:
        return count, None, last[1]
    return count, ChainProblem(chain, selection_of(chain), None, last[0] + 1, message), last[1]


def verify_chain(
    session: Session, chain: str, witnesses: list[Witness] | None = None
) -> tuple[int, ChainProblem | None, str]:
    """Re-compute one chain in this process; return (events read, first problem, last hash).

    With ``witnesses`` (of this chain), the chain must also still have each witnessed hash
    at its position: that catches a chain rewritten with every later hash recomputed.
    """
    head = head_of(session, chain)
    by_seq = witness_map(chain, witnesses)
    connection, dialect = dbapi(session)
    result = rows.check_range(connection, dialect, chain, (None, None), by_seq, 0)
    return _finish(session, chain, [result], head, witnesses)


def _missing_chains(names: list[str], by_chain: dict[str, list[Witness]]) -> list[ChainProblem]:
    problems = []
    for chain in sorted(set(by_chain) - set(names)):
        witness = max(by_chain[chain], key=lambda w: w.seq)
        message = f"the whole chain is missing, but {witness.source} recorded {witness.seq} events"
        problems.append(ChainProblem(chain, selection_of(chain), None, 1, message))
    return problems


def verify_all(
    session: Session, witnesses: list[Witness] | None = None, workers: int | None = None
) -> VerifyReport:
    """Re-compute every chain, checking it against its witnesses; collect each first problem.

    A witness of a chain the database no longer has at all is a problem too. ``workers``:
    processes to use (default: every CPU once there are enough events to pay for them).
    """
    names = chains(session)
    heads = {
        chain: (seq, digest)
        for chain, seq, digest in session.execute(
            sa.select(AuditChainHead.chain, AuditChainHead.seq, AuditChainHead.hash)
        )
    }
    by_chain: dict[str, list[Witness]] = {}
    for witness in witnesses or ():
        by_chain.setdefault(witness.chain, []).append(witness)
    problems = _missing_chains(names, by_chain)
    total = sum(seq for seq, _ in heads.values())
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= PARALLEL_MIN_EVENTS else 1
    size = max(MIN_RUN, min(MAX_RUN, total // max(1, workers * 4)))
    tasks = [
        task
        for chain in names
        for task in _tasks(chain, heads.get(chain, (None,))[0], size, witness_map(chain, witnesses))
    ]
    by_run: dict[str, list[rows.RangeResult]] = {}
    for task, result in zip(tasks, run_tasks(session, tasks, workers), strict=True):
        by_run.setdefault(task.chain, []).append(result)
    events, verified = 0, {}
    for chain in names:
        count, problem, last_hash = _finish(
            session, chain, by_run[chain], heads.get(chain), by_chain.get(chain)
        )
        events += count
        if problem is None:
            verified[chain] = (count, last_hash)
        else:
            problems.append(problem)
    return VerifyReport(chains=len(names), events=events, problems=problems, heads=verified)
