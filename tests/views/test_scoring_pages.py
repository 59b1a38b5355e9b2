"""The scoring and appointment lists at scale: pages of 25, filters kept across pages and
after an action, a query count that does not grow with the rows (issue #12, item 5)."""

from __future__ import annotations

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


@pytest.fixture
def assessing(stages, client, browser):
    """28 eligible candidates in competency assessment (14 per post), the secretariat in."""
    setup = stages.at("assessment", positions=2, per_post=14)
    browser.login(setup.secretariat.email, PASSWORD)
    client.get(_url(setup, "assessment", lang="en"))  # the rest of the session reads English
    return setup


def test_assessment_pages_of_25_filters_and_a_fixed_query_count(assessing, client) -> None:
    setup = assessing
    first, first_queries = _get(client, _url(setup, "assessment"))
    assert len(_rows(first)) == 25
    assert "28 candidates match; page 1 of 2." in first
    assert f'href="{_url(setup, "assessment", page=2)}"' in first
    last, last_queries = _get(client, _url(setup, "assessment", page=2))
    assert len(_rows(last)) == 3 and last_queries == first_queries  # 3 rows or 25: same
    eligible = db.session.scalars(
        sa.select(Application.id).where(Application.state == "eligible")
    ).all()
    assert set(_rows(first)) | set(_rows(last)) == set(eligible)

    post = setup.selection.positions[1].id
    url = _url(setup, "assessment", post=post, status="missing")
    filtered, filtered_queries = _get(client, url)
    assert filtered_queries == first_queries
    assert "14 candidates match; page 1 of 1." in filtered
    in_post = set(
        db.session.scalars(sa.select(Application.id).where(Application.position_id == post))
    )
    assert set(_rows(filtered)) <= in_post
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
    setup = stages.at("interview", positions=2, per_post=14)
    member = setup.committee[1]
    browser.login(member.email, PASSWORD)
    client.get(_url(setup, "interview", lang="en"))  # the rest of the session reads English
    first, first_queries = _get(client, _url(setup, "interview"))
    assert len(_interview_rows(first)) == 25
    assert "28 candidates match; page 1 of 2." in first
    last, last_queries = _get(client, _url(setup, "interview", page=2))
    assert len(_interview_rows(last)) == 3 and last_queries == first_queries
    assert set(_interview_rows(first)) | set(_interview_rows(last)) == {
        a.id for a in setup.applications
    }
    # Every member still has 28 to score: the progress counts all, not this page.
    assert first.count("0 of 28") == len(setup.committee)

    page = _url(setup, "interview", status="to_score", page=2)
    target = _interview_rows(_get(client, page)[0])[0]
    url = f"/selections/{setup.selection.id}/interview/{target}/score"
    response = browser.post(url, {"score": "81", "back": "status=to_score&page=2"}, page=page)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{page}#c{target}"
    waiting, waiting_queries = _get(client, _url(setup, "interview", status="to_score"))
    assert "27 candidates match" in waiting and target not in _interview_rows(waiting)
    assert waiting_queries == first_queries
    post = setup.selection.positions[0].id
    in_post, _ = _get(client, _url(setup, "interview", post=post, status="incomplete"))
    assert "14 candidates match; page 1 of 1." in in_post

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
    setup = stages.at("appointment", positions=2, per_post=13)
    browser.login(setup.secretariat.email, PASSWORD)
    client.get(_url(setup, "appointment", lang="en"))  # the rest of the session reads English
    first, first_queries = _get(client, _url(setup, "appointment"))
    assert len(RANKING_ROW.findall(first)) == 25
    assert "In the full rankings, 26 candidates match; page 1 of 2." in first
    last, last_queries = _get(client, _url(setup, "appointment", page=2))
    assert len(RANKING_ROW.findall(last)) == 1 and last_queries == first_queries
    posts = [p.id for p in setup.selection.positions]
    for html in (first, last):  # both posts' three best, on every page
        assert all(f'id="p{pid}"' in html for pid in posts)
        assert html.count('class="grid shortlist"') == 2

    best, best_queries = _get(client, _url(setup, "appointment", status="shortlisted"))
    assert "In the full rankings, 6 candidates match; page 1 of 1." in best
    assert len(RANKING_ROW.findall(best)) == 6 and best_queries == first_queries
    one, _ = _get(client, _url(setup, "appointment", post=posts[1]))
    assert f'id="p{posts[1]}"' in one and f'id="p{posts[0]}"' not in one
    assert "13 candidates match" in one
    # The forms of the page carry the filters back (an action returns to them).
    assert f'name="back" value="post={posts[1]}"' in one
