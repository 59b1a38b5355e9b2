"""Unbound Flask extensions; create_app() binds them with init_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from openbid.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_no_sync(dbapi_connection, _record) -> None:
    """Let SQLite commit without waiting for the disk (throw-away test databases only)."""
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def configure_engine(engine, *, durable: bool = True) -> None:
    """Apply per-database connection settings to an engine."""
    from sqlalchemy import event

    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if not durable:
            event.listen(engine, "connect", _sqlite_no_sync)
