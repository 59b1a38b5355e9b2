"""Issue 4, acceptance 1: from registration to a published result and its email.

A candidate registers, reads the confirmation email from the development outbox and follows
its link, fills in the profile, applies to an open post, uploads every required document,
and submits. The selection is then driven by its secretariat and committee through the
workflow engine: registration closes, the committee gives its screening verdict, screening
closes; the result becomes visible in the portal and arrives by email.
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, AuditEvent, CandidateProfile, User
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.stages import screening
from openbid.workflow import fire
from tests.factories import make_agency
from tests.portal.helpers import (
    Clock,
    body_of,
    good_pdf,
    link_in,
    mail_to,
    open_selection,
    post_file,
    profile_form,
)

EMAIL = "siti.rahmawati@pemkab-contoh.go.id"
PASSWORD = "Sekolah untuk semua 2018"


def test_candidate_walks_from_registration_to_a_published_result(
    app, client, browser, monkeypatch
) -> None:
    clock = Clock(monkeypatch)
    selection, secretariat = open_selection(
        make_agency(), parameters={"min_applicants_per_post": 1}
    )
    post = selection.positions[0]

    # Register; the confirmation link arrives in the development outbox.
    page = client.get("/portal/register")
    assert page.status_code == 200
    assert "Daftar" in page.get_data(as_text=True)  # Indonesian by default
    response = browser.post(
        "/portal/register",
        {
            "name": "Siti Rahmawati, S.E., M.Si.",
            "email": EMAIL,
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
        page="/portal/register",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    (confirmation,) = mail_to(app, EMAIL)
    confirm_path = link_in(confirmation, "/portal/confirm/")
    assert client.get(confirm_path).status_code == 302
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    assert user.email_confirmed_at is not None

    # Log in, fill in the profile.
    assert browser.login(EMAIL, PASSWORD).status_code == 302
    response = browser.post("/portal/profile", profile_form(), page="/portal/profile")
    assert response.status_code == 303, response.get_data(as_text=True)
    profile = db.session.scalar(
        sa.select(CandidateProfile).where(CandidateProfile.user_id == user.id)
    )
    assert profile.admin_years >= 8  # from the position history, not typed

    # Apply to the open post and upload every required document.
    listing = client.get("/portal/selections").get_data(as_text=True)
    assert post.name in listing and selection.title in listing
    response = browser.post(f"/portal/positions/{post.id}/apply", page="/portal/selections")
    assert response.status_code == 303
    application = db.session.scalar(
        sa.select(Application).where(Application.candidate_id == user.id)
    )
    detail = f"/portal/applications/{application.id}"
    for code in REQUIRED_DOCUMENTS:
        response = post_file(browser, f"{detail}/documents/{code}", detail, good_pdf(code))
        assert response.status_code == 303, (code, response.get_data(as_text=True))

    # Submit before the deadline.
    db.session.expire_all()
    response = browser.post(f"{detail}/submit", {"version": str(application.version)}, page=detail)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert application.state == "submitted"
    assert application.profile_snapshot["nip"] == profile.nip
    assert len(application.profile_snapshot["documents"]) == len(REQUIRED_DOCUMENTS)

    # The selection moves on: registration closes, the committee screens.
    clock.at = selection.registration_closes_at
    clock.move(hours=1)
    fire(selection, "close_registration", secretariat)
    member = selection.committee[0].user
    screening.record_verdict(application, member, passed=True)

    # Not published yet: the candidate still sees "submitted", and no result email is sent.
    page = client.get(detail).get_data(as_text=True)
    assert "Lulus seleksi administrasi" not in page
    assert len(mail_to(app, EMAIL)) == 1

    clock.move(days=3)
    fire(selection, "close_screening", secretariat)

    # Published: the timeline shows the result, and the email is in the outbox.
    page = client.get(detail).get_data(as_text=True)
    assert "Lulus seleksi administrasi" in page
    messages = mail_to(app, EMAIL)
    assert len(messages) == 2
    result = messages[-1]
    assert post.name in body_of(result)
    assert link_in(result, detail) == detail
    notice = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.event == "candidates_notified")
    )
    assert notice.payload["notified"] == {"eligible": [application.id]}
