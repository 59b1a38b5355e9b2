"""The scoring and appointment lists paginated and filtered: filters kept across pages and
after an action, a query count that does not grow with the rows (issue #12, item 5).

Pages are cut at 2 rows here (``small_pages``) so the snapshots other tests already build
(4 or 5 candidates) show several pages; production cuts at 25.
"""

from __future__ import annotations

import importlib
import re

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application
from openbid.stages import interview
from tests.factories import PASSWORD
from tests.querycount import statements

ASSESSMENT_ROW = re.compile(r'<tr id="row-(\d+)"')


def _rows(html: str) -> list[int]:
    return [int(i) for i in ASSESSMENT_ROW.findall(html)]


def _url(setup, path: str, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/selections/{setup.selection.id}/{path}" + (f"?{query}" if query else "")


def _get(client, url: str) -> tuple[str, int]:
    db.session.expire_all()
    with statements() as sent:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True), len(sent)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch) -> None:
    """Cut every list at 2 rows."""
    for area in ("common", "assessment", "interview", "appointment"):
        # The modules by path: stages.assessment also exports a function named ``listing``.
        module = importlib.import_module(f"openbid.stages.{area}.listing")
        if hasattr(module, "PAGE_SIZE"):
            monkeypatch.setattr(module, "PAGE_SIZE", 2)


@pytest.fixture
def assessing(stages, client, browser):
    """5 eligible candidates in competency assessment, the secretariat logged in."""
    setup = stages.at("assessment", per_post=5)
    browser.login(setup.secretariat.email, PASSWORD)
    client.get(_url(setup, "assessment", lang="en"))  # the rest of the session reads English
    return setup


def test_assessment_pages_filters_and_a_fixed_query_count(assessing, client) -> None:
    setup = assessing
    first, first_queries = _get(client, _url(setup, "assessment"))
    assert len(_rows(first)) == 2
    assert "5 candidates match; page 1 of 3." in first
    assert f'href="{_url(setup, "assessment", page=3)}"' in first
    last, last_queries = _get(client, _url(setup, "assessment", page=3))
    assert len(_rows(last)) == 1 and last_queries == first_queries  # 1 row or 2: the same
    second = _rows(_get(client, _url(setup, "assessment", page=2))[0])
    eligible = db.session.scalars(
        sa.select(Application.id).where(Application.state == "eligible")
    ).all()
    assert set(_rows(first)) | set(second) | set(_rows(last)) == set(eligible)

    post = setup.selection.positions[0].id
    url = _url(setup, "assessment", post=post, status="missing")
    filtered, filtered_queries = _get(client, url)
    assert filtered_queries == first_queries
    assert "5 candidates match; page 1 of 3." in filtered
    assert _rows(_get(client, _url(setup, "assessment", post=post + 1000))[0]) == []
    nobody, _ = _get(client, _url(setup, "assessment", status="complete"))
    assert _rows(nobody) == [] and "0 candidates match" in nobody


def test_saving_a_result_returns_to_the_same_page_and_filter_at_the_row(
    assessing, client, browser
) -> None:
    setup = assessing
    page = _url(setup, "assessment", status="missing", page=2)
    target, other = _rows(_get(client, page)[0])[1::-1]
    values = {
        "assessment_score": "81,50",
        "assessment_category": "MS",
        "assessed_on": "2018-12-18",
        "assessment_centre": "UPT Penilaian Kompetensi",
        "paper_score": "80",
        "track_record_score": "79",
        "health_fit": "MS",
        "psych_fit": "MS",
    }
    url = f"/selections/{setup.selection.id}/assessment/{target}"
    response = browser.post(url, {**values, "back": "status=missing&page=2"}, page=page)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{page}#row-{target}"
    complete, _ = _get(client, _url(setup, "assessment", status="complete"))
    assert _rows(complete) == [target]
    # A refused entry shows the same page and filter again, with the row's reason.
    url = f"/selections/{setup.selection.id}/assessment/{other}"
    bad = browser.post(
        url, {**values, "paper_score": "140", "back": "status=missing&page=2"}, page=page
    )
    assert bad.status_code == 422
    assert other in _rows(bad.get_data(as_text=True))
    assert "row-error" in bad.get_data(as_text=True)
    assert 'name="back" value="status=missing&amp;page=2"' in bad.get_data(as_text=True)


INTERVIEW_ROW = re.compile(r'<tr id="c(\d+)">')


