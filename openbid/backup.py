"""Portable backups: every table, the stored files and the checkpoints in one tar.gz.

Layout of the archive (format ``openbid-backup/1``)::

    manifest.json            format, schema revision, tables and row counts, file count
    tables/<table>.jsonl     one JSON object per row, tables in foreign-key order
    files/<sha256>           every stored file, named by its SHA-256
    checkpoints/<chain>/...  the checkpoint files and signatures

Values keep their exact meaning across SQLite and PostgreSQL: datetimes as ISO 8601 in
UTC, dates as ISO dates, decimals as strings, enums by name, JSON as JSON. Ids are kept,
so the audit chain's hashes (which cover ids) verify after a restore. A restore loads into
an empty, freshly migrated database of the same schema revision in one transaction,
resets PostgreSQL's id sequences, and puts the files and checkpoints back.
"""

from __future__ import annotations

import base64
import enum
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openbid import checkpoints, storage
from openbid.extensions import db
from openbid.models import StoredFile
from openbid.models.base import UTCDateTime

FORMAT = "openbid-backup/1"
BATCH = 500


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


class NotABackup(BackupError):
    """The file given is not a readable openbid backup."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore moved."""

    tables: int
    rows: int
    files: int
    checkpoints: int
    warnings: list[str]


def _encoder(column: sa.Column) -> Callable[[Any], Any]:
    """Return how a column's Python values are written to JSON."""
    kind = column.type
    if isinstance(kind, UTCDateTime | sa.DateTime):
        return lambda v: v.astimezone(UTC).isoformat() if v.tzinfo else v.isoformat()
    if isinstance(kind, sa.Date):
        return date.isoformat
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return lambda v: v.name if isinstance(v, enum.Enum) else v
    if isinstance(kind, sa.LargeBinary):
        return lambda v: base64.b64encode(v).decode("ascii")
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return str
    return lambda v: v


def _decoder(column: sa.Column) -> Callable[[Any], Any]:
    """Return how a column's JSON values are read back into Python values."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return lambda v: datetime.fromisoformat(v).astimezone(UTC)
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return date.fromisoformat
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return lambda v: kind.enum_class[v]
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal
    return lambda v: v


def _schema_revision(connection: sa.Connection) -> str | None:
    """Return the Alembic revision of the database, or None before any migration."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _table_rows(connection: sa.Connection, table: sa.Table) -> Iterator[bytes]:
    """Yield a table's rows as JSON lines, in primary-key order."""
    encoders = {column.name: _encoder(column) for column in table.columns}
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(
        sa.select(table).order_by(*order)
    )
    for row in result.mappings():
        record = {
            name: (None if value is None else encoders[name](value)) for name, value in row.items()
        }
        yield (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    """Add bytes to the archive under a name, with a fixed date and mode."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, 0
    archive.addfile(info, io.BytesIO(data))


def create(target: Path) -> Summary:
    """Write a backup of the database, the stored files and the checkpoints to ``target``.

    Written to a temporary file beside it and renamed, so a failed backup leaves nothing.

    :raises BackupError: when ``target`` already exists.
    """
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    warnings: list[str] = []
    counts: dict[str, int] = {}
    files = n_checkpoints = 0
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".backup-", suffix=".tar.gz")
    os.close(descriptor)
    try:
        with tarfile.open(temporary, "w:gz") as archive:
            engine = db.engine
            options = {"isolation_level": "REPEATABLE READ"} if _is_postgres() else {}
            # One snapshot on PostgreSQL, so tables and their references agree.
            with engine.connect().execution_options(**options) as connection:
                revision = _schema_revision(connection)
                for table in db.metadata.sorted_tables:
                    lines = list(_table_rows(connection, table))
                    counts[table.name] = len(lines)
                    _add(archive, f"tables/{table.name}.jsonl", b"".join(lines))
                digests = list(
                    connection.execute(
                        sa.select(StoredFile.sha256).order_by(StoredFile.id)
                    ).scalars()
                )
            backend = storage.storage()
            for digest in digests:
                try:
                    _add(archive, f"files/{digest}", backend.get(digest))
                    files += 1
                except OSError as error:
                    warnings.append(f"stored file {digest} not backed up: {error}")
            root = checkpoints.folder()
            for path in sorted(root.glob("*/*")) if root.is_dir() else []:
                if path.suffix in (".json", ".sig") and not path.name.startswith("."):
                    _add(archive, f"checkpoints/{path.parent.name}/{path.name}", path.read_bytes())
                    n_checkpoints += path.suffix == ".json"
            manifest = {
                "format": FORMAT,
                "schema_revision": revision,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tables": counts,
                "files": files,
                "checkpoints": n_checkpoints,
            }
            _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Summary(len(counts), sum(counts.values()), files, n_checkpoints, warnings)


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    """Return a backup's manifest.

    :raises BackupError: when the archive is not an openbid backup.
    """
    try:
        member = archive.extractfile("manifest.json")
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise NotABackup("this file is not an openbid backup (no openbid-backup/1 manifest).")
    return manifest


def _reset_sequences(connection: sa.Connection) -> None:
    """Move PostgreSQL's id sequences past the restored ids."""
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer) or not key[0].autoincrement:
            continue
        quoted = connection.dialect.identifier_preparer.quote(table.name)
        column = key[0].name
        sequence = connection.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": quoted, "column": column},
        ).scalar()
        if sequence is None:
            continue
        connection.execute(
            sa.text(
                f"SELECT setval(:sequence, COALESCE((SELECT MAX({column}) FROM {quoted}), 1), "  # noqa: S608 - names from our own metadata
                f"(SELECT MAX({column}) FROM {quoted}) IS NOT NULL)"
            ),
            {"sequence": sequence},
        )


