"""Web hardening from issue #10: headers, the public verify upload, PDF content, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from openbid.models import Role
from tests.factories import PASSWORD, make_agency, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What the policy would block: inline script and style, event handlers, javascript: links.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)


def _policy(response) -> dict[str, str]:  # noqa: ANN001
    """Return the Content-Security-Policy as {directive: sources}."""
    header = response.headers.get("Content-Security-Policy", "")
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def test_pages_carry_security_headers(client) -> None:  # noqa: ANN001
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


def test_logged_in_pages_and_errors_carry_them_too(client, browser) -> None:  # noqa: ANN001
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    for url in ("/home", "/admin/holidays", "/no-such-page"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_hsts_when_cookies_are_secure(app: Flask, client) -> None:  # noqa: ANN001
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
