"""The last verification of each chain, so a page view checks only what is newer.

A full ``verify-audit`` and every incremental check record, per chain, up to which event
(seq and hash) the chain was verified, when, and whether by a full or an incremental
check. A page then checks only that the recorded event still has the recorded hash (the
old part still links to what was verified) and the events after it. An event altered
*before* the recorded one, with the recorded event itself left as it was, is found by the
next full ``flask openbid verify-audit``, never by a page view: the pages say so.

Stored as one small JSON file per chain, ``<root>/.verified/<chain folder>/state.json``
(``root`` is the checkpoint folder; a hidden folder one level deeper than the checkpoint
files, so neither checkpoint readers nor backups take it for a checkpoint), written
atomically. No table, so no migration: losing the file only costs one check from the
first event. Format ``openbid-verified/1``: ``chain``, ``seq``, ``hash``, ``verified_at``
(UTC, ISO 8601), ``mode`` (``full`` or ``incremental``) and ``full`` (``{seq, hash,
verified_at}`` of the last full verification, or null).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.audit import rows
from openbid.audit.chain import (
    GENESIS_HASH,
    SYSTEM_CHAIN,
    ChainProblem,
    compute_hash,
    selection_of,
)
from openbid.audit.verify import dbapi, head_of, join_runs, tail_problem
from openbid.models import AuditEvent

logger = logging.getLogger(__name__)

FORMAT = "openbid-verified/1"
FULL, INCREMENTAL = "full", "incremental"


@dataclass(frozen=True)
class Verified:
    """Up to which event a chain was verified, when, and how."""

    chain: str
    seq: int
    hash: str
    at: datetime
    mode: str  # FULL or INCREMENTAL
    full: dict[str, Any] | None = None  # {seq, hash, verified_at} of the last full check

    def to_json(self) -> dict[str, Any]:
        """Return the state file's content."""
        return {
            "format": FORMAT,
            "chain": self.chain,
            "seq": self.seq,
            "hash": self.hash,
            "verified_at": self.at.isoformat(timespec="microseconds"),
            "mode": self.mode,
            "full": self.full,
        }


@dataclass(frozen=True)
class ChainStatus:
    """What a page shows about a chain: its problem, or up to where it is verified."""

    chain: str
    problem: ChainProblem | None
    verified: Verified | None  # None when there is a problem or no event yet
    checked: int  # events checked by this call

    @property
    def intact(self) -> bool:
        """Return whether no problem was found."""
        return self.problem is None


def path_for(root: Path, chain: str) -> Path:
    """Return the state file of a chain under the checkpoint folder ``root``."""
    name = chain.replace(":", "-") if chain.startswith("selection:") else SYSTEM_CHAIN
    return Path(root) / ".verified" / name / "state.json"


def load(root: Path, chain: str) -> Verified | None:
    """Return a chain's recorded verification, or None (none yet, or unreadable)."""
    path = path_for(root, chain)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("chain") != chain:
            raise ValueError("not a verification state of this chain")
        return Verified(
            chain=chain,
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=datetime.fromisoformat(data["verified_at"]),
            mode=str(data["mode"]),
            full=data.get("full"),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("ignoring the verification state %s: %s", path, error)
        return None


def save(root: Path, record: Verified) -> bool:
    """Write a chain's verification atomically; return False (logged) when it cannot."""
    path = path_for(root, record.chain)
    data = json.dumps(record.to_json(), sort_keys=True, separators=(",", ":")).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        logger.warning("cannot record the verification of %s in %s: %s", record.chain, path, error)
        return False
    return True


def forget(root: Path, chain: str) -> None:
    """Remove a chain's verification (a full check found it broken: check it all again)."""
    try:
        path_for(root, chain).unlink(missing_ok=True)
    except OSError as error:
        logger.warning("cannot remove the verification state of %s: %s", chain, error)


def record_full(
    root: Path, heads: dict[str, tuple[int, str]], broken: list[str], at: datetime | None = None
) -> None:
    """Record a full verification: ``heads`` of the intact chains, ``broken`` chains forgotten."""
    at = at or clock.now()
    for chain, (seq, digest) in heads.items():
        full = {"seq": seq, "hash": digest, "verified_at": at.isoformat(timespec="microseconds")}
        save(root, Verified(chain, seq, digest, at, FULL, full))
    for chain in broken:
        forget(root, chain)


def _anchor_problem(session: Session, chain: str, known: Verified) -> ChainProblem | None:
    """Return how the recorded event no longer matches what was verified, or None."""
    event = session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == chain, AuditEvent.seq == known.seq)
        .execution_options(populate_existing=True)  # as stored now, not as loaded before
    ).first()
    when = known.at.isoformat(timespec="seconds")
    if event is None:
        message = (
            f"event #{known.seq}, verified on {when}, is missing: it was deleted after it "
            "was verified"
        )
        return ChainProblem(chain, selection_of(chain), None, known.seq, message)
    if event.hash != known.hash:
        message = (
            f"event id {event.id} (#{known.seq}) had hash {known.hash[:16]}… when verified on "
            f"{when} and now has {event.hash[:16]}…: the chain was changed after it was verified"
        )
        return ChainProblem(chain, selection_of(chain), event.id, known.seq, message)
    if compute_hash(event) != event.hash:
        message = (
            f"event id {event.id} (#{event.seq}, {event.event}) was altered: "
            "its hash does not match its content"
        )
        return ChainProblem(chain, selection_of(chain), event.id, known.seq, message)
    return None


