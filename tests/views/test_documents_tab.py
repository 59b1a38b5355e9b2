"""The staff's Documents tab: the selection's issued documents and their downloads."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from openbid.extensions import db
from openbid.models import IssuedDocument, Role
from openbid.stages import documents
from openbid.stages import documents as document_contexts
from tests.documents import scenario
from tests.factories import PASSWORD, make_agency, make_selection, make_user


def _issue(built: scenario.Scenario, kind: str) -> IssuedDocument:
    at = scenario.ISSUE_TIMES[kind]
    context = document_contexts.build_context(
        db.session, kind, built.selection, issued_at=at, actor=built.secretariat
    )
    document = documents.issue_document(
        db.session,
        kind=kind,
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=at,
    )
    db.session.commit()
    return document


@pytest.fixture
def built(app: Flask) -> scenario.Scenario:
    """The scenario with its announcement and extension notice issued."""
    built = scenario.build()
    _issue(built, "announcement")
    _issue(built, "extension_notice")
    return built


def _url(built: scenario.Scenario, suffix: str = "") -> str:
    return f"/selections/{built.selection.id}/documents{suffix}"


def test_secretariat_lists_and_downloads_the_documents(browser, built) -> None:
    browser.login(built.secretariat.email, PASSWORD)
    page = browser.client.get(_url(built) + "?lang=en").get_data(as_text=True)
    registered = db.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.id)).all()
    assert len(registered) == 2
    for document in registered:
        assert document.number in page and document.verification_code in page
        response = browser.client.get(_url(built, f"/{document.id}"))
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data == documents.document_bytes(document)
    assert ">Documents<" in page  # the tab is there


def test_committee_members_of_the_selection_may_download(browser, built) -> None:
    member = built.selection.committee[0].user
    document = db.session.scalar(sa.select(IssuedDocument))
    browser.login(member.email, PASSWORD)
    assert browser.client.get(_url(built)).status_code == 200
    assert browser.client.get(_url(built, f"/{document.id}")).status_code == 200


def test_outsiders_get_nothing(browser, built) -> None:
    document = db.session.scalar(sa.select(IssuedDocument))
    other_selection, _ = make_selection(built.agency)
    outsider_member = other_selection.committee[0].user
    for user, status in (
        (outsider_member, 404),  # a committee member not seated on this selection
        (make_user(Role.SECRETARIAT, make_agency()), 404),  # another agency's staff
        (make_user(Role.CANDIDATE), 403),
        (built.auditor, 403),  # auditors download from their own area
    ):
        browser.login(user.email, PASSWORD)
        assert browser.client.get(_url(built)).status_code == status, user.role
        assert browser.client.get(_url(built, f"/{document.id}")).status_code == status
        browser.post("/auth/logout")
    browser.client.get("/auth/login")
    assert browser.client.get(_url(built)).status_code == 302  # not logged in


def test_a_document_of_another_selection_is_not_found_here(browser, built) -> None:
    other = scenario.build()
    foreign = _issue(other, "announcement")
    browser.login(built.secretariat.email, PASSWORD)
    assert browser.client.get(_url(built, f"/{foreign.id}")).status_code == 404
    assert browser.client.get(_url(built, "/999999")).status_code == 404


def test_query_count_does_not_grow_with_documents(app: Flask, browser, built) -> None:
    browser.login(built.secretariat.email, PASSWORD)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert browser.client.get(_url(built)).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    for kind in ("screening_minutes", "screening_announcement", "results_announcement"):
        _issue(built, kind)
    assert queries() == few
