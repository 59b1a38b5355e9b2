"""Logging: openbid's records to stderr in one format, at config LOG_LEVEL.

Only the ``openbid`` logger (the app's own, and ``openbid.*`` below it) is configured:
libraries keep their own defaults, and records still propagate to the root logger, where
pytest's caplog and any handler a deployment adds will see them.
"""

from __future__ import annotations

import logging
import sys

from flask import Flask
from flask.logging import default_handler

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class StderrHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is when a record comes, not when the app was built.

    Gunicorn and pytest replace ``sys.stderr``; a stream captured once would go stale.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        """Return the current ``sys.stderr``."""
        return sys.stderr


def init_app(app: Flask) -> None:
    """Send the app's log records to stderr, once per process however many apps it builds."""
    logger = logging.getLogger(app.name)  # app.logger, without creating it
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Flask installs its own handler on first use of app.logger unless one is there already.
    logger.removeHandler(default_handler)
    if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
