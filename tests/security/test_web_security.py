"""Web hardening from issue #10: headers, the public verify upload, PDF content, bad input."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from config import TestConfig
from openbid.app import create_app
from openbid.extensions import db
from openbid.models import (
    AgencyHoliday,
    AuditEvent,
    CommitteeMember,
    IssuedDocument,
    Position,
    Role,
)
from openbid.models.rate_limit import RateLimitHit
from openbid.verify.views import VERIFY_CHECKS_PER_MINUTE
from tests.announcement_support import install_clock
from tests.api.conftest import api_as  # noqa: F401 - the fixture
from tests.conftest import csrf_from
from tests.documents import scenario
from tests.factories import PASSWORD, make_agency, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What the policy would block: inline script and style, event handlers, javascript: links.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)


def _policy(response) -> dict[str, str]:
    """Return the Content-Security-Policy as {directive: sources}."""
    header = response.headers.get("Content-Security-Policy", "")
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def test_pages_carry_security_headers(client) -> None:
    response = client.get("/verify/")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline': inline script never runs
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "data:" in policy["img-src"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in tests


def test_logged_in_pages_and_errors_carry_them_too(client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    for url in ("/home", "/admin/holidays", "/no-such-page"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_hsts_when_cookies_are_secure(app: Flask, client) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.get("/verify/", base_url="https://localhost")
    hsts = response.headers["Strict-Transport-Security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600


@pytest.mark.parametrize(
    "path",
    # templates/documents/ are rendered to PDF by WeasyPrint, never served as pages.
    sorted(p for p in TEMPLATES.rglob("*.html") if p.parent != TEMPLATES / "documents"),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_page_templates_have_nothing_inline_the_policy_blocks(path: Path) -> None:
    assert not INLINE.search(path.read_text(encoding="utf-8"))


# --- 5. the public /verify upload: 5 MB and 10 checks a minute per address --------------


def _check(client, url: str = "/verify/", data: bytes = b"%PDF-1.4 not registered", **kwargs):
    """POST a file to the verify page with a CSRF token, as its form does."""
    token = csrf_from(client.get(url, **kwargs).get_data(as_text=True))
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), "salinan.pdf")}
    )
    return client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs
    )


def test_verify_refuses_a_file_over_5_mb_with_a_clear_page(client) -> None:
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 1)
    response = _check(client, data=big)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "5 MB" in page and "lebih besar" in page  # Indonesian first
    assert 'type="file"' in page  # the form again, to choose another file
    client.get("/verify/?lang=en")
    page = _check(client, data=big).get_data(as_text=True)
    assert "larger than 5 MB" in page
    # Far over the limit: refused from its Content-Length, before the body is read.
    response = _check(client, data=b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 5 MB" in response.get_data(as_text=True)
    assert _check(client, data=b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)).status_code == 200


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _hits() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RateLimitHit))


def test_verify_file_checks_are_limited_per_address_across_workers(
    app: Flask, client, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moving = install_clock(monkeypatch)
    for _ in range(VERIFY_CHECKS_PER_MINUTE):
        assert _check(client).status_code == 200
    # Another worker process sharing the database: the count is in the table, not in memory.
    other = create_app(TestConfig(database_url, tmp_path / "worker-2"))
    other.test_client_class = type(client)
    with other.app_context():
        refused = _check(other.test_client())
        db.engine.dispose()
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Terlalu banyak" in refused.get_data(as_text=True)
    before = _hits()
    assert _check(client).status_code == 429
    assert _hits() == before  # refused checks are not counted again
    # Another address is not affected; looking up a code is not a file check.
    assert _check(client, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert client.get("/verify/?code=K7QM2-X9PDT").status_code in (303, 404)
    moving.set(moving.moment + timedelta(seconds=61))
    assert _check(client).status_code == 200


# --- 9. issuing the audit-trail export is a POST; a GET only downloads -------------------


def test_a_get_never_issues_the_trail_export(app: Flask, browser) -> None:
    built = scenario.build()
    browser.login(built.auditor.email, PASSWORD)
    browser.client.get("/audit/?lang=en")
    page = f"/audit/selections/{built.selection.id}"
    before = (_count(IssuedDocument), _count(AuditEvent))
    response = browser.client.get(f"{page}/trail.pdf")  # e.g. a link or <img> on another site
    assert response.status_code == 404
    assert "No export of the trail has been issued" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (_count(IssuedDocument), _count(AuditEvent)) == before
    # Without the form's CSRF token nothing is issued either.
    assert browser.client.post(f"{page}/trail.pdf").status_code == 400
    assert (_count(IssuedDocument), _count(AuditEvent)) == before
    html = browser.client.get(page).get_data(as_text=True)
    assert f'action="{page}/trail.pdf"' in html and 'method="post"' in html
    issued = browser.post(f"{page}/trail.pdf", page=page)
    assert issued.status_code == 303
    db.session.expire_all()
    assert _count(IssuedDocument) == before[0] + 1
    download = browser.client.get(f"{page}/trail.pdf")  # the latest export, not a new one
    assert download.status_code == 303
    assert download.headers["Location"] == issued.headers["Location"]
    assert _count(IssuedDocument) == before[0] + 1


# --- 7. bad input that reached the database: refused by name, nothing saved --------------


def _draft(api_as):  # noqa: F811
    """Return (api as the secretariat, the draft selection's id, a committee user)."""
    agency = make_agency()
    api = api_as(make_user(Role.SECRETARIAT, agency))
    sid = api.post("/selections", json={"title": "Seleksi", "start_date": "2025-08-01"})
    return api, sid.get_json()["id"], make_user(Role.COMMITTEE, agency)


def _member(user_id: int, **fields: object) -> dict:
    body = {
        "user_id": user_id,
        "committee_role": "chair",
        "is_internal": True,
        "position_title": "Sekda",
        "position_level": 2,
    }
    return {**body, **fields}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("committee", lambda uid: _member(uid, position_title="Sek\x00da"), "position_title"),
        ("committee", lambda uid: _member(uid, institution="\x00"), "institution"),
        ("committee", lambda uid: _member(2**31), "user_id"),
        ("committee", lambda uid: _member(10**30), "user_id"),
        ("committee", lambda uid: _member(uid, position_title="x" * 201), "position_title"),
        ("positions", lambda uid: {"name": "Kepala\x00", "unit": "Dinas"}, "name"),
        ("positions", lambda uid: {"name": "Kepala", "unit": "D" * 201}, "unit"),
        ("positions", lambda uid: {"name": "Kepala", "unit": "Dinas", "level": 2**31}, "level"),
    ],
)
def test_api_refuses_nul_huge_ids_and_long_text_by_field(api_as, path, body, field) -> None:  # noqa: F811
    api, sid, member = _draft(api_as)
    before = (_count(AuditEvent), _count(Position), _count(CommitteeMember))
    response = api.post(f"/selections/{sid}/{path}", json=body(member.id))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert any(e.get("field") == field or field in e["message"] for e in errors), errors
    db.session.expire_all()
    assert (_count(AuditEvent), _count(Position), _count(CommitteeMember)) == before


def test_nul_is_refused_in_every_string_of_every_request_schema() -> None:
    from openbid.api.application_schemas import ConflictRequestSchema
    from openbid.api.approvals import AppointmentBody
    from openbid.api.selection_schemas import EventRequestSchema

    # Declared with marshmallow: refused by the schema's load (the API answers 422).
    for body in ({"event": "submit", "data": {"note": "a\x00"}}, {"event": "a\x00"}):
        assert EventRequestSchema().validate(body)
    assert ConflictRequestSchema().validate({"reason": "\x00"})
    assert AppointmentBody().validate({"application_id": 1, "expected_version": 2**31})


def test_holiday_at_the_end_of_the_calendar_is_a_form_error(client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    client.get("/admin/holidays?lang=en")
    before = (_count(AgencyHoliday), _count(AuditEvent))
    for day in ("9999-12-31", "0001-01-01"):
        response = browser.post(
            "/admin/holidays", {"day": day, "name": "Libur"}, page="/admin/holidays"
        )
        assert response.status_code == 422, day
        assert "is outside the years" in response.get_data(as_text=True)  # names the date
        db.session.expire_all()
        assert (_count(AgencyHoliday), _count(AuditEvent)) == before
