"""The application factory: the one place that wires every layer together.

``create_app`` is the composition root: it imports the entry points (blueprints, API, CLI),
the stages, the engine and the infrastructure, and connects them (the engine's after-commit
hook to the checkpoints, the API's JSON errors to the error pages), so that no lower layer
has to import a higher one to be found.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, Config
from openbid import (
    admin,
    api,
    auditor,
    auth,
    checkpoints,
    cli,
    committee,
    errors,
    extensions,
    i18n,
    logs,
    main,
    oversight,
    portal,
    security,
    stages,  # noqa: F401 - registers every stage's guards and actions
    storage,
    verify,
    workflow,
)
from openbid.stages import documents

WORKFLOWS_DIR = BASE_DIR / "workflows"
MAX_ID = 2**31 - 1  # PostgreSQL's integer; a larger id in a URL is simply not found


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to database ids, so a huge number is a 404, not an overflow."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: object | None = None, workflows_dir: Path | None = None) -> Flask:
    """Build the application: config, extensions, workflows, blueprints, errors, CLI.

    It never touches the database.

    :raises DefinitionError: when a workflow definition is invalid (naming file and culprit).
    :raises ConfigError: when a configured signing key cannot be loaded.
    """
    app = _flask_app(config)
    _bind_extensions(app)
    auth.init_app(app)
    storage.init_app(app)
    # The stages registered their guards and actions on import; the definitions name them.
    workflow.init_app(app, workflows_dir or WORKFLOWS_DIR)
    documents.init_app(app)  # loads a configured signing key once, failing early
    # Signed chain heads outside the database, after each transition.
    workflow.after_commit(app, checkpoints.after_transition)
    _register_areas(app)
    return app


def _flask_app(config: object | None) -> Flask:
    """Return the Flask app with its configuration, logging, proxy hops and id converter."""
    app = Flask(
        "openbid",
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(getattr(config, "INSTANCE_DIR", None) or Config.INSTANCE_DIR),
    )
    app.config.from_object(config if config is not None else Config())
    logs.init_app(app)
    hops = app.config.get("PROXY_HOPS", 0)
    if hops > 0:
        # Behind N reverse proxies, trust N hops of X-Forwarded-* so log-in limits and audit
        # see each client's own address, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.url_map.converters["int"] = IdConverter
    return app


def _bind_extensions(app: Flask) -> None:
    """Bind the database, migrations, security limits, CSRF and the languages to app."""
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    security.init_app(app)  # headers; body and rate limits, checked before CSRF reads a form
    extensions.csrf.init_app(app)
    with app.app_context():  # binds connection settings; opens no connection
        extensions.configure_engine(
            extensions.db.engine, durable=app.config.get("DURABLE_WRITES", True)
        )
    i18n.init_app(app)


def _register_areas(app: Flask) -> None:
    """Register the blueprints, the error pages, the JSON API and the CLI commands."""
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(committee.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.body_bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(auditor.bp)
    app.register_blueprint(oversight.bp)
    # The API answers its own HTTP errors in JSON, even for URLs no route of it matches.
    errors.init_app(app, answered_by={"/api/": api.error_response})
    api.init_app(app)
    cli.init_app(app)
