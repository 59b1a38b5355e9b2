"""Check the system packages openbid needs; install them when root, else name the command.

Run by ``make`` with the system's Python before anything else (no virtualenv yet):

    python3 scripts/check_system.py [--install] [--dev]

``--dev`` (``make test``) adds what the test suite needs on top: Debian's Chromium for the
browser tests in tests/browser (Playwright drives it; no browser is downloaded).

Exit 0 when everything is present (after installing it, with ``--install`` as root on a
Debian/Ubuntu machine); exit 1 naming the exact command to run otherwise.
"""

from __future__ import annotations

import argparse
import ctypes.util
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Need:
    """One thing openbid needs from the system, and the Debian package that provides it."""

    package: str
    why: str
    present: Callable[[], bool]


def _library(name: str) -> Callable[[], bool]:
    return lambda: ctypes.util.find_library(name) is not None


def _font(*folders: str) -> Callable[[], bool]:
    roots = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
    return lambda: any(
        any(Path(root).glob(f"**/{folder}/*.ttf")) for root in roots for folder in folders
    )


def _venv_module() -> bool:
    # Debian splits ensurepip out of the interpreter; without it `python3 -m venv` fails.
    return importlib.util.find_spec("ensurepip") is not None


NEEDS = (
    Need("python3-venv", "creating the virtual environment (ensurepip)", _venv_module),
    Need("libpango-1.0-0", "laying out PDF documents (WeasyPrint)", _library("pango-1.0")),
    Need("libpangoft2-1.0-0", "fonts in PDF documents (WeasyPrint)", _library("pangoft2-1.0")),
    Need("libharfbuzz0b", "shaping text in PDF documents", _library("harfbuzz")),
    # Required, not optional: without HarfBuzz's subsetter WeasyPrint falls back to fontTools,
    # about 2x slower per document, and the same document no longer renders byte-identically.
    Need("libharfbuzz-subset0", "byte-identical PDF documents", _library("harfbuzz-subset")),
    Need("fonts-dejavu-core", "the verification code's monospace font", _font("dejavu")),
    Need("fonts-liberation", "the documents' serif font", _font("liberation", "liberation2")),
)


CHROMIUM = Path("/usr/bin/chromium")
DEV_NEEDS = (Need("chromium", "the browser tests (tests/browser, in make test)", CHROMIUM.exists),)


def missing(needs: Sequence[Need] = NEEDS) -> list[Need]:
    """Return what is not installed."""
    return [need for need in needs if not need.present()]


def install_command(packages: Sequence[str], *, root: bool, sudo: bool) -> str:
    """Return the one command that installs packages, for this user."""
    apt = f"apt-get update && apt-get install -y {' '.join(packages)}"
    if root:
        return apt
    if sudo:
        return apt.replace("apt-get", "sudo apt-get")
    return f"su -c '{apt}'"


def _apt_install(packages: Sequence[str]) -> int:
    """Install packages with apt-get, showing its progress; return its exit status."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"openbid: installing system packages: {' '.join(packages)}", flush=True)
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", *packages],
    ):
        print("+ " + " ".join(command), flush=True)
        status = subprocess.call(command, env=env)  # noqa: S603 - fixed argv, no shell
        if status:
            return status
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    needs: Sequence[Need] = NEEDS,
    is_root: bool | None = None,
    which: Callable[[str], str | None] = shutil.which,
    install: Callable[[Sequence[str]], int] = _apt_install,
) -> int:
    """Check the system; install what is missing when allowed, else name the command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--install", action="store_true", help="install missing packages when running as root"
    )
    parser.add_argument(
        "--dev", action="store_true", help="also what the tests need (Chromium for tests/browser)"
    )
    args = parser.parse_args(argv)
    if args.dev:
        needs = (*needs, *DEV_NEEDS)
    if sys.version_info < MIN_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        print(f"openbid needs Python 3.11 or newer; found {found}.", file=sys.stderr)
        return 1
    absent = missing(needs)
    if not absent:
        return 0
    packages = [need.package for need in absent]
    for need in absent:
        print(f"openbid: missing {need.package} (needed for {need.why})", file=sys.stderr)
    if which("apt-get") is None:
        print(
            "openbid: this is not a Debian/Ubuntu machine; install the equivalent packages "
            "with your system's package manager, then run make again.",
            file=sys.stderr,
        )
        return 1
    root = os.geteuid() == 0 if is_root is None else is_root
    if args.install and root:
        if install(packages) == 0 and not missing(needs):
            return 0
        print(
            "openbid: installing the system packages failed (see apt-get above).", file=sys.stderr
        )
        return 1
    command = install_command(packages, root=root, sudo=which("sudo") is not None)
    print(f"Install them first, then run make again:\n    {command}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
