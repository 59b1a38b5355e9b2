"""Time document rendering and signing: ``python bench/render_bench.py [--rows N]``.

Prints the warm render time of every document kind (median of a few runs), a long
announcement of --rows candidates (default 1,000) with the process's peak memory, and
PAdES signing and verification with an ECDSA P-256 key. Not run by the tests.
"""

from __future__ import annotations

import argparse
import copy
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openbid.documents.contexts import template_name
from openbid.documents.render import font_subsetter, render_pdf
from openbid.documents.signing import (
    Signer,
    generate_self_signed,
    sign_pdf,
    verify_signature,
)
from tests.documents.samples import KINDS, sample_context


def timed(action: Callable[[], object], runs: int) -> tuple[float, object]:
    """Run an action ``runs`` times; return the median seconds and the last result."""
    durations, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def long_announcement(rows: int) -> dict:
    """The administrative-result announcement with ``rows`` candidates for one post."""
    context = sample_context("screening_announcement")
    post = copy.deepcopy(context["posts"][0])
    template = post["candidates"][0]
    post["candidates"] = [
        {
            **template,
            "name": f"Peserta Nomor {i:04d}, S.E., M.Si.",
            "nip": f"1970{(i % 12) + 1:02d}{(i % 28) + 1:02d}199503{1 + i % 2}{i % 1000:03d}",
        }
        for i in range(rows)
    ]
    context["posts"] = [post]
    return context


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000, help="rows of the long document")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement")
    args = parser.parse_args()

    start = time.perf_counter()
    first = render_pdf(template_name("decree"), sample_context("decree"))
    print(f"first render (import + fonts): {time.perf_counter() - start:.2f} s")
    print(f"font subsetter: {font_subsetter()}")

    print("\nwarm render, median of", args.runs)
    for kind in KINDS:
        context = sample_context(kind)
        seconds, data = timed(lambda c=context, k=kind: render_pdf(template_name(k), c), args.runs)
        print(f"  {kind:24} {seconds * 1000:7.0f} ms  {len(data) / 1024:6.1f} KiB")

    context = long_announcement(args.rows)
    seconds, data = timed(lambda: render_pdf("documents/screening_announcement.html", context), 1)
    print(
        f"\nannouncement with {args.rows} rows: {seconds:.2f} s "
        f"({seconds / args.rows * 1000:.1f} ms/row), {len(data) / 1024:.0f} KiB, "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )

    with tempfile.TemporaryDirectory() as folder:
        cert, key = generate_self_signed(
            folder, "BKPSDM Kota Tangerang", "Pemerintah Kota Tangerang"
        )
        start = time.perf_counter()
        signer = Signer.from_pem(cert, key)
        print(f"\nload ECDSA P-256 signer: {(time.perf_counter() - start) * 1000:.0f} ms (once)")
        moment = datetime(2019, 1, 14, 10, 0)
        seconds, signed = timed(
            lambda: sign_pdf(
                first, signer, reason="Keputusan", location="Tangerang", timestamp=moment
            ),
            args.runs * 4,
        )
        print(f"sign decree (PAdES B-B): {seconds * 1000:.0f} ms")
        seconds, report = timed(lambda: verify_signature(signed, [cert]), args.runs * 4)
        print(f"verify signature: {seconds * 1000:.0f} ms ({report.summary})")


if __name__ == "__main__":
    main()
