"""Start the WSGI entry point (wsgi.py) in the test process, as gunicorn imports it."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parents[1]


def stop_at_start_up(monkeypatch: pytest.MonkeyPatch, instance: Path, **env: str) -> SystemExit:
    """Run wsgi.py with the variables of env set and return the SystemExit it must raise.

    One test starts it in an interpreter of its own and reads its stderr (test_config.py,
    the malformed URL); the others check the same ``raise SystemExit(message) from None``
    here, without an interpreter that imports the whole app again (seconds each). A string
    code is what the interpreter prints to stderr, with exit status 1 and no traceback.
    """
    monkeypatch.setattr(Config, "INSTANCE_DIR", instance)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        runpy.run_path(str(ROOT / "wsgi.py"), run_name="wsgi")
    assert isinstance(stopped.value.code, str), stopped.value.code
    assert stopped.value.__suppress_context__  # `from None`: no chained error printed
    return stopped.value
