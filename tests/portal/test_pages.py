"""Portal pages: list pages keep a fixed number of queries however many rows they show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from openbid.extensions import db
from openbid.stages import applications as portal
from tests.factories import make_agency
from tests.portal.helpers import Clock, candidate, login, open_selection, pdf_upload


@contextmanager
def counting() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _queries(client, url: str) -> int:
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_list_pages_do_not_grow_queries_with_rows(app, client, browser, monkeypatch) -> None:
    Clock(monkeypatch)
    user = candidate()
    login(browser, user)

    def add_selection_and_application() -> None:
        selection, _ = open_selection(make_agency(), positions=2)
        application = portal.start_application(user, selection.positions[0])
        portal.upload_document(application, user, "cv", pdf_upload("cv"), 2**21)

    add_selection_and_application()
    first = {url: _queries(client, url) for url in ("/home", "/portal/", "/portal/selections")}
    for _ in range(3):
        add_selection_and_application()
    later = {url: _queries(client, url) for url in first}
    assert later == first


def test_application_page_does_not_grow_queries_with_documents(
    app, client, browser, monkeypatch
) -> None:
    Clock(monkeypatch)
    selection, _ = open_selection(make_agency())
    user = candidate()
    login(browser, user)
    application = portal.start_application(user, selection.positions[0])
    page = f"/portal/applications/{application.id}"
    portal.upload_document(application, user, "cv", pdf_upload("cv 1"), 2**21)
    one = _queries(client, page)
    for code in ("ijazah", "skp", "lhkpn", "surat_sehat"):
        portal.upload_document(application, user, code, pdf_upload(code), 2**21)
    portal.upload_document(application, user, "cv", pdf_upload("cv 2"), 2**21)  # a replaced one
    assert _queries(client, page) == one


def test_portal_pages_speak_indonesian_by_default(app, client, browser, monkeypatch) -> None:
    Clock(monkeypatch)
    selection, _ = open_selection(make_agency())
    user = candidate()
    login(browser, user)
    application = portal.start_application(user, selection.positions[0])
    for url in (
        "/home",
        "/portal/selections",
        "/portal/profile",
        f"/portal/applications/{application.id}",
    ):
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="id">' in html, url
        assert "Keluar" in html, url  # the log-out button, translated long ago
