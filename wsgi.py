"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`."""

from config import ConfigError
from openbid.app import create_app
from openbid.workflow import DefinitionError

try:
    app = create_app()
except (ConfigError, DefinitionError) as exc:
    # A person fixes configuration from this message; a traceback would only hide it.
    raise SystemExit(f"openbid cannot start: {exc}") from None
