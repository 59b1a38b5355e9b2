"""Configuration errors give a clear message and no stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import Config, ConfigError, check_database_url

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@localhost/x", "supports 'sqlite' and 'postgresql'"),
        ("postgresql+psycopg2://postgres@localhost/x", r"write 'postgresql\+psycopg://"),
    ],
)
def test_malformed_database_url_is_explained(url: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        check_database_url(url)


def test_starting_with_a_malformed_url_prints_a_message_not_a_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OPENBID_DATABASE_URL": "postgres//oops",
        "OPENBID_INSTANCE_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "openbid cannot start: OPENBID_DATABASE_URL is not a database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_generated_once_and_kept(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OPENBID_SECRET_KEY", raising=False)
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    first = Config().SECRET_KEY
    second = Config().SECRET_KEY
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("OPENBID_SECRET_KEY", "from-the-environment")
    assert Config().SECRET_KEY == "from-the-environment"


def test_bad_upload_limit_is_explained(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("OPENBID_UPLOAD_MAX_BYTES", "two megabytes")
    with pytest.raises(ConfigError, match="OPENBID_UPLOAD_MAX_BYTES must be a whole number"):
        Config()
