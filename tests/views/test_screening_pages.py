"""The screening list at scale: pages of 25, filters kept across pages, a fixed query count,
and a verdict that answers with its row (or returns to the same page and filter)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, ApplicationDocument, CandidateProfile
from openbid.stages import screening
from tests.factories import PASSWORD, make_agency
from tests.querycount import statements
from tests.stage_factories import selection_in_screening

# The test candidates' names: "Kandidat <n>" or similar; a row is an <article id="app-<id>">.
ROW = re.compile(r'<article class="card applicant" id="app-(\d+)">')


def _rows(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def _url(setup, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/selections/{setup.selection.id}/screening" + (f"?{query}" if query else "")


@pytest.fixture
def many(app, stages):
    """A selection in screening with 60 applications on two posts (30 each), built once."""
    return stages.at("screening", positions=2, per_post=30)


def _get(client, url: str) -> tuple[str, int]:
    db.session.expire_all()
    with statements() as sent:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True), len(sent)


def test_pages_of_25_keep_their_filters_and_a_fixed_query_count(many, client, browser) -> None:
    few = selection_in_screening(make_agency(), positions=2, per_post=5)
    browser.login(few.secretariat.email, PASSWORD)
    _, few_queries = _get(client, _url(few))
    with client.session_transaction() as session:
        session.clear()
    browser.login(many.secretariat.email, PASSWORD)
    client.get(_url(many, lang="en"))  # the rest of the session reads English
    first, many_queries = _get(client, _url(many))
    assert few_queries == many_queries  # 10 or 60 applications: the same queries
    assert len(_rows(first)) == screening.PAGE_SIZE
    assert "60 applications match; page 1 of 3." in first
    assert f'href="{_url(many, page=3)}"' in first
    last, _ = _get(client, _url(many, page=3))
    assert len(_rows(last)) == 10
    seen = set(_rows(first)) | set(_rows(_get(client, _url(many, page=2))[0])) | set(_rows(last))
    assert seen == {a.id for a in many.applications}

    post = many.selection.positions[1].id
    filtered, filtered_queries = _get(client, _url(many, post=post, status="pending"))
    assert filtered_queries == many_queries
    assert "30 applications match; page 1 of 2." in filtered
    second_page = _url(many, post=post, status="pending", page=2).replace("&", "&amp;")
    assert f'href="{second_page}"' in filtered
    assert set(_rows(filtered)) <= {a.id for a in many.by_post(1)}


def test_search_by_name_or_nip_and_filter_by_a_failed_rule(many, client, browser) -> None:
    browser.login(many.secretariat.email, PASSWORD)
    client.get(_url(many, lang="en"))  # the rest of the session reads English
    target = many.applications[41]
    target.candidate.name = "Siti Rahmawati Zulkarnain"
    db.session.commit()
    html, _ = _get(client, _url(many, q="zulkarnain"))  # part of the name, any case
    assert _rows(html) == [target.id]
    nip = db.session.scalar(
        sa.select(CandidateProfile.nip).where(CandidateProfile.user_id == target.candidate_id)
    )
    html, _ = _get(client, _url(many, q=nip))
    assert _rows(html) == [target.id]
    # Nobody fails a rule here; one whose document goes missing fails that rule alone.
    assert _rows(_get(client, _url(many, rule="document.cv"))[0]) == []
    for document in db.session.scalars(
        sa.select(ApplicationDocument).where(
            ApplicationDocument.application_id == target.id, ApplicationDocument.doc_type == "cv"
        )
    ).all():
        db.session.delete(document)
    db.session.commit()
    html, _ = _get(client, _url(many, rule="document.cv"))
    assert _rows(html) == [target.id]
    assert "1 applications match; page 1 of 1." in html


def test_a_verdict_returns_to_the_same_page_and_filter_at_the_applicant(
    many, client, browser
) -> None:
    browser.login(many.secretariat.email, PASSWORD)
    client.get(_url(many, lang="en"))  # the rest of the session reads English
    page = _url(many, status="pending", page=2)
    html, _ = _get(client, page)
    target = _rows(html)[3]
    version = db.session.get(Application, target).version
    response = browser.post(
        f"/selections/{many.selection.id}/screening/{target}/verdict",
        {"passed": "1", "reason": "", "version": version, "back": "status=pending&page=2"},
        page=page,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#app-{target}")
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    # The message sits at the top of a page of 25, not below a thousand applicants.
    assert followed.index("passes administrative screening") < followed.index('id="app-')


def test_a_fetched_verdict_answers_with_the_row_only(many, client, browser) -> None:
    browser.login(many.secretariat.email, PASSWORD)
    client.get(_url(many, lang="en"))  # the rest of the session reads English
    page = _url(many)
    first, second = many.applications[0], many.applications[1]
    url = f"/selections/{many.selection.id}/screening/{{}}/verdict"
    as_json = browser.post(
        url.format(first.id),
        {"passed": "1", "version": first.version},
        page=page,
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 200
    body = as_json.get_json()
    assert body["id"] == first.id and body["state"] == "eligible"
    assert body["verdict"]["passed"] is True and "passes" in body["message"]

    fragment = browser.post(
        url.format(second.id),
        {"passed": "0", "reason": "", "version": second.version},
        page=page,
        headers={"Accept": "text/html", "X-Requested-With": "fetch"},
    )
    assert fragment.status_code == 422  # a fail needs its reason: the row says so
    html = fragment.get_data(as_text=True)
    assert _rows(html) == [second.id] and "<html" not in html
    assert "Write the reason this application fails" in html
