"""Configuration classes, read from OPENBID_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("OPENBID_INSTANCE_DIR", BASE_DIR / "instance"))


# "Keep me logged in" lasts this many days unless OPENBID_REMEMBER_DAYS says otherwise; a
# stolen remember cookie is a log-in, so it should not outlive a working fortnight by much.
REMEMBER_DAYS_DEFAULT = 14
REMEMBER_DAYS_MAX = 365

# How the SMTP connection is secured: STARTTLS on 587, implicit TLS on 465, or none (a relay
# on localhost).
SMTP_SECURITY_MODES = ("starttls", "ssl", "none")

# What OPENBID_LOG_LEVEL may say; openbid's own loggers ("openbid.*") log at that level.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(RuntimeError):
    """A configuration value is missing or malformed; the message says which and why."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int_env(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None


def check_database_url(url: str, variable: str = "OPENBID_DATABASE_URL") -> str:
    """Return the URL when SQLAlchemy can use it.

    :raises ConfigError: naming the variable and what is wrong with it.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{variable} is not a database URL: {url!r}. Expected e.g. "
            "'sqlite:///path/to/openbid.db' or "
            "'postgresql+psycopg://user:password@host:5432/dbname'."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"{variable} names the database {backend!r}; openbid supports "
            "'sqlite' and 'postgresql' (postgresql+psycopg://...)."
        )
    if backend == "postgresql" and parsed.get_driver_name() not in ("psycopg",):
        raise ConfigError(
            f"{variable} uses the driver {parsed.get_driver_name()!r}; "
            "write 'postgresql+psycopg://...' (psycopg 3 is the installed driver)."
        )
    return url


def _log_level() -> str:
    """Read OPENBID_LOG_LEVEL, in any case.

    :raises ConfigError: when it is not one of LOG_LEVELS.
    """
    level = (_env("OPENBID_LOG_LEVEL", "INFO") or "").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"OPENBID_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
            f"got {_env('OPENBID_LOG_LEVEL')!r}."
        )
    return level


def _proxy_hops() -> int:
    """Read OPENBID_PROXY_HOPS: how many reverse proxies stand in front of the app.

    :raises ConfigError: when it is not a whole number of at least 0.
    """
    hops = _int_env("OPENBID_PROXY_HOPS", 0)
    if hops < 0:
        raise ConfigError(f"OPENBID_PROXY_HOPS must be 0 or more, got {hops}.")
    return hops


def _secret_key(instance_dir: Path) -> str:
    """Return OPENBID_SECRET_KEY, or a random key generated once and kept in the instance folder."""
    key = _env("OPENBID_SECRET_KEY")
    if key:
        return key
    import secrets

    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written with owner-only permissions: the key signs every session cookie.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Config:
    """Production and development settings."""

    INSTANCE_DIR = INSTANCE_DIR
    TESTING = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; forms can stay open long
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_DAYS_DEFAULT)
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    LOG_LEVEL = "INFO"
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (ProxyFix).
    PROXY_HOPS = 0
    # Stored files are fsynced and SQLite commits reach the disk before a request answers.
    DURABLE_WRITES = True
    # PAdES signing of generated documents; unset means unsigned, unless the demo's
    # self-signed files exist in INSTANCE_DIR/signing (see openbid.stages.documents.issuing).
    SIGNING_CERT: Path | None = None
    SIGNING_KEY: Path | None = None
    SIGNING_PASSWORD: str | None = None
    SIGNING_TRUST_ROOTS: tuple[Path, ...] = ()

    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key(self.INSTANCE_DIR)
        default_db = f"sqlite:///{self.INSTANCE_DIR / 'openbid.db'}"
        self.SQLALCHEMY_DATABASE_URI = check_database_url(_env("OPENBID_DATABASE_URL", default_db))
        self.FILES_DIR = Path(_env("OPENBID_FILES_DIR", str(self.INSTANCE_DIR / "files")))
        # Signed checkpoints of the audit chains: keep them where the database's owners
        # cannot rewrite them (another disk, a write-once bucket, the auditors' copies).
        self.CHECKPOINT_DIR = Path(
            _env("OPENBID_CHECKPOINT_DIR", str(self.INSTANCE_DIR / "checkpoints"))
        )
        self.UPLOAD_MAX_BYTES = _int_env("OPENBID_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
        self.PUBLIC_BASE_URL = _env("OPENBID_PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        self.SESSION_COOKIE_SECURE = _env("OPENBID_SECURE_COOKIES", "0") == "1"
        self.LOG_LEVEL = _log_level()
        self.PROXY_HOPS = _proxy_hops()
        self._remember_cookie_settings()
        self._mail_settings()
        self._signing_settings()
        self._job_settings()

    def _job_settings(self) -> None:
        """Read OPENBID_REDIS_URL: RQ on Redis when set, else a worker thread in the process.

        OPENBID_JOBS_MODE (rq, thread, eager) overrides the choice; OPENBID_JOBS_QUEUE names
        the RQ queue (default ``openbid``).

        :raises ConfigError: for an unknown mode, or rq without a Redis URL.
        """
        self.REDIS_URL = _env("OPENBID_REDIS_URL")
        default = "rq" if self.REDIS_URL else "thread"
        self.JOBS_MODE = (_env("OPENBID_JOBS_MODE", default) or default).lower()
        if self.JOBS_MODE not in ("rq", "thread", "eager"):
            raise ConfigError(
                f"OPENBID_JOBS_MODE must be rq, thread or eager, got {self.JOBS_MODE!r}."
            )
        if self.JOBS_MODE == "rq" and not self.REDIS_URL:
            raise ConfigError("OPENBID_JOBS_MODE is rq; set OPENBID_REDIS_URL as well.")
        self.JOBS_QUEUE = _env("OPENBID_JOBS_QUEUE", "openbid")

    def _remember_cookie_settings(self) -> None:
        """Read OPENBID_REMEMBER_DAYS; the remember cookie is Secure whenever the session one is.

        :raises ConfigError: when the number of days is not a whole number from 1 to 365.
        """
        days = _int_env("OPENBID_REMEMBER_DAYS", REMEMBER_DAYS_DEFAULT)
        if not 1 <= days <= REMEMBER_DAYS_MAX:
            raise ConfigError(
                f"OPENBID_REMEMBER_DAYS must be between 1 and {REMEMBER_DAYS_MAX} days, got {days}."
            )
        self.REMEMBER_COOKIE_DURATION = timedelta(days=days)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE

    def _mail_settings(self) -> None:
        """Read OPENBID_SMTP_*; without a host, mail goes to the development outbox folder."""
        self.SMTP_HOST = _env("OPENBID_SMTP_HOST")
        self.SMTP_SECURITY = (_env("OPENBID_SMTP_SECURITY", "starttls") or "").lower()
        if self.SMTP_SECURITY not in SMTP_SECURITY_MODES:
            raise ConfigError(
                f"OPENBID_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}, "
                f"got {self.SMTP_SECURITY!r}."
            )
        default_port = 465 if self.SMTP_SECURITY == "ssl" else 587
        self.SMTP_PORT = _int_env("OPENBID_SMTP_PORT", default_port)
        self.SMTP_USER = _env("OPENBID_SMTP_USER")
        self.SMTP_PASSWORD = _env("OPENBID_SMTP_PASSWORD")
        if self.SMTP_USER and not self.SMTP_PASSWORD:
            raise ConfigError("OPENBID_SMTP_USER is set; set OPENBID_SMTP_PASSWORD as well.")
        self.SMTP_SENDER = _env("OPENBID_SMTP_SENDER", "openbid <no-reply@openbid.invalid>")
        self.MAIL_OUTBOX_DIR = Path(
            _env("OPENBID_MAIL_OUTBOX_DIR", str(self.INSTANCE_DIR / "outbox"))
        )

    def _signing_settings(self) -> None:
        """Read OPENBID_SIGNING_*: a PKCS#12 file, or a PEM certificate plus its key."""
        cert, key = _env("OPENBID_SIGNING_CERT"), _env("OPENBID_SIGNING_KEY")
        if key and not cert:
            raise ConfigError(
                "OPENBID_SIGNING_KEY is set; set OPENBID_SIGNING_CERT to its certificate too."
            )
        roots = [r for r in (_env("OPENBID_SIGNING_TRUST_ROOTS") or "").split(os.pathsep) if r]
        named = [("OPENBID_SIGNING_CERT", cert), ("OPENBID_SIGNING_KEY", key)]
        named += [("OPENBID_SIGNING_TRUST_ROOTS", root) for root in roots]
        for variable, value in named:
            if value and not Path(value).is_file():
                raise ConfigError(f"{variable} names {value!r}, which is not a readable file.")
        self.SIGNING_CERT = Path(cert) if cert else None
        self.SIGNING_KEY = Path(key) if key else None
        self.SIGNING_PASSWORD = _env("OPENBID_SIGNING_PASSWORD")
        self.SIGNING_TRUST_ROOTS = tuple(Path(root) for root in roots)


