"""Outgoing email: queued in the database with the change that causes it, delivered after commit.

An email is an ``OutboxMessage`` row written by ``queue()`` inside the caller's transaction, so
a confirmation link exists exactly when its account does and a result email exactly when the
result was published; a rollback takes the message with it.

Delivery is a separate step, ``send_pending()``: through SMTP (``smtplib``, the
``OPENBID_SMTP_*`` settings) when a host is configured, otherwise (development) each message is
written as an ``.eml`` file into the outbox folder (``OPENBID_MAIL_OUTBOX_DIR``, default
``instance/outbox``); in debug mode or under tests the whole message is printed to the log as
well, otherwise only where the file went, because the body holds password-reset and
confirmation links that must not reach a production log. A failed delivery stays in the table
with its error and is retried by the next delivery or by ``flask --app wsgi openbid send-mail``.

``dispatch()`` is the seam for a job queue. Today it runs ``send_pending()`` in-process, right
after the commit that queued mail (a SQLAlchemy ``after_commit`` hook, so it works the same
from a web request, the CLI or a workflow action, without ``after_request``). With RQ or
Celery on Redis, ``dispatch()`` would enqueue ``send_pending`` instead and a worker would
deliver; nothing that queues mail changes.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

import click
import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from openbid import clock, jobs
from openbid.extensions import db
from openbid.models import OutboxMessage, User

log = logging.getLogger("openbid.mail")

_QUEUED = "openbid.mail_queued"  # Session.info flag: this transaction wrote outbox rows
# Automatic deliveries skip a message after this many failures (so a dead SMTP server does
# not slow every request down); `flask openbid send-mail` still retries it.
AUTO_MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 15


def queue(session: Session, *, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add an email to the outbox in the caller's transaction; it is delivered after commit."""
    message = OutboxMessage(
        recipient=recipient, subject=subject[:300], body=body, created_at=clock.now()
    )
    session.add(message)
    session.info[_QUEUED] = True
    return message


def queue_template(
    session: Session,
    user: User,
    template: str,
    subject: str,
    subject_params: dict[str, object] | None = None,
    **context: object,
) -> OutboxMessage:
    """Render a text template and its subject in the recipient's language; queue it for user.

    ``subject`` is an English source string (mark it with ``N_``), filled with subject_params.
    """
    locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "id")
    with force_locale(locale):
        body = render_template(template, user=user, **context)
        title = gettext(subject) % (subject_params or {})
    return queue(session, recipient=user.email, subject=title, body=body)


def absolute_url(endpoint: str, **values: object) -> str:
    """Return a link for emails: OPENBID_PUBLIC_BASE_URL plus the endpoint's path.

    Never the request's Host header, which a client chooses (that would let anyone send a
    password-reset link pointing at their own site).
    """
    adapter = current_app.url_map.bind("openbid.invalid")
    path = adapter.build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


# --- delivery -------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Transport(Protocol):
    """Where messages go: an SMTP connection or the development outbox folder."""

    def send(self, row: OutboxMessage, message: EmailMessage) -> None:
        """Deliver one message or raise."""
        ...


