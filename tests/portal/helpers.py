"""Helpers for the portal tests: a movable clock, an open selection, outbox mail, bad files."""

from __future__ import annotations

import email
import io
import re
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from pypdf import PdfWriter

import openbid.clock as clock
from openbid.extensions import db
from openbid.mail import outbox_dir
from openbid.models import (
    Agency,
    ApplicationDocument,
    AuditEvent,
    OutboxMessage,
    Role,
    Selection,
    StoredFile,
    User,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.stages.common.applications import create_application
from openbid.workflow import fire
from tests.factories import PASSWORD, make_selection, make_user
from tests.stage_factories import record_gates, tiny_pdf

# Tuesday 20 November 2018, 09:00 WIB: the demo selection's year, when registration opens.
OPEN_AT = datetime(2018, 11, 20, 2, 0, tzinfo=UTC)
GOOD_NIP = "197003151995031002"  # born 15 March 1970, CPNS March 1995, male, serial 002


class Clock:
    """openbid's clock (``openbid.clock.now``), fixed at a moment the test moves."""

    def __init__(self, monkeypatch: Any, at: datetime = OPEN_AT) -> None:
        self.at = at
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def move(self, **delta: float) -> None:
        """Move the clock forward by a timedelta's keyword arguments."""
        self.at = self.at + timedelta(**delta)


def open_selection(
    agency: Agency, *, positions: int = 1, parameters: dict | None = None, start=date(2018, 11, 19)
) -> tuple[Selection, User]:
    """Return a selection published at the clock's current moment, registration open."""
    selection, secretariat = make_selection(agency, start=start, positions=positions)
    if parameters:
        selection.parameters = parameters
        db.session.commit()
    fire(selection, "submit_for_approval", secretariat)
    record_gates(selection, secretariat)
    fire(selection, "publish_announcement", secretariat)
    assert selection.registration_closes_at is not None
    return selection, secretariat


def candidate(name: str = "Siti Rahmawati, S.E., M.Si.", confirmed: bool = True) -> User:
    """Return a candidate account (email confirmed unless asked otherwise)."""
    user = make_user(Role.CANDIDATE, name=name)
    if confirmed:
        user.email_confirmed_at = clock.now()
        db.session.commit()
    return user


def profile_form(**overrides: Any) -> dict[str, str]:
    """Return a complete, valid profile form as the browser posts it."""
    data = {
        "name": "Siti Rahmawati, S.E., M.Si.",
        "nip": GOOD_NIP,
        "birth_place": "Tangerang",
        "phone": "0812 3456 7890",
        "rank": "IV/b",
        "education": "S2",
        "education_major": "Administrasi Publik",
        "is_pns": "1",
        "agency_name": "Pemerintah Kota Tangerang",
        "current_position": "Sekretaris Dinas Pendidikan",
        "current_position_since": "2014-01-02",
        "related_experience_years": "12",
        "history_rows": "2",
        "history-0-position": "Kepala Bidang Pendidikan Dasar",
        "history-0-level": "administrator",
        "history-0-start": "2010-03-01",
        "history-0-end": "2014-01-01",
        "history-1-position": "Sekretaris Dinas Pendidikan",
        "history-1-level": "administrator",
        "history-1-start": "2014-01-02",
        "history-1-end": "",
        "ratings-0-year": "2017",
        "ratings-0-rating": "sangat_baik",
        "ratings-1-year": "2016",
        "ratings-1-rating": "baik",
        "sanction_level": "none",
        "sanction_date": "",
        "lhkpn_lodged": "1",
        "own_ppk_approval": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def outbox_files(app: Flask) -> list[Path]:
    """Return the development outbox's .eml files, oldest first."""
    folder = outbox_dir()
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def read_eml(path: Path) -> Message:
    """Parse an .eml file."""
    return email.message_from_bytes(path.read_bytes())


def body_of(message: Message) -> str:
    """Return the text body of a parsed message."""
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def mail_to(app: Flask, address: str) -> list[Message]:
    """Return the outbox messages addressed to address, oldest first."""
    return [m for m in map(read_eml, outbox_files(app)) if m["To"] == address]


def link_in(message: Message, marker: str) -> str:
    """Return the path of the first link in a message whose path contains marker."""
    for url in re.findall(r"https?://\S+", body_of(message)):
        if marker in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {marker!r} in:\n{body_of(message)}")


def counts() -> dict[str, int]:
    """Return the row counts an upload or an application would change."""
    return {
        "stored_file": db.session.scalar(sa.select(sa.func.count(StoredFile.id))),
        "document": db.session.scalar(sa.select(sa.func.count(ApplicationDocument.id))),
        "audit": db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
        "outbox": db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))),
    }


