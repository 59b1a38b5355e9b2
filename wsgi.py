"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`."""

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from config import ConfigError
from openbid import create_app
from openbid.workflow import DefinitionError

try:
    app = create_app()
    # Behind N reverse proxies, trust N hops of X-Forwarded-* so log-in limits and audit
    # see each client's own address, not the proxy's.
    _hops = int(os.environ.get("OPENBID_PROXY_HOPS", "0") or 0)
except (ConfigError, DefinitionError) as exc:
    # A person fixes configuration from this message; a traceback would only hide it.
    raise SystemExit(f"openbid cannot start: {exc}") from None
except ValueError:
    raise SystemExit("openbid cannot start: OPENBID_PROXY_HOPS must be a whole number") from None
if _hops > 0:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_hops, x_proto=_hops, x_host=_hops)
