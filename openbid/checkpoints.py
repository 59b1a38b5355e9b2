"""Signed checkpoints of the audit chains' heads, written outside the database.

A hash chain alone proves nothing against someone who can write the database and knows
how to recompute the hashes. A checkpoint is a witness they cannot rewrite without the
signing key: a small JSON file holding a chain's head (and the hash of every event since
the previous checkpoint), signed with the key that signs the documents, written to
``OPENBID_CHECKPOINT_DIR`` at every selection state transition and by ``flask openbid
checkpoint`` (for a scheduled job). ``flask openbid verify-audit`` checks each chain
against them.

Format ``openbid-checkpoint/1``. One file per checkpoint,
``<dir>/selection-<id>/<seq:08d>-<first 16 hex of the hash>.json`` (``<dir>/system/`` for
the system chain), in canonical JSON (sorted keys, no spaces, UTF-8) with the keys
``format``, ``chain``, ``selection_id``, ``agency`` ({id, code, name} or null), ``seq``,
``hash``, ``written_at`` (UTC, ISO 8601), ``since`` (the seq of the previous checkpoint,
0 for the first), ``events`` ([seq, hash] for every event after ``since`` up to ``seq``)
and ``signer_certificate`` (the signer's PEM certificate, or null when unsigned). Next to
it, ``<same name>.sig`` holds the raw signature of the JSON file's exact bytes: ECDSA
with SHA-256 (DER) or RSA PKCS#1 v1.5 with SHA-256, as openssl makes and checks them::

    jq -r .signer_certificate X.json | openssl x509 -pubkey -noout > key.pem
    openssl dgst -sha256 -verify key.pem -signature X.sig X.json

Without a signing key configured, checkpoints are written unsigned (no ``.sig``) and
verification says so. Files are written atomically (a temporary file, then a rename),
the ``.sig`` before its ``.json``.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.documents import signing
from openbid.extensions import db
from openbid.models import AuditChainHead, AuditEvent, Selection
from openbid.stages import documents as document_service

logger = logging.getLogger(__name__)

FORMAT = "openbid-checkpoint/1"


class CheckpointRefused(Exception):
    """The database's chain contradicts its last checkpoint; no new one is written over it."""


