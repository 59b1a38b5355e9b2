"""The whole demo selection driven through the web pages alone, draft to decree.

Each person logs in and presses the buttons of their own pages: the secretariat, twelve
candidates in the portal, a committee member screening, the secretariat entering results,
every member scoring, the secretariat recording KASN's word, the PPK picking.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from openbid import audit, demo
from openbid.demo_flow import simulated_clock
from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import Application, IssuedDocument, Position, Selection
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.storage import read
from tests.portal.helpers import good_pdf, post_file, profile_form

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

CANDIDATES = {  # local part -> post index: four per post, all eligible
    "kandidat01": 0, "kandidat02": 0, "kandidat03": 0, "kandidat04": 0,
    "kandidat06": 1, "kandidat07": 1, "kandidat08": 1, "kandidat09": 1,
    "kandidat10": 2, "kandidat11": 2, "kandidat12": 2, "kandidat13": 2,
}  # fmt: skip


def _email(local: str) -> str:
    return f"{local}@{demo.DOMAIN}"


def _selection() -> Selection:
    db.session.expire_all()
    return demo.demo_selection()


def _press(browser, event: str) -> None:
    selection = _selection()
    sid, version = selection.id, selection.version
    url = f"/selections/{sid}/events/{event}"
    response = browser.post(url, {"version": version}, page=f"/selections/{sid}")
    assert response.status_code == 303, (event, response.status_code)
    assert _selection().version == version + 1, f"{event} did not move the selection"


def _as(browser, local: str) -> None:
    # A new person at the browser: drop the previous session, then log in.
    browser.client.delete_cookie("session")
    response = browser.login(_email(local), demo.PASSWORD)
    assert response.status_code == 302, local


def test_the_demo_selection_from_draft_to_decree_through_the_pages(app, client, browser) -> None:
    demo.load()
    selection = _selection()
    sid = selection.id
    positions = db.session.scalars(
        sa.select(Position).where(Position.selection_id == sid).order_by(Position.id)
    ).all()
    post_ids = [p.id for p in positions]
    nips = {local: nip for local, _name, nip in demo.CANDIDATES}
    with simulated_clock(date(2018, 10, 29)) as clock:
        # Secretariat: the plan to KASN, its letter, the announcement.
        _as(browser, "lutfi")
        _press(browser, "submit_for_approval")
        clock.at(date(2018, 11, 16))
        letter = {
            "kasn_recommendation-number": "B-3921/KASN/11/2018",
            "kasn_recommendation-letter_date": "2018-11-15",
            "kasn_recommendation-subject": "Rekomendasi Rencana Seleksi Terbuka JPT Pratama",
            "kasn_recommendation-pdf": (io.BytesIO(good_pdf("KASN")[0].getvalue()), "kasn.pdf"),
        }
        page = f"/selections/{sid}/approval"
        response = browser.post(f"{page}/gates/kasn_recommendation", letter, page=page)
        assert response.status_code == 303
        clock.at(date(2018, 11, 19))
        version = _selection().version
        assert browser.post(f"{page}/publish", {"version": version}, page=page).status_code == 303
        assert _selection().state == "announcement"

        # Candidates: profile, apply, eleven documents, submit.
        clock.at(date(2018, 11, 21))
        for local, post in CANDIDATES.items():
            _as(browser, local)
            form = profile_form(name=demo.CANDIDATES[int(local[-2:]) - 1][1], nip=nips[local])
            response = browser.post("/portal/profile", form, page="/portal/profile")
            assert response.status_code in (302, 303), (
                local,
                response.get_data(as_text=True)[:300],
            )
            response = browser.post(
                f"/portal/positions/{post_ids[post]}/apply", page="/portal/selections"
            )
            assert response.status_code in (302, 303), local
            application_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
            page = f"/portal/applications/{application_id}"
            for code in REQUIRED_DOCUMENTS:
                url = f"{page}/documents/{code}"
                assert post_file(browser, url, page, good_pdf(f"{local} {code}")).status_code == 303
            db.session.expire_all()
            version = db.session.get(Application, application_id).version
            response = browser.post(f"{page}/submit", {"version": str(version)}, page=page)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
        db.session.expire_all()
        submitted = db.session.scalars(
            sa.select(Application)
            .join(Position)
            .where(Position.selection_id == sid, Application.state == "submitted")
        ).all()
        assert len(submitted) == 12

        # Secretariat closes registration after the window.
        clock.moment = _selection().registration_closes_at + timedelta(hours=9)
        _as(browser, "lutfi")
        _press(browser, "close_registration")

        # A committee member screens every application, then closes screening.
        _as(browser, "pansel.ketua")
        for application in submitted:
            url = f"/selections/{sid}/screening/{application.id}/verdict"
            db.session.refresh(application)
            data = {"passed": "1", "version": application.version}
            assert browser.post(url, data, page=f"/selections/{sid}/screening").status_code == 303
        _press(browser, "close_screening")

        # The secretariat enters the competency results and closes the stage.
        clock.at(date(2018, 12, 20))
        _as(browser, "lutfi")
        for index, application in enumerate(submitted):
            data = {
                "assessment_score": f"{80 + index % 5},50",
                "assessment_category": "MS",
                "assessed_on": "18-12-2018",
                "assessment_centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
                "paper_score": str(78 + index % 4),
                "track_record_score": str(82 - index % 3),
                "health_fit": "MS",
                "psych_fit": "MS",
            }
            url = f"/selections/{sid}/assessment/{application.id}"
            assert browser.post(url, data, page=f"/selections/{sid}/assessment").status_code == 303
        _press(browser, "close_assessment")

        # Every member scores every candidate; the chair closes the interviews.
        clock.at(date(2019, 1, 7))
        for offset, member in enumerate(demo.COMMITTEE):
            _as(browser, member[0])
            for index, application in enumerate(submitted):
                url = f"/selections/{sid}/interview/{application.id}/score"
                score = {"score": str(75 + (index * 3 + offset) % 15), "confirm": "1"}
                assert (
                    browser.post(url, score, page=f"/selections/{sid}/interview").status_code == 303
                )
        _press(browser, "close_interview")
        assert _selection().state == "appointment"

        # The secretariat records KASN's recommendation on the results.
        clock.at(date(2019, 1, 11))
        _as(browser, "lutfi")
        recommendation = {
            "letter_number": "B-0158/KASN/01/2019",
            "letter_date": "2019-01-11",
            "subject": "Rekomendasi Hasil Seleksi Terbuka JPT Pratama",
            "file": (io.BytesIO(good_pdf("KASN hasil")[0].getvalue()), "rekomendasi.pdf"),
        }
        page = f"/selections/{sid}/appointment"
        assert browser.post(f"{page}/recommendation", recommendation, page=page).status_code == 303

        # The PPK picks the first of each post's three best.
        clock.at(date(2019, 1, 14))
        _as(browser, "walikota")
        db.session.expire_all()
        shortlisted = db.session.scalars(
            sa.select(Application)
            .join(Position)
            .where(Position.selection_id == sid, Application.state == "shortlisted")
            .order_by(Application.position_id, Application.id)
        ).all()
        picked: set[int] = set()
        for application in shortlisted:
            if application.position_id in picked:
                continue
            picked.add(application.position_id)
            url = f"{page}/pick/{application.id}"
            data = {"version": application.version}
            assert browser.post(url, data, page=page).status_code == 303
        assert picked == set(post_ids)

        # The secretariat issues the decree.
        _as(browser, "lutfi")
        _press(browser, "complete")

    selection = _selection()
    assert selection.state == "completed"
    decree = db.session.scalars(
        sa.select(IssuedDocument).where(
            IssuedDocument.selection_id == sid, IssuedDocument.kind == "decree"
        )
    ).one()
    text = pdf_text(read(decree.file))
    assert "KEPUTUSAN WALI KOTA TANGERANG" in text and decree.number in text
    download = client.get(f"/selections/{sid}/documents/{decree.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert audit.verify_all(db.session).ok