class OutboxFolder:
    """Development delivery: an .eml file per message; the log gets a copy when log_bodies."""

    def __init__(self, folder: Path, *, log_bodies: bool = False) -> None:
        self.folder = folder
        self.log_bodies = log_bodies

    def send(self, row: OutboxMessage, message: EmailMessage) -> None:
        """Write the message atomically as <created>-<id>.eml and log it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{row.created_at:%Y%m%dT%H%M%S}-{row.id:06d}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            os.replace(tmp, self.folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if not self.log_bodies:
            log.info("email %s written to the outbox folder as %s", row.id, self.folder / name)
            return
        log.info(
            "email (development outbox %s)\nTo: %s\nSubject: %s\n\n%s",
            self.folder / name,
            row.recipient,
            row.subject,
            row.body,
        )


class SmtpTransport:
    """Delivery through one SMTP connection, opened lazily and reused for a batch."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["SMTP_HOST"], int(self.config["SMTP_PORT"])
        security = self.config.get("SMTP_SECURITY", "starttls")
        context = ssl.create_default_context()
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
            if security == "starttls":
                smtp.starttls(context=context)
        if self.config.get("SMTP_USER"):
            smtp.login(self.config["SMTP_USER"], self.config["SMTP_PASSWORD"] or "")
        return smtp

    def send(self, row: OutboxMessage, message: EmailMessage) -> None:
        """Send one message over the (re)used connection."""
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.send_message(message)

    def close(self) -> None:
        """Say goodbye to the server; a failure here loses nothing."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


@contextmanager
def _transport() -> Iterator[Transport]:
    config = current_app.config
    if config.get("SMTP_HOST"):
        smtp = SmtpTransport(config)
        try:
            yield smtp
        finally:
            smtp.close()
    else:
        folder = config.get("MAIL_OUTBOX_DIR") or Path(current_app.instance_path) / "outbox"
        # Reset links in a production log would let anyone who reads the log take an account.
        yield OutboxFolder(Path(folder), log_bodies=current_app.debug or current_app.testing)


def outbox_dir() -> Path:
    """Return the development outbox folder of the current app."""
    folder = current_app.config.get("MAIL_OUTBOX_DIR")
    return Path(folder) if folder else Path(current_app.instance_path) / "outbox"


def build_message(row: OutboxMessage) -> EmailMessage:
    """Return the RFC 5322 message for an outbox row."""
    sender = current_app.config.get("SMTP_SENDER") or "openbid <no-reply@openbid.invalid>"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "openbid.invalid"
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
    # quoted-printable: 7-bit safe for any relay, still readable as plain text.
    message.set_content(row.body, cte="quoted-printable")
    return message


def send_pending(
    *, limit: int = 200, max_attempts: int | None = AUTO_MAX_ATTEMPTS
) -> DeliveryReport:
    """Deliver unsent outbox messages, oldest first, in a session of their own.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so several workers never
    send the same message twice; each outcome (sent, or the error) is committed.
    """
    report = DeliveryReport()
    with Session(db.engine) as session:
        stmt = sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        if max_attempts is not None:
            stmt = stmt.where(OutboxMessage.attempts < max_attempts)
        stmt = stmt.order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
        rows = session.scalars(stmt).all()
        if not rows:
            return report
        with _transport() as transport:
            for row in rows:
                row.attempts += 1
                try:
                    transport.send(row, build_message(row))
                except (smtplib.SMTPException, OSError, ValueError) as exc:
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    report.failed += 1
                    report.errors.append(f"message {row.id} to {row.recipient}: {row.last_error}")
                    log.warning("email %s to %s not delivered: %s", row.id, row.recipient, exc)
                    if isinstance(transport, SmtpTransport):
                        transport.close()  # reconnect for the next one
                else:
                    row.sent_at = clock.now()
                    row.last_error = ""
                    report.sent += 1
        session.commit()
    return report


def dispatch() -> None:
    """Deliver what was queued; called after a commit that wrote outbox rows.

    Goes through the job queue (``openbid.jobs``): RQ or the web process's worker thread run
    ``send_pending`` there; in tests and commands it runs at once. It never raises: the change
    that queued the mail is already committed, and a failed delivery stays on its row for the
    next try.
    """
    try:
        jobs.enqueue("openbid.mail:send_pending")
    except Exception:  # the caller's work is committed; never turn that into an error page
        log.exception("email delivery failed; `flask openbid send-mail` retries it")


def _after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT is released; only the outermost commit
    # makes the rows visible to the delivery's own connection.
    if session.in_nested_transaction():
        return
    queued = session.info.pop(_QUEUED, False)
    if queued and has_app_context() and "openbid.mail" in current_app.extensions:
        dispatch()


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_QUEUED, None)


@click.command("send-mail")
@click.option("--limit", default=1000, show_default=True, help="Most messages to send.")
def send_mail_command(limit: int) -> None:
    """Deliver unsent email now, including messages that failed before."""
    report = send_pending(limit=limit, max_attempts=None)
    click.echo(f"Sent {report.sent} message(s); {report.failed} failed.")
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Hook delivery to commits and print development mail to the log.

    The CLI (openbid.cli) adds ``send_mail_command`` as `openbid send-mail`.
    """
    app.extensions["openbid.mail"] = True
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _after_commit):
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_rollback", _after_rollback)
    if not app.config.get("SMTP_HOST"):
        log.setLevel(logging.INFO)  # the development outbox is meant to be read in the log
    app.logger  # noqa: B018 - installs Flask's stderr handler that "openbid.mail" propagates to
