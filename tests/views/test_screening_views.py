"""The screening page: rules per application, documents, verdicts, and who may see them."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from openbid import storage
from openbid.extensions import db
from openbid.models import Application, ApplicationDocument, AuditEvent, Role, ScreeningVerdict
from openbid.stages import screening
from tests.factories import PASSWORD, make_agency, make_user
from tests.stage_factories import make_nip, pass_everyone, selection_in_screening

AGED_57_NIP = make_nip(birth=date(1961, 1, 1), cpns=date(1986, 3, 1))


def _page(selection) -> str:
    return f"/selections/{selection.id}/screening"


def _verdict_url(application) -> str:
    return f"/selections/{application.position.selection_id}/screening/{application.id}/verdict"


def login_as(browser, client, user) -> None:
    """Log out whoever is logged in, then log user in through the form."""
    with client.session_transaction() as session:
        session.clear()
    browser.login(user.email, PASSWORD)


def _state(application_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Application, application_id).state


def _written() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(ScreeningVerdict.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def test_the_page_shows_the_age_rule_failing_from_the_profile_nip(app, client, browser) -> None:
    setup = selection_in_screening(
        make_agency(), candidates=[[{"nip": AGED_57_NIP, "name": "Drs. H. Sepuh Wibowo"}]]
    )
    browser.login(setup.secretariat.email, PASSWORD)
    response = client.get(_page(setup.selection))
    assert response.status_code == 200
    html = response.get_data(as_text=True)  # Indonesian, the default language
    assert "Drs. H. Sepuh Wibowo" in html
    grouped = f"{AGED_57_NIP[:8]} {AGED_57_NIP[8:14]} {AGED_57_NIP[14]} {AGED_57_NIP[15:]}"
    assert grouped in html
    failing = re.findall(r'<tr class="rule-fail">(.*?)</tr>', html, re.S)
    assert len(failing) == 1
    assert "57" in failing[0] and "56" in failing[0] and "2018-12-04" in failing[0]

    english = client.get(_page(setup.selection) + "?lang=en").get_data(as_text=True)
    assert "Age at 2018-12-04 is 57 years; the maximum is 56." in english
    assert "Pembina Tingkat I (IV/b)" in english  # the current rank, named
    assert "Rules: 1 not met" in english
    # Counts per post and per verdict: 4 applications, all awaiting a verdict.
    assert re.search(r"Kepala Dinas 1</a>\s*</td>\s*<td[^>]*>4</td><td[^>]*>4</td>", english)


def test_the_committee_confirms_a_pass_through_the_page(stages, app, client, browser) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    member = setup.committee[1]
    browser.login(member.email, PASSWORD)
    page = _page(setup.selection)
    response = browser.post(
        _verdict_url(application),
        {"passed": "1", "reason": "", "version": application.version},
        page=page,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#app-{application.id}")
    assert _state(application.id) == "eligible"
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert 'class="flash success"' in html
    assert "s verdict: passes" in html
    assert member.name in html


def test_a_fail_without_reason_is_shown_again_with_the_reason_missing(
    stages, app, client, browser
) -> None:
    setup = stages.at("screening", candidates=[[{"rank": "IV/a"}]])
    application = setup.applications[0]
    browser.login(setup.secretariat.email, PASSWORD)
    page = _page(setup.selection)
    client.get(page + "?lang=en")
    before = _written()
    response = browser.post(
        _verdict_url(application), {"passed": "0", "version": application.version}, page=page
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write the reason this application fails; the candidate will read it." in html
    assert _state(application.id) == "submitted"
    assert _written() == before


def test_an_override_without_reason_is_refused_on_the_page(stages, app, client, browser) -> None:
    setup = stages.at("screening", candidates=[[{"rank": "IV/a"}]])
    application = setup.applications[0]
    browser.login(setup.secretariat.email, PASSWORD)
    page = _page(setup.selection)
    client.get(page + "?lang=en")
    before = _written()
    response = browser.post(
        _verdict_url(application),
        {"passed": "1", "reason": "  ", "version": application.version},
        page=page,
    )
    assert response.status_code == 422
    assert "write the reason the committee passes it anyway" in response.get_data(as_text=True)
    assert _state(application.id) == "submitted"
    assert _written() == before
    # With the reason written, the override is recorded.
    response = browser.post(
        _verdict_url(application),
        {"passed": "1", "reason": "Setara IV/b per SK 2018.", "version": application.version},
        page=page,
    )
    assert response.status_code == 303
    assert _state(application.id) == "eligible"


def test_a_stale_form_gets_409(stages, app, client, browser) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    old_version = application.version
    screening.record_verdict(application, setup.secretariat, True)
    browser.login(setup.secretariat.email, PASSWORD)
    response = browser.post(
        _verdict_url(application),
        {"passed": "0", "reason": "Berkas palsu.", "version": old_version},
        page=_page(setup.selection),
    )
    assert response.status_code == 409
    assert _state(application.id) == "eligible"


def test_a_malformed_post_is_refused(stages, app, client, browser) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    browser.login(setup.secretariat.email, PASSWORD)
    url = _verdict_url(application)
    assert client.post(url, data={"passed": "1", "version": application.version}).status_code == 400
    page = _page(setup.selection)
    assert browser.post(url, {"passed": "maybe", "version": "1"}, page=page).status_code == 400
    assert browser.post(url, {"passed": "1", "version": "x"}, page=page).status_code == 400
    other = selection_in_screening(setup.agency)
    wrong = f"/selections/{setup.selection.id}/screening/{other.applications[0].id}/verdict"
    assert browser.post(wrong, {"passed": "1", "version": "1"}, page=page).status_code == 404
    assert _state(application.id) == "submitted"


def test_who_may_see_the_page_and_give_verdicts(stages, app, client, browser) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    other_selection = selection_in_screening(setup.agency)
    other_agency = selection_in_screening(make_agency())
    denied = [
        (make_user(Role.PPK, setup.agency), 403),
        (make_user(Role.AUDITOR, setup.agency), 403),
        (application.candidate, 403),
        (other_selection.committee[0], 404),
        (other_agency.secretariat, 404),
    ]
    page = _page(setup.selection)
    for user, status in denied:
        login_as(browser, client, user)
        assert client.get(page).status_code == status, user.role
        response = client.post(
            _verdict_url(application),
            data={
                "passed": "1",
                "version": application.version,
                "csrf_token": browser.token("/home"),
            },
        )
        assert response.status_code == status, user.role
    assert _state(application.id) == "submitted"
    # An administrator of the agency may look but not decide.
    admin = make_user(Role.ADMIN, setup.agency)
    login_as(browser, client, admin)
    html = client.get(page).get_data(as_text=True)
    assert "verdict-form" not in html
    response = browser.post(
        _verdict_url(application), {"passed": "1", "version": application.version}, page=page
    )
    assert response.status_code == 403
    assert _state(application.id) == "submitted"


def test_documents_download_as_attachments_to_those_who_screen(
    stages, app, client, browser
) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    document = db.session.scalar(
        sa.select(ApplicationDocument).where(
            ApplicationDocument.application_id == application.id,
            ApplicationDocument.doc_type == "ijazah",
        )
    )
    url = f"/selections/{setup.selection.id}/applications/{application.id}/documents/{document.id}"
    browser.login(setup.committee[3].email, PASSWORD)
    assert url in client.get(_page(setup.selection)).get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=ijazah.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data() == storage.read(document.file)

    other = setup.applications[1]
    mismatched = url.replace(f"/applications/{application.id}/", f"/applications/{other.id}/")
    assert client.get(mismatched).status_code == 404
    elsewhere = selection_in_screening(setup.agency)
    foreign = url.replace(
        f"/selections/{setup.selection.id}/", f"/selections/{elsewhere.selection.id}/"
    )
    login_as(browser, client, elsewhere.secretariat)
    assert client.get(foreign).status_code == 404  # the document is not of that selection

    for user, status in [
        (make_user(Role.PPK, setup.agency), 403),
        (make_user(Role.AUDITOR, setup.agency), 403),
        (other.candidate, 403),
        (elsewhere.committee[0], 404),
        (selection_in_screening(make_agency()).secretariat, 404),
    ]:
        login_as(browser, client, user)
        assert client.get(url).status_code == status, user.role
    with client.session_transaction() as session:
        session.clear()
    assert client.get(url).status_code == 302  # to the log-in page


def test_the_close_button_shows_why_it_is_disabled_then_closes(
    stages, app, client, browser
) -> None:
    setup = stages.at("screening")
    browser.login(setup.secretariat.email, PASSWORD)
    page = _page(setup.selection)
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Close administrative screening", html)
    assert "4 applications still have no screening verdict." in html
    pass_everyone(setup)
    html = client.get(page).get_data(as_text=True)
    assert not re.search(r"<button[^>]*disabled[^>]*>\s*Close administrative screening", html)
    db.session.expire_all()
    response = browser.post(
        f"/selections/{setup.selection.id}/events/close_screening",
        {"version": setup.selection.version},
        page=page,
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert setup.selection.state == "competency_assessment"
    # Verdict forms are gone once the stage has closed.
    assert "verdict-form" not in client.get(page).get_data(as_text=True)


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


def test_the_page_does_not_grow_queries_with_applications(app, client, browser) -> None:
    agency = make_agency()
    small = selection_in_screening(agency, per_post=4)
    large = selection_in_screening(agency, positions=2, per_post=8)
    secretariat = small.secretariat
    # The same person looks at both (a second secretariat user of the agency for the large).
    large.selection.created_by_id = secretariat.id
    db.session.commit()
    for setup in (small, large):
        screening.record_verdict(setup.applications[0], setup.secretariat, True)
        screening.record_verdict(setup.applications[1], setup.committee[0], False, "Tidak sah.")
    browser.login(secretariat.email, PASSWORD)
    assert _page_queries(client, small.selection) == _page_queries(client, large.selection)
