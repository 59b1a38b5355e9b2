"""``make bench``: every figure of issue #12 against its floor, one line each.

    BENCH <name> value=<v><unit> floor=<f><unit> ratio=<r> goal=<g> ok|FAIL

Each figure is measured against a floor measured in the same run on the same machine. The
data is built here: PostgreSQL when ``OPENBID_BENCH_DATABASE_URL`` is set (that database is
emptied before each group of figures: point it at a database made for the bench, e.g.
``createdb test_bench``), SQLite files in a temporary folder otherwise. A figure whose module
is not there yet prints ``FAIL (not built yet)``; a figure that crashes prints ``FAIL`` with
the error. The exit status is 0 when every line is ok. Never run by ``make test``.

    python bench/run.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

# (module, function, figure name), in the order printed; modules are measured in groups,
# each on an emptied bench database.
FIGURES = [
    ("bench.render_bench", "measure_decree_step", "decree_step"),
    ("bench.render_bench", "measure_long_announcement", "long_announcement_1000"),
    ("bench.render_bench", "measure_worker_rss", "worker_rss_1000_renders"),
    ("bench.write_bench", "measure_api_verdict_write", "api_verdict_write"),
    ("bench.write_bench", "measure_deadline_submissions", "deadline_submissions"),
    ("bench.page_bench", "measure_screening_page_1000", "screening_page_1000"),
    ("bench.audit_bench", "measure_verify_audit_rate", "verify_audit_rate"),
    ("bench.audit_bench", "measure_auditor_page_100k", "auditor_page_100k"),
]


def number(value: float) -> str:
    """Print a figure with the digits it deserves: 12345, 123.4, 1.23, 0.042."""
    if abs(value) >= 1000:
        return f"{value:.0f}"
    if abs(value) >= 100:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def line(result: dict[str, Any]) -> str:
    """The one line of a measured figure."""
    unit = result["unit"]
    return (
        f"BENCH {result['name']} value={number(result['value'])}{unit} "
        f"floor={number(result['floor'])}{unit} ratio={result['ratio']:.2f} "
        f"goal={result['goal']} {'ok' if result['ok'] else 'FAIL'}"
    )


def failed(name: str, why: str) -> str:
    """The line of a figure that could not be measured."""
    return f"BENCH {name} value=- floor=- ratio=- goal=- FAIL ({why})"


def empty_database() -> None:
    """Empty the PostgreSQL bench database, when one is set, before a group of figures."""
    url = os.environ.get("OPENBID_BENCH_DATABASE_URL")
    if not url:
        return
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def load(module_name: str) -> tuple[Any, str | None]:
    """Import a bench module: (module, None), or (None, why) when it is not there."""
    try:
        return importlib.import_module(module_name), None
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return None, f"not built yet: {module_name.replace('.', '/')}.py is missing"


def measure(function: Callable[[], dict[str, Any]], name: str) -> tuple[str, bool]:
    """Measure one figure; a crash is a FAIL line with its error, not the end of the run."""
    try:
        result = function()
    except Exception as error:  # the other figures are still worth printing
        traceback.print_exc(file=sys.stderr)
        return failed(name, f"{type(error).__name__}: {error}".splitlines()[0][:200]), False
    text = line(result)
    if result.get("note"):  # what the figure alone does not say, e.g. CPU time behind a wall time
        text += f"\n# {result['name']}: {result['note']}"
    return text, bool(result["ok"])


def main() -> int:
    """Print every figure's line; exit 1 when any is not ok."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="figure names to measure (default: all)")
    options = parser.parse_args()
    wanted = [f for f in FIGURES if not options.only or f[2] in options.only]
    dialect = "postgresql" if os.environ.get("OPENBID_BENCH_DATABASE_URL") else "sqlite"
    print(f"# openbid bench on {dialect}, {os.cpu_count()} cores", flush=True)
    start, all_ok, emptied = time.perf_counter(), True, set()
    for module_name, function_name, name in wanted:
        module, why = load(module_name)
        if module is None:
            text, ok = failed(name, why), False
        else:
            if module_name not in emptied:
                empty_database()
                emptied.add(module_name)
            text, ok = measure(getattr(module, function_name), name)
        print(text, flush=True)
        all_ok = all_ok and ok
    print(f"# {time.perf_counter() - start:.0f} s", flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
