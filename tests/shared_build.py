"""Build something once per test session, whichever test process asks first.

pytest-xdist runs the suite in several processes; each used to build its own stages, its
own real-PDF scenario and its own browser demo. A folder shared by the session's processes
holds each build under an exclusive lock: the first process to ask builds it there while
the others wait for it (instead of building the same thing on the same cores), then every
process copies it. Nothing outlives the session: a build is never stale.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder the session's test processes share (created if missing)."""
    base = tmp_path_factory.getbasetemp()
    # An xdist worker's temporary folder sits in the session's: popen-gw0, popen-gw1, ...
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-builds"
    root.mkdir(exist_ok=True)
    return root


@dataclass(frozen=True)
class Entry:
    """One build's folder; ``done`` once its builder has finished."""

    folder: Path

    @property
    def done(self) -> bool:
        """Whether the build is complete (its builder called ``finish``)."""
        return (self.folder / ".done").exists()

    def finish(self) -> None:
        """Mark the build complete."""
        (self.folder / ".done").touch()


@contextmanager
def locked(root: Path, key: str) -> Iterator[Entry]:
    """Hold key's build folder alone: build it if not ``done``, else read it."""
    name = hashlib.sha256(key.encode()).hexdigest()[:24]
    folder = root / name
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            folder.mkdir(exist_ok=True)
            yield Entry(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
