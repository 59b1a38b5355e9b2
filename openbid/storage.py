"""Content-addressed file storage: bytes are named by their SHA-256.

``Storage`` is the seam: the local-folder backend serves the embedded default, and an
S3-compatible backend can take its place for several hosts. Bytes are written before the
database transaction commits; if it rolls back, an unreferenced file stays behind, harmless
because identical content always maps to the same name (a sweep can remove orphans).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openbid.models import StoredFile


class Storage(Protocol):
    """Where file bytes live, by SHA-256."""

    def put(self, data: bytes) -> str:
        """Store data; return its SHA-256 hex digest."""
        ...

    def get(self, sha256: str) -> bytes:
        """Return the bytes stored under sha256.

        :raises FileNotFoundError: when nothing is stored under it.
        """
        ...

    def exists(self, sha256: str) -> bool:
        """Return whether bytes are stored under sha256."""
        ...


def _check_digest(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class LocalStorage:
    """A folder of files named by digest, fanned out as ab/cd/abcd…."""

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = Path(root)
        # fsync before the rename, so a stored file survives a power cut once the database
        # row that names it is committed. Throw-away test folders skip it.
        self.durable = durable

    def _path(self, sha256: str) -> Path:
        digest = _check_digest(sha256)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        """Store data atomically (write to a temporary file, then rename)."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if self.durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        """Return the stored bytes, checking they still hash to their name."""
        data = self._path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OSError(f"stored file {sha256} is corrupted: its content no longer matches")
        return data

    def exists(self, sha256: str) -> bool:
        """Return whether the file is present."""
        return self._path(sha256).exists()


def storage() -> Storage:
    """Return the current app's storage backend."""
    return current_app.extensions["openbid.storage"]


# INSERT … ON CONFLICT DO NOTHING, by dialect (both spell it the same way).
_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def store(session: Session, data: bytes, content_type: str) -> StoredFile:
    """Store bytes and return their StoredFile row (existing one for identical content).

    New content is one statement, where a look-up, a savepoint, the insert and its release
    were four round trips: identical bytes, stored before or a moment ago by a concurrent
    transaction, make the insert do nothing (after waiting for that transaction), and the
    row is then read.
    """
    digest = storage().put(data)
    insert = _UPSERTS[session.get_bind().dialect.name](StoredFile)
    stmt = (
        insert.values(sha256=digest, size=len(data), content_type=content_type)
        .on_conflict_do_nothing(index_elements=[StoredFile.sha256])
        .returning(StoredFile)
    )
    row = session.scalars(stmt).first()
    if row is None:
        row = session.scalars(sa.select(StoredFile).where(StoredFile.sha256 == digest)).one()
    return row


def read(row: StoredFile) -> bytes:
    """Return the bytes of a stored file."""
    return storage().get(row.sha256)


def init_app(app: Flask) -> None:
    """Attach the local-folder backend at FILES_DIR."""
    app.extensions["openbid.storage"] = LocalStorage(
        Path(app.config["FILES_DIR"]), durable=app.config.get("DURABLE_WRITES", True)
    )