def check_since(session: Session, chain: str, root: Path) -> ChainStatus:
    """Verify only the events after the chain's recorded verification; record the new head.

    The recorded event must still have its recorded hash; every later event is checked as
    the full check does (link, content hash, the chain head after the last one).
    """
    known = load(root, chain)
    start = (known.seq, known.hash) if known is not None else (0, GENESIS_HASH)
    if known is not None and known.seq > 0:
        problem = _anchor_problem(session, chain, known)
        if problem is not None:
            return ChainStatus(chain, problem, None, 0)
    head = head_of(session, chain)
    connection, dialect = dbapi(session)
    result = rows.check_range(connection, dialect, chain, (start[0], None), {}, 0)
    count, problem, last = join_runs(session, chain, [result], start)
    if problem is None and result.overflow:
        # Too many suspects to re-check one by one: this run is checked exactly, in order.
        count, problem, last = join_runs(session, chain, [_exact(session, chain, start)], start)
    if problem is None:
        message = tail_problem(chain, last, head, {})
        if message is not None and head is not None and head[0] < last[0]:
            message = tail_problem(chain, last, head_of(session, chain), {})
        if message is not None:
            problem = ChainProblem(chain, selection_of(chain), None, last[0] + 1, message)
    if problem is not None:
        return ChainStatus(chain, problem, None, count)
    if last[0] == 0:
        return ChainStatus(chain, None, None, count)
    if known is not None and known.seq == last[0]:
        return ChainStatus(chain, None, known, count)
    record = Verified(chain, last[0], last[1], clock.now(), INCREMENTAL, _full_of(known))
    save(root, record)
    return ChainStatus(chain, None, record, count)


def _full_of(known: Verified | None) -> dict[str, Any] | None:
    return known.full if known is not None else None


def _exact(session: Session, chain: str, start: tuple[int, str]) -> rows.RangeResult:
    """Return a run's result with every event after ``start`` checked as suspects."""
    stmt = (
        sa.select(AuditEvent.id, AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash)
        .where(AuditEvent.chain == chain, AuditEvent.seq > start[0])
        .order_by(AuditEvent.seq)
    )
    result = rows.RangeResult()
    previous: tuple[int, str] | None = None
    for index, (event_id, seq, prev_hash, digest) in enumerate(session.execute(stmt)):
        result.count = index + 1
        if previous is None:
            result.first = (seq, event_id, prev_hash)
        elif seq != previous[0] + 1 or prev_hash != previous[1]:
            message = f"event id {event_id} (#{seq}) does not link to the previous event"
            if seq != previous[0] + 1:
                message = (
                    f"event #{previous[0] + 1} is missing before event id {event_id} (#{seq}): "
                    "it was deleted"
                )
            result.problem = (index, seq, event_id, message)
            break
        result.suspects.append((index, seq, event_id))
        previous = (seq, digest)
        result.last = previous
    return result