class TestConfig(Config):
    """Settings for the test suite: a throw-away database per test, chosen by the fixture."""

    __test__ = False  # not a pytest test class, despite the name
    TESTING = True
    WTF_CSRF_ENABLED = True  # tests send tokens like a browser; CSRF is never off

    def __init__(self, database_url: str, instance_dir: Path) -> None:
        self.INSTANCE_DIR = instance_dir
        self.SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = check_database_url(database_url)
        if database_url.startswith("postgresql"):
            # Room for the concurrency tests' 20 simultaneous transactions; commits of a
            # throw-away database need not wait for the disk (isolation is unchanged).
            self.SQLALCHEMY_ENGINE_OPTIONS = {
                "pool_size": 25,
                "max_overflow": 5,
                "connect_args": {"options": "-c synchronous_commit=off -c jit=off"},
            }
        self.FILES_DIR = instance_dir / "files"
        self.CHECKPOINT_DIR = instance_dir / "checkpoints"
        self.DURABLE_WRITES = False  # a throw-away database and folder need no durability
        self.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
        self.PUBLIC_BASE_URL = "http://localhost"
        self.SESSION_COOKIE_SECURE = False
        # Never the real SMTP server of whoever runs the tests: mail goes to the outbox folder.
        self.SMTP_HOST = None
        self.SMTP_SECURITY = "none"
        self.SMTP_PORT = 25
        self.SMTP_USER = self.SMTP_PASSWORD = None
        self.SMTP_SENDER = "openbid <no-reply@openbid.invalid>"
        self.MAIL_OUTBOX_DIR = instance_dir / "outbox"
        # Jobs run at once in the caller unless a test switches to the thread or RQ.
        self.JOBS_MODE = "eager"
        self.REDIS_URL = None
        self.JOBS_QUEUE = "openbid-test"
