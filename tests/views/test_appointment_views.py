"""The appointment page: ranking and three best, letters, revisions, and the PPK's pick."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from openbid.extensions import db
from openbid.models import Application, Approval, AuditEvent, Role, Selection, ShortlistResult
from openbid.stages import appointment
from tests.factories import PASSWORD, make_agency, make_user
from tests.interview_factories import (
    close_interview,
    make_ppk,
    record_recommendation,
    score_everyone,
    selection_in_appointment,
)
from tests.stage_factories import tiny_pdf

POST = "Kepala Dinas 1"


def _page(setup) -> str:
    return f"/selections/{setup.selection.id}/appointment"


def _count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _my_approvals() -> int:
    """Return how many override and result letters are on file (not the opening gates)."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(Approval.id)).where(
            sa.or_(
                Approval.purpose == "result_recommendation",
                Approval.purpose.like("shortlist_override:%"),
            )
        )
    )


def _state(application: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


def _version(application: Application) -> int:
    db.session.expire_all()
    return db.session.get(Application, application.id).version


def _logout(browser) -> None:
    browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})


@pytest.fixture
def setup(stages):
    return stages.at("appointment", per_post=4)


def test_the_page_shows_the_frozen_ranking_weights_and_tie_break(setup, client, browser) -> None:
    browser.login(setup.secretariat.email, PASSWORD)
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "Revision 1, frozen" in html
    assert "track record 20%, interview 35%, paper 20%, assessment 25%" in html
    assert "Ties are broken by the higher score in interview, assessment (in that order)" in html
    for combined in ("82.55", "79.60", "76.65", "73.70"):
        assert combined in html
    assert "Record the letter of KASN" in html
    assert 'action="/selections/%d/appointment/pick/' % setup.selection.id not in html


