"""Applying: open selections, one post per selection, PDF documents, submitting, withdrawing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, ApplicationDocument, AuditEvent
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.stages import applications as portal
from openbid.workflow import fire
from tests.factories import make_agency
from tests.portal.helpers import (
    Clock,
    big_pdf,
    candidate,
    counts,
    encrypted_pdf,
    english,
    good_pdf,
    login,
    open_selection,
    pdf_upload,
    png_named_pdf,
    post_file,
    profile_form,
    raw_profile,
)


@pytest.fixture
def world(app, client, browser, monkeypatch):
    """An open selection with two posts, and a logged-in candidate with a complete profile."""
    clock = Clock(monkeypatch)
    selection, secretariat = open_selection(make_agency(), positions=2)
    user = candidate()
    login(browser, user)
    english(client)
    response = browser.post("/portal/profile", profile_form(), page="/portal/profile")
    assert response.status_code == 303
    return {"clock": clock, "selection": selection, "secretariat": secretariat, "user": user}


def _apply(browser, position) -> object:
    return browser.post(f"/portal/positions/{position.id}/apply", page="/portal/selections")


def _application(user) -> Application:
    return db.session.scalar(
        sa.select(Application).where(Application.candidate_id == user.id).order_by(Application.id)
    )


def _upload(browser, application, code, file):
    page = f"/portal/applications/{application.id}"
    return post_file(browser, f"{page}/documents/{code}", page, file)


def _submit(browser, application):
    db.session.refresh(application)
    page = f"/portal/applications/{application.id}"
    return browser.post(f"{page}/submit", {"version": str(application.version)}, page=page)


def _upload_all(browser, application, skip=()) -> None:
    for code in REQUIRED_DOCUMENTS:
        if code not in skip:
            assert _upload(browser, application, code, good_pdf(code)).status_code == 303


# --- open selections and applying -----------------------------------------------------


def test_open_selections_show_posts_deadline_in_wib_and_documents(world, client) -> None:
    client.get("/portal/selections?lang=id")
    html = client.get("/portal/selections").get_data(as_text=True)
    selection = world["selection"]
    assert selection.title in html and selection.agency.name in html
    for post in selection.positions:
        assert post.name in html
    # Published Tuesday 20 Nov 2018 09:00 WIB: 15 calendar days, closing 23:59 WIB.
    assert "4 Desember 2018 pukul 23.59 WIB" in html
    assert "Surat pernyataan bukan anggota partai politik" in html


def test_closed_selections_are_not_listed(world, client) -> None:
    world["clock"].at = world["selection"].registration_closes_at
    html = client.get("/portal/selections").get_data(as_text=True)
    assert world["selection"].title not in html
    assert "No selection is taking applications" in html


def test_apply_starts_a_draft_and_a_second_post_is_refused(world, browser, client) -> None:
    first, second = world["selection"].positions
    response = _apply(browser, first)
    assert response.status_code == 303
    application = _application(world["user"])
    assert application.state == "draft" and application.position_id == first.id
    before = counts()
    response = _apply(browser, second)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"You already applied to {first.name} in this selection" in html
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_two_posts_are_allowed_when_the_definition_says_so(
    app, client, browser, monkeypatch
) -> None:
    Clock(monkeypatch)
    selection, _ = open_selection(
        make_agency(), positions=2, parameters={"eligibility": {"one_post_per_selection": False}}
    )
    user = candidate()
    login(browser, user)
    for post in selection.positions:
        assert _apply(browser, post).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 2


def test_applying_after_the_deadline_is_refused_with_the_deadline(world, browser) -> None:
    world["clock"].at = world["selection"].registration_closes_at
    before = counts()
    response = _apply(browser, world["selection"].positions[0])
    assert response.status_code == 422
    assert "Registration closed on 4 Desember 2018 pukul 23.59 WIB" in response.get_data(
        as_text=True
    )
    assert counts() == before


def test_applying_to_an_unknown_post_is_404(world, browser) -> None:
    assert (
        browser.post("/portal/positions/999999/apply", page="/portal/selections").status_code == 404
    )


# --- documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (png_named_pdf, "not a PDF document, whatever its name says"),
        (big_pdf, "larger than 2 MB"),
        (encrypted_pdf, "password-protected"),
        (lambda: (__import__("io").BytesIO(b""), "kosong.pdf"), "The file is empty"),
    ],
    ids=["png-renamed", "3-MB", "encrypted", "empty"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(world, browser, make_file, message) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    before = counts()
    response = _upload(browser, application, "ijazah", make_file())
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == before


def test_an_upload_without_a_file_says_so(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    page = f"/portal/applications/{application.id}"
    response = browser.post(
        f"{page}/documents/cv", {}, page=page, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Choose a file to upload" in response.get_data(as_text=True)


def test_an_unknown_document_type_is_refused(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    before = counts()
    response = _upload(browser, application, "foto_selfie", good_pdf())
    assert response.status_code == 422
    assert counts() == before


def test_a_reupload_supersedes_and_both_stay_in_the_audit_trail(world, browser, client) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    assert _upload(browser, application, "cv", good_pdf("cv lama")).status_code == 303
    assert _upload(browser, application, "cv", good_pdf("cv baru")).status_code == 303
    rows = db.session.scalars(sa.select(ApplicationDocument).order_by(ApplicationDocument.id)).all()
    assert len(rows) == 2
    assert rows[0].superseded_at is not None and rows[1].superseded_at is None
    assert rows[0].file.sha256 != rows[1].file.sha256
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.event.in_(["document_uploaded", "document_superseded"]))
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.event for e in events] == [
        "document_uploaded",
        "document_superseded",
        "document_uploaded",
    ]
    first, superseded, second = (e.payload for e in events)
    assert first["sha256"] == rows[0].file.sha256 and first["original_name"] == "cv lama.pdf"
    assert first["doc_type"] == "cv" and first["size"] == rows[0].file.size
    assert superseded["sha256"] == rows[0].file.sha256
    assert second["replaces"] == rows[0].id
    assert all(e.chain == f"selection:{world['selection'].id}" for e in events)
    # the old file stays downloadable for its owner
    old = client.get(f"/portal/applications/{application.id}/documents/{rows[0].id}/download")
    assert old.status_code == 200 and old.mimetype == "application/pdf"


def test_the_same_file_twice_is_stored_once(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    _upload(browser, application, "cv", good_pdf("sama"))
    stored = counts()["stored_file"]
    _upload(browser, application, "ijazah", good_pdf("sama"))
    assert counts()["stored_file"] == stored


# --- submitting -------------------------------------------------------------------------


def test_a_missing_document_is_named_and_nothing_changes(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    _upload_all(browser, application, skip={"surat_sehat", "lhkpn"})
    before = counts()
    response = _submit(browser, application)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Missing document: Surat keterangan sehat (health certificate)" in html
    assert "Missing document: Tanda terima LHKPN/LHKASN" in html
    db.session.refresh(application)
    assert application.state == "draft" and application.submitted_at is None
    assert counts() == before


def test_submit_takes_a_snapshot_and_locks_the_documents(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    _upload_all(browser, application)
    response = _submit(browser, application)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.state == "submitted"
    assert application.submitted_at == world["clock"].at
    snapshot = application.profile_snapshot
    assert snapshot["nip"] == "197003151995031002" and snapshot["rank"] == "IV/b"
    assert snapshot["birth_date"] == "1970-03-15" and snapshot["admin_years"] == 8.7
    assert {d["doc_type"] for d in snapshot["documents"]} == set(REQUIRED_DOCUMENTS)
    before = counts()
    response = _upload(browser, application, "cv", good_pdf("terlambat"))
    assert response.status_code == 422
    assert "only before the application is submitted" in response.get_data(as_text=True)
    assert counts() == before


def test_a_late_submission_is_refused_with_the_deadline_in_wib(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    _upload_all(browser, application)
    world["clock"].at = world["selection"].registration_closes_at  # 23:59 WIB sharp: closed
    before = counts()
    response = _submit(browser, application)
    assert response.status_code == 422
    assert (
        "Registration closed on 4 Desember 2018 pukul 23.59 WIB; applications are no longer "
        "accepted." in response.get_data(as_text=True)
    )
    db.session.refresh(application)
    assert application.state == "draft"
    assert counts() == before


def test_an_unconfirmed_email_or_incomplete_profile_blocks_submitting(
    app, client, browser, monkeypatch
) -> None:
    Clock(monkeypatch)
    selection, _ = open_selection(make_agency())
    user = candidate(confirmed=False)
    login(browser, user)
    english(client)
    _apply(browser, selection.positions[0])
    application = _application(user)
    _upload_all(browser, application)
    response = _submit(browser, application)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Confirm your email address first" in html
    assert "Complete your profile first; missing: NIP" in html
    db.session.refresh(application)
    assert application.state == "draft"


def test_a_second_submission_in_the_same_selection_is_refused(
    app, client, browser, monkeypatch
) -> None:
    """Two drafts exist (the rule was relaxed, then tightened): only one may be submitted."""
    Clock(monkeypatch)
    selection, _ = open_selection(
        make_agency(), positions=2, parameters={"eligibility": {"one_post_per_selection": False}}
    )
    user = candidate()
    login(browser, user)
    english(client)
    browser.post("/portal/profile", profile_form(), page="/portal/profile")
    for post in selection.positions:
        _apply(browser, post)
    first, second = db.session.scalars(
        sa.select(Application).where(Application.candidate_id == user.id).order_by(Application.id)
    ).all()
    for application in (first, second):
        _upload_all(browser, application)
    assert _submit(browser, first).status_code == 303
    selection.parameters = {"eligibility": {"one_post_per_selection": True}}
    db.session.commit()
    response = _submit(browser, second)
    assert response.status_code == 422
    assert "You already applied to Kepala Dinas 1 in this selection" in response.get_data(
        as_text=True
    )
    db.session.refresh(second)
    assert second.state == "draft"


def test_the_submit_button_lists_what_is_missing(world, browser, client) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    html = client.get(f"/portal/applications/{application.id}").get_data(as_text=True)
    assert "Before you can submit" in html
    assert "Missing document: Surat lamaran (application letter)" in html
    assert "disabled" in html


# --- withdrawing ------------------------------------------------------------------------


def test_withdraw_needs_the_tick_and_works_before_screening(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    _upload_all(browser, application)
    _submit(browser, application)
    db.session.refresh(application)
    page = f"/portal/applications/{application.id}"
    response = browser.post(f"{page}/withdraw", {"version": str(application.version)}, page=page)
    assert response.status_code == 422
    assert "Tick the box" in response.get_data(as_text=True)
    response = browser.post(
        f"{page}/withdraw", {"version": str(application.version), "confirm": "1"}, page=page
    )
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.state == "withdrawn"
    # withdrawn: another post of the same selection is open to them again
    assert _apply(browser, world["selection"].positions[1]).status_code == 303


def test_withdrawing_after_registration_closed_is_refused(world, browser) -> None:
    _apply(browser, world["selection"].positions[0])
    application = _application(world["user"])
    _upload_all(browser, application)
    _submit(browser, application)
    # three more applicants so registration can close into screening
    for _ in range(3):
        other = candidate("Pelamar Lain")
        portal.save_profile(other, _raw_profile())
        app_ = portal.start_application(other, world["selection"].positions[0])
        for code in REQUIRED_DOCUMENTS:
            portal.upload_document(app_, other, code, pdf_upload(code), 2 * 1024 * 1024)
        fire(app_, "submit", other)
    # the second post has no applicants: drop it so registration can close
    world["clock"].at = world["selection"].registration_closes_at
    fire(
        world["selection"],
        "drop_position",
        world["secretariat"],
        {"reason": "tidak ada pelamar", "position_id": world["selection"].positions[1].id},
    )
    fire(world["selection"], "close_registration", world["secretariat"])
    db.session.refresh(application)
    page = f"/portal/applications/{application.id}"
    response = browser.post(
        f"{page}/withdraw", {"version": str(application.version), "confirm": "1"}, page=page
    )
    assert response.status_code == 422
    assert "can be withdrawn only until registration closes" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.state == "submitted"


_nips = iter(range(10, 99))


def _raw_profile() -> dict:
    return raw_profile(profile_form(nip=f"1971010119960310{next(_nips):02d}"))
