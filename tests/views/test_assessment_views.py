"""The assessment page: inline results, the CSV import and its errors, elimination, access."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, AssessmentResult, AuditEvent, Role
from openbid.stages import assessment
from tests.factories import PASSWORD, make_agency, make_user
from tests.stage_factories import selection_in_assessment, selection_in_screening
from tests.views.test_screening_views import login_as


def _page(selection) -> str:
    return f"/selections/{selection.id}/assessment"


def _written() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(AssessmentResult.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def _result(application_id: int) -> AssessmentResult | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application_id)
    )


ROW = {
    "assessment_score": "82,5",
    "assessment_category": "",
    "assessed_on": "10-12-2018",
    "assessment_centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
    "paper_score": "80",
    "track_record_score": "75,25",
    "health_fit": "MS",
    "psych_fit": "",
}


def test_a_row_saves_and_shows_its_values(stages, app, client, browser) -> None:
    setup = stages.at("assessment")
    application = setup.applications[0]
    browser.login(setup.committee[0].email, PASSWORD)
    page = _page(setup.selection)
    response = browser.post(f"{page}/{application.id}", ROW, page=page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#row-{application.id}")
    result = _result(application.id)
    assert result.assessment_score == Decimal("82.50")
    assert result.assessment_category == "memenuhi_syarat"
    assert result.track_record_score == Decimal("75.25")
    assert result.health_fit is True and result.psych_fit is None
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert 'value="82,50"' in html and 'value="2018-12-10"' in html
    assert "Still to enter: psychological test result" in html
    # A score that reads like a slip (8 for 80) is saved, and flagged on the page at once.
    response = browser.post(f"{page}/{application.id}", {**ROW, "paper_score": "8"}, page=page)
    assert response.status_code == 303
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert "The paper score 8.00 is far below the usual range (40 to 100)" in html
    assert "far below the usual range" not in client.get(page).get_data(as_text=True)


def test_a_bad_row_is_shown_again_with_its_reasons_and_nothing_saved(
    stages, app, client, browser
) -> None:
    setup = stages.at("assessment")
    application = setup.applications[1]
    browser.login(setup.secretariat.email, PASSWORD)
    page = _page(setup.selection)
    client.get(page + "?lang=en")
    before = _written()
    bad = {**ROW, "assessment_score": "120", "health_fit": "sehat?"}
    response = browser.post(f"{page}/{application.id}", bad, page=page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The assessment-centre score 120 is outside 0 to 100." in html
    assert "The health test result sehat? is not understood" in html
    assert 'value="120"' in html  # what was typed is kept for correcting
    assert _written() == before


def test_the_template_downloads_with_every_candidate(stages, app, client, browser) -> None:
    setup = stages.at("assessment")
    browser.login(setup.secretariat.email, PASSWORD)
    response = client.get(f"{_page(setup.selection)}/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("nip;nama;nilai_asesmen;")
    for application in setup.applications:
        assert application.candidate.name in text


def _upload(browser, selection, content: bytes, name: str = "pusat.csv"):
    page = _page(selection)
    return browser.post(
        f"{page}/import",
        {"file": (io.BytesIO(content), name)},
        page=page,
        content_type="multipart/form-data",
    )


def test_a_bad_import_lists_every_line_and_changes_nothing(stages, app, client, browser) -> None:
    setup = stages.at("assessment", per_post=5)
    a = setup.applications
    nip = [x.profile_snapshot["nip"] for x in a]
    content = (
        "nip;nilai_asesmen;kesehatan\n"
        f"{nip[0]};101;MS\n"
        f"{nip[1]};80;MS\n"
        f"{nip[2]};80;barangkali\n"
        f"{nip[3]};80,123;MS\n"
        f"{nip[4]};79,5;TMS\n"
    ).encode()
    browser.login(setup.secretariat.email, PASSWORD)
    client.get(_page(setup.selection) + "?lang=en")
    before = _written()
    response = _upload(browser, setup.selection, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported." in html
    lines = re.findall(r"<li>Line (\d+):", html)
    assert lines == ["2", "4", "5"]
    assert "Line 2: The assessment-centre score 101 is outside 0 to 100." in html
    assert "Line 5: The assessment-centre score 80,123 has more than two decimals." in html
    assert _written() == before
    # A NUL in a cell (or the file's name) is named by line, not stored: PostgreSQL cannot.
    nul = f"nip;nilai_asesmen\n{nip[0]};80\n{nip[1]};8\x000\n".encode()
    response = _upload(browser, setup.selection, nul, name="pusat\x00.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.findall(r"<li>Line (\d+):", html) == ["3"]
    assert "NUL character" in html
    assert _written() == before


def test_a_good_import_through_the_page(stages, app, client, browser) -> None:
    setup = stages.at("assessment")
    content = assessment.template_csv(setup.selection).decode("utf-8-sig")
    content = content.replace(";;;;;;;;", ";77,5;;2018-12-11;Pusat Asesmen;81;70;MS;MS")
    browser.login(setup.secretariat.email, PASSWORD)
    response = _upload(browser, setup.selection, content.encode("utf-8-sig"))
    assert response.status_code == 303
    for application in setup.applications:
        result = _result(application.id)
        assert result.assessment_score == Decimal("77.50") and result.psych_fit is True
    assert not assessment.missing_components(result, {"weights": {"paper": 1}})
    # A missing file is refused with a message.
    response = _upload(browser, setup.selection, b"", name="")
    assert response.status_code == 422


def test_eliminating_through_the_page(stages, app, client, browser) -> None:
    setup = stages.at("assessment")
    application = setup.applications[0]
    browser.login(setup.secretariat.email, PASSWORD)
    page = _page(setup.selection)
    url = f"{page}/{application.id}/eliminate"
    client.get(page + "?lang=en")
    response = browser.post(url, {"reason": " ", "version": application.version}, page=page)
    assert response.status_code == 422
    assert "Write the reason the candidate is eliminated" in response.get_data(as_text=True)
    response = browser.post(
        url, {"reason": "Tidak hadir pada asesmen.", "version": application.version}, page=page
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "eliminated"
    html = client.get(page).get_data(as_text=True)
    assert "Tidak hadir pada asesmen." in html


def test_who_may_see_and_change_results(stages, app, client, browser) -> None:
    setup = stages.at("assessment")
    application = setup.applications[0]
    page = _page(setup.selection)
    other_selection = selection_in_screening(setup.agency)
    other_agency = selection_in_screening(make_agency())
    for user, status in [
        (make_user(Role.PPK, setup.agency), 403),
        (make_user(Role.AUDITOR, setup.agency), 403),
        (application.candidate, 403),
        (other_selection.committee[0], 404),
        (other_agency.secretariat, 404),
    ]:
        login_as(browser, client, user)
        assert client.get(page).status_code == status, user.role
        assert client.get(f"{page}/template.csv").status_code == status, user.role
        token = browser.token("/home")
        for url, data in [
            (f"{page}/{application.id}", ROW),
            (f"{page}/{application.id}/eliminate", {"reason": "x", "version": "1"}),
        ]:
            response = client.post(url, data={**data, "csrf_token": token})
            assert response.status_code == status, (user.role, url)
        response = client.post(
            f"{page}/import",
            data={"csrf_token": token, "file": (io.BytesIO(b"nip;nilai_makalah\n"), "x.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == status, user.role
    assert _result(application.id) is None
    assert db.session.get(Application, application.id).state == "eligible"
    # The agency's administrator sees the results but has no forms.
    login_as(browser, client, make_user(Role.ADMIN, setup.agency))
    html = client.get(page).get_data(as_text=True)
    assert "row-form-" not in html and "/import" not in html
    response = browser.post(f"{page}/{application.id}", ROW, page=page)
    assert response.status_code == 403


def test_the_close_button_lists_what_is_missing(stages, app, client, browser) -> None:
    setup = stages.at("assessment")
    browser.login(setup.secretariat.email, PASSWORD)
    html = client.get(_page(setup.selection) + "?lang=en").get_data(as_text=True)
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Close competency assessment", html)
    assert "No assessment-centre score yet for 4 candidates:" in html


def _page_queries(client, selection) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(_page(selection))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_the_page_does_not_grow_queries_with_candidates(app, client, browser) -> None:
    agency = make_agency()
    small = selection_in_assessment(agency, per_post=4)
    large = selection_in_assessment(agency, positions=2, per_post=7)
    for setup in (small, large):
        assessment.save_result(setup.applications[0], setup.secretariat, paper_score="80")
        assessment.eliminate(setup.applications[1], setup.secretariat, "Tidak hadir.")
    browser.login(small.secretariat.email, PASSWORD)
    assert _page_queries(client, small.selection) == _page_queries(client, large.selection)
