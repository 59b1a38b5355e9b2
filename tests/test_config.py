"""Configuration errors give a clear message and no stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, request

from config import Config, ConfigError, TestConfig, check_database_url
from openbid.app import create_app
from tests.startup import stop_at_start_up

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


@pytest.mark.parametrize(
    ("value", "level"), [(None, "INFO"), ("DEBUG", "DEBUG"), ("warning", "WARNING")]
)
def test_log_level_is_read_in_any_case(tmp_path: Path, monkeypatch, value, level) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    if value is None:
        monkeypatch.delenv("OPENBID_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("OPENBID_LOG_LEVEL", value)
    assert Config().LOG_LEVEL == level


@pytest.mark.parametrize("value", ["LOUD", "CRITICAL", "10"])
def test_bad_log_level_is_explained(tmp_path: Path, monkeypatch, value: str) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("OPENBID_LOG_LEVEL", value)
    with pytest.raises(ConfigError, match="OPENBID_LOG_LEVEL must be one of DEBUG, INFO"):
        Config()


def test_proxy_hops_default_to_none(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("OPENBID_PROXY_HOPS", raising=False)
    assert Config().PROXY_HOPS == 0
    monkeypatch.setenv("OPENBID_PROXY_HOPS", "2")
    assert Config().PROXY_HOPS == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("one", "OPENBID_PROXY_HOPS must be a whole number"), ("-1", "OPENBID_PROXY_HOPS must be 0")],
)
def test_bad_proxy_hops_are_explained(tmp_path: Path, monkeypatch, value, expected) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("OPENBID_PROXY_HOPS", value)
    with pytest.raises(ConfigError, match=expected):
        Config()


def test_starting_with_bad_proxy_hops_prints_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("OPENBID_DATABASE_URL", raising=False)
    stopped = stop_at_start_up(monkeypatch, tmp_path, OPENBID_PROXY_HOPS="two")
    assert stopped.code.startswith(
        "openbid cannot start: OPENBID_PROXY_HOPS must be a whole number"
    )


def _remote_addr_app(tmp_path: Path, hops: int) -> Flask:
    """Build an app trusting ``hops`` proxies, with a page that shows request.remote_addr."""
    config = TestConfig(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)  # never opened
    config.PROXY_HOPS = hops
    application = create_app(config)
    application.add_url_rule("/remote-addr", "remote_addr", lambda: request.remote_addr or "")
    return application


def test_one_proxy_hop_takes_the_client_address_from_x_forwarded_for(tmp_path: Path) -> None:
    client = _remote_addr_app(tmp_path, hops=1).test_client()
    response = client.get(
        "/remote-addr",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.get_data(as_text=True) == "203.0.113.7"


def test_without_proxy_hops_x_forwarded_for_is_ignored(tmp_path: Path) -> None:
    client = _remote_addr_app(tmp_path, hops=0).test_client()
    response = client.get(
        "/remote-addr",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.get_data(as_text=True) == "10.0.0.2"
