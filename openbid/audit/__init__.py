"""Hash-chained audit events: append inside the caller's transaction, verify afterwards.

Each event's ``hash = sha256(canonical_json(event) + prev_hash)``. Chains are per selection
("selection:<id>"), so selections never serialise on each other; everything else goes to the
"system" chain. A chain head row holds the last seq and hash: appends lock it, and
verification compares it with the last event, so deleting the newest event is caught too.

``chain`` appends and holds the exact check; ``verify`` checks fast from plain rows
(``rows``), in parallel; ``state`` keeps the last verification so pages check only what
is newer.
"""

from openbid.audit.chain import (
    GENESIS_HASH,
    SYSTEM_CHAIN,
    ChainProblem,
    VerifyReport,
    Witness,
    append,
    canonical_json,
    chain_for,
    chains,
    compute_hash,
    event_fields,
    iter_events,
    lock_head,
    normalise_payload,
    selection_of,
    verify_chain_exact,
)
from openbid.audit.state import ChainStatus, Verified, check_since, record_full
from openbid.audit.verify import head_of, verify_all, verify_chain

__all__ = [
    "GENESIS_HASH",
    "SYSTEM_CHAIN",
    "ChainProblem",
    "ChainStatus",
    "Verified",
    "VerifyReport",
    "Witness",
    "append",
    "canonical_json",
    "chain_for",
    "check_since",
    "chains",
    "compute_hash",
    "event_fields",
    "head_of",
    "iter_events",
    "lock_head",
    "normalise_payload",
    "record_full",
    "selection_of",
    "verify_all",
    "verify_chain",
    "verify_chain_exact",
]
