"""The interview page: members score and declare conflicts; nobody sees scores too early."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from openbid.extensions import db
from openbid.models import AuditEvent, ConflictDeclaration, InterviewScore, Role, Selection
from openbid.stages import interview
from tests.factories import PASSWORD, make_agency, make_user
from tests.interview_factories import members, score_everyone, selection_in_interview


def _count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def setup(stages):
    return stages.at("interview", per_post=4)


def _page(setup) -> str:
    return f"/selections/{setup.selection.id}/interview"


def test_a_member_never_receives_others_scores_before_submitting_their_own(
    setup,
    client,
    browser,
) -> None:
    users = members(setup)
    candidate = setup.applications[0]
    interview.submit_score(users[1], candidate, "91.37", "Strong on budgeting")
    interview.submit_score(users[2], candidate, "64.19")
    browser.login(users[0].email, PASSWORD)
    page = client.get(_page(setup) + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "91.37" not in html and "64.19" not in html and "Strong on budgeting" not in html
    assert "2 of 5 members have scored." in html

    response = browser.post(
        f"{_page(setup)}/{candidate.id}/score",
        {"score": "77,25", "notes": "Good answers", "confirm": "1"},
        page=_page(setup),
    )
    assert response.status_code == 303
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "91.37" in html and "64.19" in html and "77.25" in html
    # Another candidate's scores stay hidden until this member scores that one too.
    interview.submit_score(users[1], setup.applications[1], "55.55")
    assert "55.55" not in client.get(_page(setup)).get_data(as_text=True)


def test_the_secretariat_sees_progress_counts_only_until_the_interview_closes(
    setup,
    client,
    browser,
) -> None:
    users = members(setup)
    interview.submit_score(users[1], setup.applications[0], "91.37")
    browser.login(setup.secretariat.email, PASSWORD)
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "91.37" not in html
    assert "1 of 5 members have scored." in html and "Progress per member" in html
    assert 'name="score"' not in html  # no score form for the secretariat


def test_a_second_score_and_a_bad_score_are_refused_with_the_form_reshown(
    setup,
    client,
    browser,
) -> None:
    member = members(setup)[0]
    candidate = setup.applications[0]
    browser.login(member.email, PASSWORD)
    url = f"{_page(setup)}/{candidate.id}/score"
    response = browser.post(url + "?lang=en", {"score": "101"}, page=_page(setup))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter the score as a number from 0 to 100, with at most two decimals." in html
    assert 'value="101"' in html
    assert _count(InterviewScore) == 0
    assert browser.post(url, {"score": "80", "confirm": "1"}, page=_page(setup)).status_code == 303
    events = _count(AuditEvent)
    response = browser.post(url + "?lang=en", {"score": "90"}, page=_page(setup))
    assert response.status_code == 422
    assert (
        f"You have already submitted your score for {candidate.candidate.name}; a submitted"
        " score is final." in response.get_data(as_text=True)
    )
    assert _count(InterviewScore) == 1 and _count(AuditEvent) == events


def test_a_score_is_written_only_after_its_confirmation_step_with_unusual_ones_flagged(
    setup,
    client,
    browser,
) -> None:
    member = members(setup)[0]
    first, second, target = setup.applications[:3]
    interview.submit_score(member, first, "82")
    interview.submit_score(member, second, "78")
    browser.login(member.email, PASSWORD)
    url = f"{_page(setup)}/{target.id}/score"
    events = _count(AuditEvent)

    # One click on the list only shows what would be recorded; nothing is written yet.
    response = browser.post(url + "?lang=en", {"score": "8", "notes": "Typo?"}, page=_page(setup))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"8.00 for {target.candidate.name} — are you sure?" in html
    assert "A submitted score is final" in html and "Typo?" in html
    assert "8.00 is far from the usual range of interview scores (40 to 100)." in html
    assert "much lower than the other scores you gave in this selection (mean 80.00 over 2" in html
    assert 'name="confirm" value="1"' in html
    assert _count(InterviewScore) == 2 and _count(AuditEvent) == events

    # A usual score shows no warning; in Indonesian by default.
    html = browser.post(url + "?lang=id", {"score": "79"}, page=_page(setup)).get_data(as_text=True)
    assert "apakah Anda yakin?" in html and 'role="alert"' not in html

    # Confirmed, it is recorded through the stage service with its audit event.
    response = browser.post(
        url, {"score": "8.00", "notes": "Typo?", "confirm": "1"}, page=_page(setup)
    )
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.scalar(
        sa.select(InterviewScore).where(InterviewScore.application_id == target.id)
    )
    assert str(row.score) == "8.00" and row.notes == "Typo?"
    assert _count(AuditEvent) == events + 1


def test_declaring_a_conflict_recuses_the_member(setup, client, browser) -> None:
    member = members(setup)[3]
    candidate = setup.applications[2]
    browser.login(member.email, PASSWORD)
    url = f"{_page(setup)}/{candidate.id}/conflict"
    response = browser.post(url + "?lang=en", {"reason": "  "}, page=_page(setup))
    assert response.status_code == 422 and _count(ConflictDeclaration) == 0
    response = browser.post(url, {"reason": "Kakak ipar"}, page=_page(setup))
    assert response.status_code == 303 and _count(ConflictDeclaration) == 1
    response = browser.post(
        f"{_page(setup)}/{candidate.id}/score?lang=en", {"score": "80"}, page=_page(setup)
    )
    assert response.status_code == 422
    assert (
        f"You declared a conflict of interest with {candidate.candidate.name}; you are recused"
        " from scoring them." in response.get_data(as_text=True)
    )
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "Declared: Kakak ipar" in html


def test_roles_that_cannot_score_or_declare(setup, client, browser) -> None:
    candidate = setup.applications[0]
    ppk = make_user(Role.PPK, setup.agency)
    for user in (setup.secretariat, ppk):
        browser.login(user.email, PASSWORD)
        assert client.get(_page(setup)).status_code == 200
        for action in ("score", "conflict"):
            response = browser.post(
                f"{_page(setup)}/{candidate.id}/{action}",
                {"score": "80", "reason": "x"},
                page=_page(setup),
            )
            assert response.status_code == 403
        browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    for role in (Role.AUDITOR, Role.CANDIDATE):
        user = make_user(role, setup.agency if role == Role.AUDITOR else None)
        browser.login(user.email, PASSWORD)
        assert client.get(_page(setup)).status_code == 403
        browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    # A committee member of another selection (or agency) does not learn it exists.
    for outsider in (
        make_user(Role.COMMITTEE, setup.agency),
        make_user(Role.COMMITTEE, make_agency()),
    ):
        browser.login(outsider.email, PASSWORD)
        assert client.get(_page(setup)).status_code == 404
        response = browser.post(
            f"{_page(setup)}/{candidate.id}/score", {"score": "80"}, page="/home"
        )
        assert response.status_code == 404
        browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    assert _count(InterviewScore) == 0 and _count(ConflictDeclaration) == 0


def test_posting_without_the_csrf_token_is_refused(setup, client, browser) -> None:
    member = members(setup)[0]
    browser.login(member.email, PASSWORD)
    response = client.post(f"{_page(setup)}/{setup.applications[0].id}/score", data={"score": "80"})
    assert response.status_code == 400 and _count(InterviewScore) == 0


def test_an_application_of_another_selection_is_not_found(setup, client, browser) -> None:
    other = selection_in_interview(setup.agency, per_post=4)
    member = members(setup)[0]
    browser.login(member.email, PASSWORD)
    response = browser.post(
        f"{_page(setup)}/{other.applications[0].id}/score", {"score": "80"}, page=_page(setup)
    )
    assert response.status_code == 404 and _count(InterviewScore) == 0


def test_closing_from_the_interview_page_names_who_is_missing(setup, client, browser) -> None:
    users = members(setup)
    score_everyone(setup, skip=lambda m, a: m == 1 and a.id == setup.applications[3].id)
    browser.login(setup.secretariat.email, PASSWORD)
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    missing = f"{users[1].name} has not yet scored {setup.applications[3].candidate.name}."
    assert missing in html
    interview.submit_score(users[1], setup.applications[3], "70")
    html = client.get(_page(setup)).get_data(as_text=True)
    version = db.session.get(Selection, setup.selection.id).version
    response = browser.post(
        f"/selections/{setup.selection.id}/events/close_interview",
        {"version": version},
        page=_page(setup),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Selection, setup.selection.id).state == "appointment"
    html = client.get(_page(setup) + "?lang=en").get_data(as_text=True)
    assert "Interview score (mean)" in html


class QueryCounter:
    """Count the SQL statements run while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def _queries(client, url: str) -> int:
    counter = QueryCounter()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def test_the_interview_page_does_not_query_per_candidate(stages, app, client, browser) -> None:
    small = stages.at("interview", per_post=4)
    large = selection_in_interview(make_agency(), positions=2, per_post=7)
    for setup in (small, large):
        score_everyone(setup, skip=lambda m, a: m == 0)
    counts = []
    for setup in (small, large):
        for user in (members(setup)[1], setup.secretariat):
            browser.login(user.email, PASSWORD)
            counts.append(_queries(client, _page(setup)))
            browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