def test_the_whole_appointment_through_the_pages(setup, client, browser) -> None:
    apps = setup.applications
    ppk = make_ppk(setup)
    # The PPK sees the three best but cannot pick before the oversight body's word.
    browser.login(ppk.email, PASSWORD)
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "KASN&#39;s recommendation on the results is not on file yet" in html
    assert html.count("disabled>Appoint</button>") == 3
    _logout(browser)

    browser.login(setup.secretariat.email, PASSWORD)
    response = browser.post(
        f"{_page(setup)}/recommendation",
        {
            "letter_number": "B-3561/KASN/12/2018",
            "letter_date": "2018-12-20",
            "subject": "Rekomendasi hasil seleksi",
            "file": (io.BytesIO(tiny_pdf("rekomendasi")), "rekomendasi.pdf"),
        },
        page=_page(setup),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    approval = db.session.scalar(
        sa.select(Approval).where(Approval.purpose == "result_recommendation")
    )
    assert approval.authority == "KASN" and approval.file_id is not None
    letter = client.get(f"{_page(setup)}/letters/{approval.id}")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF-")
    _logout(browser)

    browser.login(ppk.email, PASSWORD)
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert html.count(">Appoint</button>") == 3 and "disabled>Appoint" not in html
    # Rank #3 is a valid pick: rank does not bind the PPK.
    response = browser.post(
        f"{_page(setup)}/pick/{apps[2].id}", {"version": _version(apps[2])}, page=_page(setup)
    )
    assert response.status_code == 303 and _state(apps[2]) == "appointed"
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert f"Appointed: {apps[2].candidate.name}" in html
    _logout(browser)

    browser.login(setup.secretariat.email, PASSWORD)
    selection = db.session.get(Selection, setup.selection.id)
    response = browser.post(
        f"/selections/{selection.id}/events/complete",
        {"version": selection.version},
        page=_page(setup),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Selection, setup.selection.id).state == "completed"
    assert [_state(a) for a in apps] == [
        "not_appointed",
        "not_appointed",
        "appointed",
        "not_shortlisted",
    ]


def test_the_ppk_picking_outside_the_three_is_refused_on_the_page(setup, client, browser) -> None:
    record_recommendation(setup)
    outsider = setup.applications[3]
    ppk = make_ppk(setup)
    browser.login(ppk.email, PASSWORD)
    response = browser.post(
        f"{_page(setup)}/pick/{outsider.id}?lang=en",
        {"version": _version(outsider)},
        page=_page(setup),
    )
    assert response.status_code == 422
    assert (
        f"{outsider.candidate.name} is not among the three best for {POST}."
        in response.get_data(as_text=True)
    )
    assert _state(outsider) == "not_shortlisted"


def test_a_stale_pick_gets_409(setup, client, browser) -> None:
    record_recommendation(setup)
    candidate = setup.applications[0]
    ppk = make_ppk(setup)
    browser.login(ppk.email, PASSWORD)
    response = browser.post(
        f"{_page(setup)}/pick/{candidate.id}",
        {"version": _version(candidate) - 1},
        page=_page(setup),
    )
    assert response.status_code == 409 and _state(candidate) == "shortlisted"
    response = browser.post(f"{_page(setup)}/pick/{candidate.id}", {"version": "x"}, page="/home")
    assert response.status_code == 400


def test_role_denials(setup, client, browser) -> None:
    record_recommendation(setup)
    candidate = setup.applications[0]
    pick = f"{_page(setup)}/pick/{candidate.id}"
    letter = {"letter_number": "B-9", "letter_date": "2018-12-20", "authority": "KASN"}
    position_id = setup.selection.positions[0].id
    # The committee and the secretariat cannot appoint; the PPK cannot record or revise.
    for user in (setup.committee[0], setup.secretariat):
        browser.login(user.email, PASSWORD)
        assert client.get(_page(setup)).status_code == 200
        response = browser.post(pick, {"version": _version(candidate)}, page=_page(setup))
        assert response.status_code == 403
        _logout(browser)
    ppk = make_ppk(setup)
    browser.login(ppk.email, PASSWORD)
    for url, data in (
        (f"{_page(setup)}/recommendation", letter),
        (f"{_page(setup)}/{position_id}/override", letter),
        (f"{_page(setup)}/{position_id}/revise", {"reason": "x"}),
        (f"{_page(setup)}/{position_id}/correct", {"application_id": candidate.id}),
    ):
        assert browser.post(url, data, page=_page(setup)).status_code == 403
    _logout(browser)
    browser.login(setup.committee[0].email, PASSWORD)
    assert (
        browser.post(f"{_page(setup)}/recommendation", letter, page=_page(setup)).status_code == 403
    )
    _logout(browser)
    for role in (Role.AUDITOR, Role.CANDIDATE):
        user = make_user(role, setup.agency if role == Role.AUDITOR else None)
        browser.login(user.email, PASSWORD)
        assert client.get(_page(setup)).status_code == 403
        _logout(browser)
    stranger = make_user(Role.PPK, make_agency())
    browser.login(stranger.email, PASSWORD)
    assert client.get(_page(setup)).status_code == 404
    assert browser.post(pick, {"version": 1}, page="/home").status_code == 404
    _logout(browser)
    assert _state(candidate) == "shortlisted"
    assert _my_approvals() == 1


def test_fewer_than_three_then_the_override_form(stages, app, client, browser) -> None:
    setup = stages.at("interview", per_post=4)
    setup.selection.parameters = {**setup.selection.parameters, "pass_marks": {"interview": 65}}
    db.session.commit()
    score_everyone(setup, lambda m, i: 80 - i if i < 2 else 50)
    close_interview(setup)
    record_recommendation(setup)
    position_id = setup.selection.positions[0].id
    ppk = make_ppk(setup)
    browser.login(ppk.email, PASSWORD)
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "Qualified candidates for Kepala Dinas 1: 2 of the 3 needed" in html
    assert "The interview score 50.00 is below the pass mark 65." in html
    _logout(browser)

    browser.login(setup.secretariat.email, PASSWORD)
    url = f"{_page(setup)}/{position_id}/override?lang=en"
    before = (_count(Approval), _count(AuditEvent))
    response = browser.post(
        url,
        {
            "authority": "KASN",
            "letter_number": "",
            "letter_date": "20-12-2018",
            "file": (io.BytesIO(b"not a pdf"), "letter.pdf"),
        },
        page=_page(setup),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The file is not a PDF document" in html
    assert (_count(Approval), _count(AuditEvent)) == before
    response = browser.post(
        url,
        {"authority": "KASN", "letter_number": "", "letter_date": "20-12-2018"},
        page=_page(setup),
    )
    html = response.get_data(as_text=True)
    assert "Enter the letter&#39;s number." in html and "Enter the letter&#39;s date." in html
    assert (_count(Approval), _count(AuditEvent)) == before
    response = browser.post(
        url,
        {"authority": "KASN", "letter_number": "B-3700/KASN/12/2018", "letter_date": "2018-12-21"},
        page=_page(setup),
    )
    assert response.status_code == 303
    _logout(browser)

    browser.login(ppk.email, PASSWORD)
    candidate = setup.applications[1]
    response = browser.post(
        f"{_page(setup)}/pick/{candidate.id}", {"version": _version(candidate)}, page=_page(setup)
    )
    assert response.status_code == 303 and _state(candidate) == "appointed"


def test_correct_then_revise_through_the_pages(setup, client, browser) -> None:
    apps = setup.applications
    position_id = setup.selection.positions[0].id
    browser.login(setup.secretariat.email, PASSWORD)
    correct = f"{_page(setup)}/{position_id}/correct"
    response = browser.post(
        correct + "?lang=en",
        {"application_id": "", "field": "assessment_score", "value": "100", "reason": "x"},
        page=_page(setup),
    )
    assert response.status_code == 422 and "Choose the candidate." in response.get_data(
        as_text=True
    )
    response = browser.post(
        correct,
        {
            "application_id": apps[3].id,
            "field": "assessment_score",
            "value": "100",
            "reason": "Report No. 12/UPT-PK/2018",
        },
        page=_page(setup),
    )
    assert response.status_code == 303
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "A figure was corrected after this revision was frozen" in html
    revise = f"{_page(setup)}/{position_id}/revise"
    response = browser.post(revise + "?lang=en", {"reason": " "}, page=_page(setup))
    assert response.status_code == 422
    response = browser.post(revise, {"reason": "Corrected assessment score"}, page=_page(setup))
    assert response.status_code == 303
    assert _count(ShortlistResult) == 2
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "Revision 2, frozen" in html and "Earlier revisions (1)" in html
    assert "Reason: Corrected assessment score" in html
    assert _state(apps[3]) == "shortlisted" and _state(apps[2]) == "not_shortlisted"


class QueryCounter:
    """Count the SQL statements run while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def _queries(client, url: str) -> int:
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_the_appointment_page_does_not_query_per_candidate_or_post(
    stages, app, client, browser
) -> None:
    small = stages.at("appointment", per_post=4)
    large = selection_in_appointment(make_agency(), positions=3, per_post=6)
    counts = []
    for setup in (small, large):
        record_recommendation(setup)
        position = setup.selection.positions[0]
        appointment.correct_assessment(
            setup.by_post(0)[3], setup.secretariat, field="paper_score", value="99", reason="x"
        )
        appointment.revise_shortlist(position, setup.secretariat, "Corrected")
        ppk = make_ppk(setup)
        for user in (setup.secretariat, ppk):
            browser.login(user.email, PASSWORD)
            counts.append(_queries(client, _page(setup)))
            _logout(browser)
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