def png_named_pdf() -> tuple[io.BytesIO, str]:
    """Return a PNG image that calls itself a PDF."""
    data = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
    return io.BytesIO(data), "ijazah.pdf"


def big_pdf(size: int = 3 * 1024 * 1024) -> tuple[io.BytesIO, str]:
    """Return a real PDF padded to size bytes (a comment after %%EOF)."""
    data = tiny_pdf("big")
    return io.BytesIO(data + b"%" + b"x" * (size - len(data) - 2) + b"\n"), "scan.pdf"


def encrypted_pdf() -> tuple[io.BytesIO, str]:
    """Return a PDF protected by a password (pypdf's writer.encrypt)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("rahasia")
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return out, "skp.pdf"


def good_pdf(text: str = "dokumen") -> tuple[io.BytesIO, str]:
    """Return a valid one-page PDF."""
    return io.BytesIO(tiny_pdf(text)), f"{text}.pdf"


def start_application(selection: Selection, user: User, index: int = 0):
    """Start a draft application through the service the portal uses."""
    return create_application(selection.positions[index], user)


def login(browser: Any, user: User, password: str = PASSWORD) -> None:
    """Log the browser in as user."""
    response = browser.login(user.email, password)
    assert response.status_code == 302, response.get_data(as_text=True)


def all_documents() -> list[str]:
    """Return every required document code."""
    return list(REQUIRED_DOCUMENTS)


def english(client: Any) -> None:
    """Switch the browser's session to English, so tests read the source messages."""
    client.get("/auth/login?lang=en")


def post_file(browser: Any, url: str, page: str, file: tuple[io.BytesIO, str]) -> Any:
    """POST a multipart form with a CSRF token (from page) and one file, encoded in memory.

    Werkzeug's test client spools bodies over 500 kB to a temporary file it never closes;
    encoding here keeps the 3 MB upload test free of that ResourceWarning.
    """
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import stream_encode_multipart

    stream, name = file
    fields = MultiDict(
        [
            ("csrf_token", browser.token(page)),
            ("file", FileStorage(stream=stream, filename=name, content_type="application/pdf")),
        ]
    )
    body, _length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return browser.client.post(
        url, data=body.getvalue(), content_type=f"multipart/form-data; boundary={boundary}"
    )


def pdf_upload(text: str = "dokumen") -> Any:
    """Return a valid PDF as the FileStorage a form upload gives a service."""
    from werkzeug.datastructures import FileStorage

    stream, name = good_pdf(text)
    return FileStorage(stream=stream, filename=name)


def raw_profile(form: dict[str, str]) -> dict[str, Any]:
    """Return a posted profile form in the shape services.portal.save_profile takes."""
    raw: dict[str, Any] = dict(form)
    raw["history"] = [
        {k: form.get(f"history-{i}-{k}", "") for k in ("position", "level", "start", "end")}
        for i in range(int(form.get("history_rows", "0")))
    ]
    raw["ratings"] = [
        {k: form.get(f"ratings-{i}-{k}", "") for k in ("year", "rating")} for i in range(2)
    ]
    return raw
