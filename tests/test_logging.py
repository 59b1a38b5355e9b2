"""Logging: one stderr handler at the configured level, however many apps a process builds."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.logging import default_handler

from config import TestConfig
from openbid import logs
from openbid.app import create_app

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+) ([\w.]+): (.*)$")


@pytest.fixture
def openbid_logger() -> Iterator[logging.Logger]:
    """Return the "openbid" logger, its level put back after the test."""
    logger = logging.getLogger("openbid")
    level = logger.level
    yield logger
    logger.setLevel(level)


def _app(tmp_path: Path, level: str = "INFO") -> Flask:
    config = TestConfig(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)  # never opened
    config.LOG_LEVEL = level
    return create_app(config)


def _our_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [handler for handler in logger.handlers if isinstance(handler, logs.StderrHandler)]


def test_many_apps_share_one_handler(tmp_path: Path, openbid_logger) -> None:
    apps = [_app(tmp_path) for _ in range(3)]
    assert len(_our_handlers(openbid_logger)) == 1
    assert apps[-1].logger is openbid_logger
    assert default_handler not in openbid_logger.handlers  # no second, differently formatted copy


def test_records_go_to_stderr_with_time_level_name_and_message(
    tmp_path: Path, openbid_logger, capsys
) -> None:
    _app(tmp_path)
    logging.getLogger("openbid.mail").warning("delivery failed for %s", "x@example.org")
    (line,) = capsys.readouterr().err.splitlines()
    match = LINE.match(line)
    assert match, line
    assert match.groups() == ("WARNING", "openbid.mail", "delivery failed for x@example.org")


def test_the_configured_level_decides(tmp_path: Path, openbid_logger, capsys) -> None:
    _app(tmp_path, level="WARNING")
    logging.getLogger("openbid.checkpoints").info("not shown")
    logging.getLogger("openbid.checkpoints").error("shown")
    assert [LINE.match(line).group(3) for line in capsys.readouterr().err.splitlines()] == ["shown"]
    _app(tmp_path, level="DEBUG")
    assert openbid_logger.level == logging.DEBUG


def test_caplog_still_sees_openbid_records(tmp_path: Path, openbid_logger, caplog) -> None:
    _app(tmp_path, level="WARNING")
    caplog.set_level(logging.INFO, logger="openbid.mail")
    logging.getLogger("openbid.mail").info("written to the outbox")
    assert "written to the outbox" in caplog.text