def _interview_rows(html: str) -> list[int]:
    return [int(i) for i in INTERVIEW_ROW.findall(html)]


def test_interview_pages_filters_and_a_score_that_returns_to_its_row(
    stages, client, browser
) -> None:
    setup = stages.at("interview", per_post=4)
    member = setup.committee[1]
    browser.login(member.email, PASSWORD)
    client.get(_url(setup, "interview", lang="en"))  # the rest of the session reads English
    first, first_queries = _get(client, _url(setup, "interview"))
    assert len(_interview_rows(first)) == 2
    assert "4 candidates match; page 1 of 2." in first
    last, last_queries = _get(client, _url(setup, "interview", page=2))
    assert len(_interview_rows(last)) == 2 and last_queries == first_queries
    assert set(_interview_rows(first)) | set(_interview_rows(last)) == {
        a.id for a in setup.applications
    }
    # Every member still has 4 to score: the progress counts all, not this page.
    assert first.count("0 of 4") == len(setup.committee)

    page = _url(setup, "interview", status="to_score", page=2)
    target = _interview_rows(_get(client, page)[0])[0]
    url = f"/selections/{setup.selection.id}/interview/{target}/score"
    score = {"score": "81", "back": "status=to_score&page=2"}
    confirm = browser.post(url, score, page=page)  # the confirmation step keeps the filters
    assert confirm.status_code == 200
    assert 'name="back" value="status=to_score&amp;page=2"' in confirm.get_data(as_text=True)
    response = browser.post(url, {**score, "confirm": "1"}, page=page)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{page}#c{target}"
    waiting, waiting_queries = _get(client, _url(setup, "interview", status="to_score"))
    assert "3 candidates match" in waiting and target not in _interview_rows(waiting)
    assert waiting_queries == first_queries
    post = setup.selection.positions[0].id
    in_post, _ = _get(client, _url(setup, "interview", post=post, status="incomplete"))
    assert "4 candidates match; page 1 of 2." in in_post

    # Everyone scores two candidates, the chair recused from the first: both are complete
    # (a recusal from one candidate must not discount the member's scores of the others).
    first_two = setup.by_post(0)[:2]
    chair = setup.committee[0]
    interview.declare_conflict(chair, first_two[0], "Kerabat dekat")
    for user in setup.committee:
        for application in first_two:
            if user != chair or application != first_two[0]:
                interview.submit_score(user, application, "80", "")
    # The secretariat is offered no "awaiting your score".
    browser.client.delete_cookie("session")
    browser.login(setup.secretariat.email, PASSWORD)
    done, _ = _get(client, _url(setup, "interview", status="complete", lang="en"))
    assert "2 candidates match" in done and 'value="to_score"' not in done
    assert set(_interview_rows(done)) == {a.id for a in first_two}


RANKING_ROW = re.compile(r'<tr class="(?:in-shortlist)?">\s*<td class="rank">')


def test_appointment_rankings_paged_and_filtered_three_best_always_shown(
    stages, client, browser
) -> None:
    setup = stages.at("appointment", per_post=4)
    browser.login(setup.secretariat.email, PASSWORD)
    client.get(_url(setup, "appointment", lang="en"))  # the rest of the session reads English
    first, first_queries = _get(client, _url(setup, "appointment"))
    assert len(RANKING_ROW.findall(first)) == 2
    assert "In the full rankings, 4 candidates match; page 1 of 2." in first
    last, last_queries = _get(client, _url(setup, "appointment", page=2))
    assert len(RANKING_ROW.findall(last)) == 2 and last_queries == first_queries
    post = setup.selection.positions[0].id
    for html in (first, last):  # the post's three best, on every page
        assert f'id="p{post}"' in html and html.count('class="grid shortlist"') == 1

    best, best_queries = _get(client, _url(setup, "appointment", status="shortlisted"))
    assert "In the full rankings, 3 candidates match; page 1 of 2." in best
    assert len(RANKING_ROW.findall(best)) == 2 and best_queries == first_queries
    one, _ = _get(client, _url(setup, "appointment", post=post))
    assert f'id="p{post}"' in one and "4 candidates match" in one
    # The forms of the page carry the filters back (an action returns to them).
    assert f'name="back" value="post={post}"' in one
    other, _ = _get(client, _url(setup, "appointment", post=post + 1000))
    assert f'id="p{post}"' not in other and "0 candidates match" in other
