"""Save a PostgreSQL database's rows into a schema of its own, and put them back later.

A stage snapshot on PostgreSQL used to be a database of its own, copied back with ``DROP
DATABASE`` + ``CREATE DATABASE … TEMPLATE`` (about 130 ms, plus an admin connection). The
rows of a built stage are few: copying them into a schema of the same database once, and
back with one transaction (empty every table, ``INSERT … SELECT``, every sequence set where
it was) costs a few milliseconds. The schema goes when the test process's database does.

``dump`` writes a saved schema to files (binary COPY) and ``load`` reads them into a schema
of another process's database, so a stage built by one test process serves the others.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

_TABLES = sa.text(
    "SELECT tablename FROM pg_tables "
    "WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY tablename"
)
_SEQUENCES = sa.text(
    "SELECT sequencename, last_value FROM pg_sequences "
    "WHERE schemaname = 'public' ORDER BY sequencename"
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _restore_sql(schema: str, tables: list[str], filled: list[str], sequences: list) -> str:
    """Return the SQL putting the rows of schema's filled tables back into public."""
    # Foreign keys and the audit trail's append-only triggers stay off while the rows are
    # swapped (as in conftest's emptying): the saved rows were consistent when saved.
    statements = ["SET LOCAL session_replication_role = replica"]
    statements += [f"DELETE FROM public.{_quoted(table)}" for table in tables]
    statements += [
        f"INSERT INTO public.{_quoted(table)} OVERRIDING SYSTEM VALUE "
        f"SELECT * FROM {_quoted(schema)}.{_quoted(table)}"
        for table in filled
    ]
    for sequence, last_value in sequences:
        name = f"public.{_quoted(sequence)}"
        statements.append(
            f"ALTER SEQUENCE {name} RESTART"
            if last_value is None  # never used since the schema was made
            else f"SELECT setval('{name}', {int(last_value)}, true)"
        )
    return ";\n".join(statements)


def save(engine: sa.Engine, schema: str) -> dict:
    """Copy every table's rows into schema; return what ``restore`` and ``dump`` need."""
    with engine.begin() as conn:
        tables = list(conn.execute(_TABLES).scalars())
        sequences = [list(row) for row in conn.execute(_SEQUENCES)]
        conn.execute(sa.text(f"CREATE SCHEMA {_quoted(schema)}"))
        filled = []
        for table in tables:
            saved = f"{_quoted(schema)}.{_quoted(table)}"
            copied = conn.execute(sa.text(f"CREATE TABLE {saved} AS TABLE public.{_quoted(table)}"))
            if copied.rowcount:
                filled.append(table)
    return {
        "schema": schema,
        "tables": tables,
        "filled": filled,
        "sequences": sequences,
        "sql": _restore_sql(schema, tables, filled, sequences),
    }


def restore(engine: sa.Engine, saved: dict) -> None:
    """Put the rows saved with ``save`` (or ``load``) back, in one transaction."""
    with engine.begin() as conn:
        conn.exec_driver_sql(saved["sql"])


def dump(engine: sa.Engine, saved: dict, folder: Path) -> None:
    """Write the rows saved with ``save`` into folder, for ``load`` in another process."""
    folder.mkdir(parents=True)
    with engine.begin() as conn, conn.connection.driver_connection.cursor() as cursor:
        for table in saved["filled"]:
            name = f"{_quoted(saved['schema'])}.{_quoted(table)}"
            with (
                (folder / f"{table}.copy").open("wb") as target,
                cursor.copy(f"COPY {name} TO STDOUT (FORMAT binary)") as copy,
            ):
                for data in copy:
                    target.write(data)
    keep = {key: saved[key] for key in ("tables", "filled", "sequences")}
    (folder / "rows.json").write_text(json.dumps(keep), encoding="utf-8")


def load(engine: sa.Engine, folder: Path, schema: str) -> dict:
    """Read rows written by ``dump`` into schema; return what ``restore`` needs."""
    kept = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
    with engine.begin() as conn, conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_quoted(schema)}")
        for table in kept["filled"]:
            name = f"{_quoted(schema)}.{_quoted(table)}"
            cursor.execute(f"CREATE TABLE {name} AS TABLE public.{_quoted(table)} WITH NO DATA")
            with cursor.copy(f"COPY {name} FROM STDIN (FORMAT binary)") as copy:
                copy.write((folder / f"{table}.copy").read_bytes())
    sql = _restore_sql(schema, kept["tables"], kept["filled"], kept["sequences"])
    return {"schema": schema, **kept, "sql": sql}
