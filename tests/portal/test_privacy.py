"""Privacy: a candidate sees and downloads only their own applications and files.

Issue 4, acceptance 3: candidate B cannot read candidate A's application or download A's
file by guessing ids, and a committee member of another agency cannot either, through any
portal URL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import ApplicationDocument, Role
from openbid.stages import applications as portal
from tests.factories import make_agency, make_user
from tests.portal.helpers import Clock, candidate, good_pdf, login, open_selection, pdf_upload


@pytest.fixture
def two(app, client, browser, monkeypatch):
    """Candidates A and B, each with a draft application and an uploaded CV."""
    Clock(monkeypatch)
    selection, secretariat = open_selection(make_agency(), positions=2)
    people = {}
    for key, index in (("a", 0), ("b", 1)):
        user = candidate(f"Kandidat {key.upper()}")
        application = portal.start_application(user, selection.positions[index])
        document = portal.upload_document(application, user, "cv", pdf_upload(f"cv {key}"), 2**21)
        people[key] = (user, application, document)
    return {"selection": selection, "secretariat": secretariat, **people}


def _urls(application_id: int, document_id: int) -> list[tuple[str, str]]:
    base = f"/portal/applications/{application_id}"
    return [
        ("GET", base),
        ("GET", f"{base}/documents/{document_id}/download"),
        ("POST", f"{base}/documents/cv"),
        ("POST", f"{base}/submit"),
        ("POST", f"{base}/withdraw"),
    ]


def _call(browser, method: str, url: str):
    if method == "GET":
        return browser.client.get(url)
    return browser.post(url, {"version": "1", "confirm": "1"}, page="/home")


def test_candidate_b_cannot_reach_a_by_guessing_ids(two, browser) -> None:
    _, a_app, a_doc = two["a"]
    b_user, b_app, _ = two["b"]
    login(browser, b_user)
    for method, url in _urls(a_app.id, a_doc.id):
        assert _call(browser, method, url).status_code == 404, (method, url)
    # A's file id under B's own application is no key either
    response = browser.client.get(f"/portal/applications/{b_app.id}/documents/{a_doc.id}/download")
    assert response.status_code == 404
    db.session.expire_all()
    assert a_app.state == "draft"
    assert db.session.scalar(sa.select(sa.func.count(ApplicationDocument.id))) == 2


def test_b_sees_only_their_own_applications(two, browser) -> None:
    b_user = two["b"][0]
    login(browser, b_user)
    home = browser.client.get("/home").get_data(as_text=True)
    assert two["selection"].positions[1].name in home
    assert two["selection"].positions[0].name not in home  # A's post


def test_a_downloads_their_own_file_with_private_headers(two, browser) -> None:
    a_user, a_app, a_doc = two["a"]
    login(browser, a_user)
    response = browser.client.get(f"/portal/applications/{a_app.id}/documents/{a_doc.id}/download")
    assert response.status_code == 200
    assert response.data == good_pdf("cv a")[0].getvalue()
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("same_selection", [False, True], ids=["other-agency", "own-committee"])
def test_staff_cannot_open_candidate_files_through_the_portal(two, browser, same_selection) -> None:
    _, a_app, a_doc = two["a"]
    if same_selection:
        member = two["selection"].committee[0].user
    else:
        other_selection, _ = open_selection(make_agency())
        member = other_selection.committee[0].user
    login(browser, member)
    for method, url in _urls(a_app.id, a_doc.id):
        assert _call(browser, method, url).status_code == 403, (method, url)
    for url in ("/portal/", "/portal/selections", "/portal/profile"):
        assert browser.client.get(url).status_code == 403


def test_every_staff_role_is_kept_out_of_the_portal(two, browser) -> None:
    agency = two["selection"].agency
    _, a_app, a_doc = two["a"]
    for role in (Role.ADMIN, Role.SECRETARIAT, Role.PPK, Role.AUDITOR):
        user = make_user(role, agency)
        login(browser, user)
        url = f"/portal/applications/{a_app.id}/documents/{a_doc.id}/download"
        assert browser.client.get(url).status_code == 403, role
        browser.post("/auth/logout")


def test_anonymous_visitors_are_sent_to_log_in(two, client) -> None:
    _, a_app, a_doc = two["a"]
    for url in (
        f"/portal/applications/{a_app.id}",
        f"/portal/applications/{a_app.id}/documents/{a_doc.id}/download",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
