"""Time issuing each document kind from a database: ``python bench/issue_bench.py``.

Builds a finished two-post selection in a throw-away database (SQLite by default, or
``--database-url postgresql+psycopg://...`` for an empty PostgreSQL database), then issues
every kind several times and prints the median per kind: building the context from the
database, and issuing it (number, render, PAdES signature, storage, registry row and audit
event, commit). Signing uses a fresh self-signed ECDSA P-256 key unless ``--unsigned``.
Not run by the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from openbid.app import create_app  # noqa: E402
from openbid.documents.signing import generate_self_signed  # noqa: E402
from openbid.extensions import db  # noqa: E402


def main() -> None:
    """Parse the options, build the selection, time every kind and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="issues per kind (default 5)")
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    parser.add_argument("--unsigned", action="store_true", help="do not sign the documents")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="openbid-bench-"))
    url = options.database_url or f"sqlite:///{folder / 'bench.db'}"
    config = TestConfig(url, folder)
    if not options.unsigned:
        cert, key = generate_self_signed(folder / "keys", "BKPSDM Kota Contoh", "Bench")
        config.SIGNING_CERT, config.SIGNING_KEY, config.SIGNING_TRUST_ROOTS = cert, key, (cert,)
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade
        from openbid.services import document_contexts, documents

        from openbid.documents.render import font_subsetter
        from tests.documents import scenario

        upgrade()
        built = scenario.build()
        # The trail export comes last: it lists everything issued before it.
        kinds = [*scenario.ISSUE_TIMES, "audit_trail"]
        signed = "unsigned" if options.unsigned else "signed (ECDSA P-256)"
        print(f"database {db.engine.dialect.name}, font subsetter {font_subsetter()}, {signed}")
        print(f"{options.runs} issues per kind; medians")
        print(f"{'kind':<24} {'context ms':>11} {'issue ms':>9} {'file KB':>8}")
        for kind in kinds:
            build_times, issue_times, size = [], [], 0
            for _ in range(options.runs):
                at = scenario.ISSUE_TIMES.get(kind, scenario.ISSUE_TIMES["oversight_report"])
                start = time.perf_counter()
                context = document_contexts.build_context(
                    db.session, kind, built.selection, issued_at=at, actor=built.auditor
                )
                middle = time.perf_counter()
                document = documents.issue_document(
                    db.session,
                    kind=kind,
                    selection=built.selection,
                    actor=built.auditor,
                    context=context,
                    issued_at=at,
                )
                db.session.commit()
                end = time.perf_counter()
                build_times.append(middle - start)
                issue_times.append(end - middle)
                size = document.file.size
            print(
                f"{kind:<24} {statistics.median(build_times) * 1000:>11.1f} "
                f"{statistics.median(issue_times) * 1000:>9.1f} {size / 1024:>8.0f}"
            )
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