def restore(source: Path) -> Summary:
    """Load a backup into this empty, freshly migrated database and its folders.

    :raises BackupError: when the file is not a backup, the schema revisions differ, or the
        database already holds data.
    """
    try:
        archive = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise NotABackup(f"cannot read {source} as a tar.gz archive ({error}).") from None
    with archive:
        manifest = read_manifest(archive)
        _check_empty_database(manifest)
        warnings: list[str] = []
        files, n_checkpoints = _restore_files(archive, warnings)
        rows = _restore_tables(archive)
    return Summary(len(manifest.get("tables", {})), rows, files, n_checkpoints, warnings)


def _check_empty_database(manifest: dict[str, Any]) -> None:
    """Refuse a database of another schema revision than the backup's, or one holding rows.

    :raises BackupError: saying which, and what to do.
    """
    with db.engine.connect() as connection:
        revision = _schema_revision(connection)
        if revision != manifest.get("schema_revision"):
            raise BackupError(
                f"the backup has schema revision {manifest.get('schema_revision')}, this "
                f"database {revision or 'none'}: run `flask --app wsgi db upgrade "
                f"{manifest.get('schema_revision')}` on an empty database first."
            )
        busy = [
            table.name
            for table in db.metadata.sorted_tables
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        ]
    if busy:
        raise BackupError(
            f"the database is not empty ({', '.join(busy[:5])} hold rows); restore only "
            "into a freshly migrated, empty database."
        )


def _restore_files(archive: tarfile.TarFile, warnings: list[str]) -> tuple[int, int]:
    """Put the stored files and the checkpoints back; return how many of each.

    A file that does not hash to its name is restored as is, with a warning; an existing
    checkpoint is never overwritten.
    """
    files = n_checkpoints = 0
    backend = storage.storage()
    root = checkpoints.folder()
    for member in archive.getmembers():
        if not member.isfile():
            continue
        if member.name.startswith("files/"):
            data = archive.extractfile(member).read()
            if backend.put(data) != member.name.removeprefix("files/"):
                warnings.append(f"{member.name} does not hash to its name; restored as is")
            files += 1
        elif member.name.startswith("checkpoints/"):
            parts = Path(member.name).parts
            if len(parts) != 3 or ".." in parts:
                continue
            target = root / parts[1] / parts[2]
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(archive.extractfile(member).read())
            n_checkpoints += target.suffix == ".json"
    return files, n_checkpoints


def _restore_tables(archive: tarfile.TarFile) -> int:
    """Insert every table's rows in foreign-key order, in one transaction; return the count.

    On PostgreSQL the id sequences then move past the restored ids.
    """
    rows = 0
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            try:
                member = archive.extractfile(f"tables/{table.name}.jsonl")
            except KeyError:
                continue
            rows += _insert_rows(connection, table, member or ())
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return rows


def _insert_rows(connection: sa.Connection, table: sa.Table, lines: Iterable[bytes]) -> int:
    """Insert a table's JSON lines in batches of BATCH; return how many rows."""
    decoders = {column.name: _decoder(column) for column in table.columns}
    rows = 0
    batch: list[dict[str, Any]] = []
    for line in lines:
        record = json.loads(line)
        batch.append(
            {
                name: (None if value is None else decoders[name](value))
                for name, value in record.items()
                if name in decoders
            }
        )
        if len(batch) >= BATCH:
            connection.execute(table.insert(), batch)
            rows, batch = rows + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
        rows += len(batch)
    return rows
