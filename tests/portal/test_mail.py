"""Outbox delivery: the development folder, real SMTP (a local test server), retries, rollback."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from config import Config, ConfigError
from openbid import mail
from openbid.extensions import db
from openbid.models import OutboxMessage, Role
from tests.factories import make_user
from tests.portal.helpers import body_of, outbox_files, read_eml


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greet, EHLO, MAIL, RCPT, DATA, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self._reply("220 test ESMTP")
        while True:
            line = self.rfile.readline().decode("ascii", "replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._reply("250-test")
                self._reply("250 8BITMIME")
            elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go ahead")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.received.append(b"".join(lines))
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    """Run a local SMTP server on a free port; its ``received`` lists each message's bytes."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _use_smtp(app, port: int) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")


def _queue(subject: str = "Uji coba", body: str = "Halo, ini pesan uji.") -> OutboxMessage:
    user = make_user(Role.CANDIDATE)
    message = mail.queue(db.session, recipient=user.email, subject=subject, body=body)
    db.session.commit()  # delivery runs right after this commit
    return message


def test_development_outbox_gets_an_eml_file_and_the_log_a_copy(app, caplog) -> None:
    caplog.set_level(logging.INFO, logger="openbid.mail")
    message = _queue(body="Tautan: http://localhost/portal/confirm/abc — selamat")
    (path,) = outbox_files(app)
    parsed = read_eml(path)
    assert parsed["To"] == message.recipient
    assert parsed["Subject"] == "Uji coba"
    assert "selamat" in body_of(parsed)
    assert "http://localhost/portal/confirm/abc" in caplog.text
    db.session.refresh(message)
    assert message.sent_at is not None and message.attempts == 1


def test_smtp_delivery_when_a_host_is_configured(app, smtp_server) -> None:
    _use_smtp(app, smtp_server.server_address[1])
    message = _queue(subject="Hasil seleksi", body="Anda lulus seleksi administrasi.")
    assert len(smtp_server.received) == 1
    assert b"Subject: Hasil seleksi" in smtp_server.received[0]
    assert outbox_files(app) == []  # not the development folder
    db.session.refresh(message)
    assert message.sent_at is not None and message.last_error == ""


def test_a_failed_delivery_is_kept_and_retried_by_the_cli(app, runner, smtp_server) -> None:
    _use_smtp(app, _free_port())  # nobody listens there
    message = _queue()
    db.session.refresh(message)
    assert message.sent_at is None and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error

    result = runner.invoke(args=["openbid", "send-mail"])
    assert result.exit_code == 1
    assert "1 failed" in result.output

    _use_smtp(app, smtp_server.server_address[1])
    result = runner.invoke(args=["openbid", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 message(s)" in result.output
    db.session.refresh(message)
    assert message.sent_at is not None and message.attempts == 3


def test_automatic_delivery_gives_up_after_some_failures_but_the_cli_does_not(
    app, runner, smtp_server
) -> None:
    message = _queue()  # delivered to the folder; make a stuck one
    stuck = OutboxMessage(
        recipient=message.recipient, subject="macet", body="x", attempts=mail.AUTO_MAX_ATTEMPTS
    )
    db.session.add(stuck)
    db.session.commit()
    assert mail.send_pending().sent == 0
    result = runner.invoke(args=["openbid", "send-mail"])
    assert result.exit_code == 0 and "Sent 1" in result.output


def test_a_rolled_back_transaction_sends_nothing(app) -> None:
    user = make_user(Role.CANDIDATE)
    mail.queue(db.session, recipient=user.email, subject="batal", body="x")
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert outbox_files(app) == []


def test_a_savepoint_does_not_send_before_the_real_commit(app) -> None:
    user = make_user(Role.CANDIDATE)
    mail.queue(db.session, recipient=user.email, subject="satu", body="x")
    with db.session.begin_nested():  # e.g. storage.store inside the same transaction
        pass
    assert outbox_files(app) == []
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            raise RuntimeError("a savepoint rolled back")
    db.session.commit()
    assert len(outbox_files(app)) == 1


def test_links_use_the_public_base_url_not_the_request_host(app) -> None:
    # A request's Host header is the client's to choose; a reset link must not follow it.
    with app.test_request_context("/", base_url="http://evil.example"):
        assert mail.absolute_url("auth.login") == "http://localhost/auth/login"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPENBID_SMTP_SECURITY": "tls13"}, "OPENBID_SMTP_SECURITY must be one of"),
        ({"OPENBID_SMTP_USER": "bkpsdm"}, "set OPENBID_SMTP_PASSWORD as well"),
        ({"OPENBID_SMTP_PORT": "dua lima"}, "OPENBID_SMTP_PORT must be a whole number"),
    ],
)
def test_bad_smtp_settings_are_explained(tmp_path, monkeypatch, env, message) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        Config()


def test_smtp_settings_are_read_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("OPENBID_SMTP_HOST", "smtp.example.go.id")
    monkeypatch.setenv("OPENBID_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("OPENBID_SMTP_SENDER", "BKPSDM <seleksi@example.go.id>")
    config = Config()
    assert config.SMTP_HOST == "smtp.example.go.id"
    assert config.SMTP_PORT == 465
    assert config.SMTP_SENDER == "BKPSDM <seleksi@example.go.id>"
    assert config.MAIL_OUTBOX_DIR == tmp_path / "outbox"
