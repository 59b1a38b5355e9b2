"""Tell the user plainly when a system library WeasyPrint needs is missing."""

from __future__ import annotations

import ctypes.util
import sys

REQUIRED = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
}
RECOMMENDED = {
    # Without it WeasyPrint subsets fonts with fontTools: about 2x slower per document, and
    # the PDF bytes differ on every render, which breaks byte-for-byte verification.
    "harfbuzz-subset": "libharfbuzz-subset0",
}


def main() -> int:
    """Check the libraries; exit 1 naming the Debian packages to install when one is missing."""
    missing = [pkg for lib, pkg in REQUIRED.items() if ctypes.util.find_library(lib) is None]
    weak = [pkg for lib, pkg in RECOMMENDED.items() if ctypes.util.find_library(lib) is None]
    if missing:
        print(
            "openbid needs system libraries for PDF rendering (WeasyPrint) that are missing.\n"
            f"Install them with: sudo apt-get install -y {' '.join(missing + weak)}",
            file=sys.stderr,
        )
        return 1
    if weak:
        print(
            f"Warning: {', '.join(weak)} is not installed; PDFs will render about 2x slower and "
            "not byte-identical between renders.\n"
            f"Install it with: sudo apt-get install -y {' '.join(weak)}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