def folder() -> Path:
    """Return the checkpoint folder of the current app (``OPENBID_CHECKPOINT_DIR``)."""
    configured = current_app.config.get("CHECKPOINT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "checkpoints"


def chain_folder_name(chain: str) -> str:
    """Return the sub-folder of a chain: ``selection-<id>`` or ``system``."""
    return chain.replace(":", "-") if chain.startswith("selection:") else audit.SYSTEM_CHAIN


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint file as read back, with what its signature says."""

    path: Path
    data: dict[str, Any]
    signature: signing.BytesSignature | None  # None: written unsigned

    @property
    def chain(self) -> str:
        """The chain key, e.g. ``selection:3``."""
        return self.data["chain"]

    @property
    def seq(self) -> int:
        """The head's sequence number."""
        return int(self.data["seq"])

    @property
    def hash(self) -> str:
        """The head's hash."""
        return self.data["hash"]

    @property
    def written_at(self) -> datetime:
        """When the checkpoint was written."""
        return datetime.fromisoformat(self.data["written_at"])

    @property
    def label(self) -> str:
        """Name it for a person: when, and which file."""
        moment = clock.to_jakarta(self.written_at)
        return (
            f"checkpoint {moment:%Y-%m-%d %H:%M:%S} WIB ({self.path.parent.name}/{self.path.name})"
        )

    def witnesses(self) -> list[audit.Witness]:
        """Return the positions this checkpoint vouches for: each listed event and the head."""
        found = [
            audit.Witness(self.chain, int(seq), digest, self.label)
            for seq, digest in self.data.get("events") or []
        ]
        found.append(audit.Witness(self.chain, self.seq, self.hash, self.label))
        return found


def _trust_roots() -> tuple[Path, ...]:
    """Return the certificates a checkpoint's signer must be (or be issued by)."""
    setup = document_service.signing_setup()
    roots = document_service.trust_roots()
    return (*roots, setup.cert) if setup is not None else roots


def read_file(path: Path, roots: tuple[Path, ...] = ()) -> Checkpoint:
    """Read one checkpoint and check its signature against ``roots``.

    :raises ValueError: when the file is not a readable checkpoint.
    """
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        int(data["seq"]), str(data["hash"]), str(data["chain"]), str(data["written_at"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path.name} is not an openbid checkpoint ({error})") from None
    certificate = data.get("signer_certificate")
    sig_path = path.with_suffix(".sig")
    if certificate is None and not sig_path.exists():
        return Checkpoint(path, data, None)
    if certificate is None or not sig_path.exists():
        missing = "certificate" if certificate is None else "signature file"
        report = signing.BytesSignature(False, False, None, f"its {missing} is missing")
        return Checkpoint(path, data, report)
    report = signing.verify_bytes(raw, sig_path.read_bytes(), certificate, roots)
    return Checkpoint(path, data, report)


def read_all(root: Path, chain: str | None = None) -> tuple[list[Checkpoint], list[str]]:
    """Read every checkpoint under ``root`` (of one chain if given), oldest position first.

    Returns the checkpoints and, for files that cannot be read, one message each.
    """
    roots = _trust_roots()
    pattern = f"{chain_folder_name(chain)}/*.json" if chain else "*/*.json"
    found, unreadable = [], []
    for path in sorted(Path(root).glob(pattern)):
        try:
            found.append(read_file(path, roots))
        except (OSError, ValueError) as error:
            unreadable.append(f"{path.parent.name}/{path.name}: {error}")
    found.sort(key=lambda c: (c.chain, c.seq, c.data["written_at"]))
    return found, unreadable


def signature_problems(checkpoints: list[Checkpoint]) -> list[str]:
    """Return one message per checkpoint whose signature is broken or not trusted."""
    problems = []
    for checkpoint in checkpoints:
        report = checkpoint.signature
        if report is None:
            continue
        if not report.valid:
            problems.append(f"{checkpoint.label}: the signature is not valid: {report.problem}")
        elif not report.trusted:
            problems.append(
                f"{checkpoint.label}: signed by {report.signer_name}, whose certificate this "
                "openbid does not trust"
            )
    return problems


def _agency(session: Session, selection_id: int | None) -> dict[str, Any] | None:
    """Return the agency of a selection as a checkpoint records it."""
    if selection_id is None:
        return None
    selection = session.get(Selection, selection_id)
    if selection is None:
        return None
    agency = selection.agency
    return {"id": agency.id, "code": agency.code, "name": agency.name}


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary file in the same folder and a rename."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write(session: Session, chain: str, root: Path | None = None) -> Path | None:
    """Write a checkpoint of a chain's head unless its last checkpoint already has it.

    Returns the new file, or None when nothing changed.

    :raises CheckpointRefused: when the chain no longer has the last checkpoint's hash at
        its position (it was rewritten); verify-audit names the event.
    """
    root = Path(root) if root is not None else folder()
    head = session.get(AuditChainHead, chain, populate_existing=True)
    if head is None or head.seq == 0:
        return None
    previous, _ = read_all(root, chain)
    last = previous[-1] if previous else None
    if last is not None:
        if last.seq == head.seq and last.hash == head.hash:
            return None
        recorded = session.scalar(
            sa.select(AuditEvent.hash).where(AuditEvent.chain == chain, AuditEvent.seq == last.seq)
        )
        if recorded != last.hash:
            raise CheckpointRefused(
                f"{chain}: event #{last.seq} no longer has the hash of {last.label}; "
                "run `flask openbid verify-audit`"
            )
    since = last.seq if last is not None else 0
    events = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.chain == chain, AuditEvent.seq > since, AuditEvent.seq <= head.seq)
        .order_by(AuditEvent.seq)
    ).all()
    signer = document_service.current_signer()
    selection_id = int(chain.split(":", 1)[1]) if chain.startswith("selection:") else None
    content = {
        "format": FORMAT,
        "chain": chain,
        "selection_id": selection_id,
        "agency": _agency(session, selection_id),
        "seq": head.seq,
        "hash": head.hash,
        "written_at": clock.now().astimezone(UTC).isoformat(timespec="seconds"),
        "since": since,
        "events": [[seq, digest] for seq, digest in events],
        "signer_certificate": signer.certificate_pem if signer is not None else None,
    }
    raw = audit.canonical_json(content).encode("utf-8")
    target = root / chain_folder_name(chain) / f"{head.seq:08d}-{head.hash[:16]}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    if signer is not None:
        _write_atomically(target.with_suffix(".sig"), signer.sign_bytes(raw))
    _write_atomically(target, raw)
    return target


def write_changed(session: Session, root: Path | None = None) -> tuple[list[Path], list[str]]:
    """Write a checkpoint of every chain whose head moved since its last checkpoint.

    Returns the files written and, per chain refused, why.
    """
    written, refused = [], []
    for chain in audit.chains(session):
        try:
            path = write(session, chain, root)
        except CheckpointRefused as error:
            refused.append(str(error))
            continue
        if path is not None:
            written.append(path)
    return written, refused


def selection_files(selection_id: int, root: Path | None = None) -> list[Checkpoint]:
    """Return the checkpoints of a selection, oldest first (for the auditor's area)."""
    found, _ = read_all(root or folder(), audit.chain_for(selection_id))
    return found


def selection_zip(selection_id: int, root: Path | None = None) -> bytes:
    """Return a zip of a selection's checkpoint files and signatures."""
    chain_dir = (root or folder()) / chain_folder_name(audit.chain_for(selection_id))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(chain_dir.glob("*")):
            if path.suffix in (".json", ".sig") and not path.name.startswith("."):
                archive.write(path, f"{chain_dir.name}/{path.name}")
    return buffer.getvalue()


def after_transition(row: object, _result: object) -> None:
    """Checkpoint a selection's chain after each of its state transitions.

    The app runs it after every transition the workflow engine commits (``create_app``
    registers it with ``workflow.after_commit``); the engine is above this module.
    """
    if not isinstance(row, Selection):
        return
    try:
        write(db.session, audit.chain_for(row.id))
    except CheckpointRefused as error:
        logger.error("no checkpoint written: %s", error)
