"""Each role's home: what needs them now (with a link), charts as accessible SVG, no leaks."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from openbid import charts
from openbid.extensions import db
from openbid.models import AgencyHoliday, Role, Selection
from openbid.stages import appointment, interview, overview
from openbid.stages.common.applications import create_application
from tests.announcement_support import (
    MovableClock,
    install_clock,
    published,
    record_kasn,
    to_approval,
    wib,
)
from tests.factories import PASSWORD, make_agency, make_selection, make_user
from tests.interview_factories import (
    make_ppk,
    members,
    ranked_ids,
    record_recommendation,
    score_everyone,
    selection_in_interview,
)
from tests.stage_factories import make_candidate


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Today is 20 November 2018 unless a test moves it."""
    return install_clock(monkeypatch)


def _home(client, browser, user, query: str = "") -> str:
    browser.login(user.email, PASSWORD)
    response = client.get(f"/home?lang=en{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _needs(html: str) -> list[tuple[str, str]]:
    """Return (href, text) of each "needs you now" link."""
    return re.findall(r'class="need-link" href="([^"]+)">([^<]+)</a>', html)


def test_a_member_sees_how_many_candidates_they_still_have_to_score(
    client, browser, stages
) -> None:
    setup = stages.at("interview", per_post=4)
    users = members(setup)
    page = f"/selections/{setup.selection.id}/interview"
    assert (page, "4 candidates to score") in _needs(_home(client, browser, users[0]))
    interview.submit_score(users[0], setup.applications[0], "80")
    html = client.get("/home?lang=en").get_data(as_text=True)
    assert (page, "3 candidates to score") in _needs(html)
    # Another member's scores are not the first member's to-do, and no score is charted yet.
    # (The score would be an element's whole text; "80" alone may be in a user's name or id.)
    assert 'id="chart-scores"' not in html
    assert not re.search(r">\s*80(?:[.,]00)?\s*<", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))


def test_the_secretariat_sees_the_scores_still_to_come(client, browser, stages) -> None:
    setup = stages.at("interview", per_post=4)
    seats = len(members(setup))
    needs = _needs(_home(client, browser, setup.secretariat))
    page = f"/selections/{setup.selection.id}/interview"
    assert (page, f"{seats * 4} interview scores still to come") in needs


def test_the_secretariat_is_told_which_letter_to_record(client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    needs = _needs(_home(client, browser, secretariat))
    assert len(needs) == 1
    href, text = needs[0]
    assert href == f"/selections/{selection.id}/approval" and text.startswith("Record the letter: ")


def test_the_ppk_is_asked_to_pick_for_each_post_and_sees_the_scores(
    client, browser, stages
) -> None:
    setup = stages.at("appointment", per_post=4)
    ppk = make_ppk(setup)
    html = _home(client, browser, ppk)
    post = setup.selection.positions[0]
    page = f"/selections/{setup.selection.id}/appointment"
    assert (page, f"Pick the appointee for {post.name}") in _needs(html)
    # After the interview the score distribution is drawn, with its table.
    assert 'id="chart-scores"' in html and 'id="chart-funnel"' in html


def test_a_picked_post_leaves_the_ppks_list(client, browser, stages) -> None:
    setup = stages.at("appointment", per_post=4)
    ppk = make_ppk(setup)
    post = setup.selection.positions[0]
    record_recommendation(setup)
    best = next(a for a in setup.applications if a.id == ranked_ids(post.id)[0])
    appointment.appoint(best, ppk)
    assert _needs(_home(client, browser, ppk)) == []


def test_the_auditor_sees_selections_to_review_and_documents_to_verify(
    client, browser, stages
) -> None:
    setup = stages.at("assessment")
    auditor = make_user(Role.AUDITOR, setup.agency)
    html = _home(client, browser, auditor)
    assert "No selection has ended yet" in html
    assert "/verify/" in html and "Latest documents to verify" in html
    assert 'class="need-link"' not in html  # nothing to review while it runs
    assert "<form" not in html.split("<main", 1)[1].split("</main>")[0]  # read-only


def test_a_candidate_with_an_unsubmitted_application_is_told_the_next_step(
    client, browser, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9))
    candidate = make_candidate()
    application = create_application(selection.positions[0], candidate)
    html = _home(client, browser, candidate)
    assert (
        f"/portal/applications/{application.id}",
        f"Upload your documents and submit your application for {selection.positions[0].name}",
    ) in _needs(html)
    assert "My applications" in html  # the portal's own home is kept


def test_charts_are_accessible_images_with_a_table(client, browser, stages) -> None:
    setup = stages.at("interview", per_post=4)
    html = _home(client, browser, setup.secretariat)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) >= 3  # applicants over the window, the funnel, screening by rule
    for svg in svgs:
        opening = svg.split(">", 1)[0]
        assert 'role="img"' in opening
        labelled = re.search(r'aria-labelledby="([^"]+)"', opening).group(1).split()
        for ident in labelled:
            assert f'id="{ident}"' in svg
        assert "<title" in svg and "<desc" in svg
    assert html.count('class="chart-data"') == len(svgs)
    assert "Applicants per post over the registration window" in html
    assert '<th scope="row">Applied</th><td class="num">4</td>' in html
    # Health is not checked at screening: counted neither as met nor as not met.
    rules = {
        code for code, _met, _not in overview.selection_figures(db.session, setup.selection).rules
    }
    assert "age" in rules and "health" not in rules


def test_the_chart_module_draws_and_tabulates() -> None:
    chart = charts.Chart(
        key="c1",
        kind="bars",
        title="T <b>",
        description="D & d",
        category_title="Rule",
        categories=("Age", "Rank"),
        series=(charts.Series("Met", (3, 1)), charts.Series("Not met", (0, 2.5))),
    )
    svg = str(chart.svg())
    assert "T &lt;b&gt;" in svg and "D &amp; d" in svg
    assert chart.header == ["Rule", "Met", "Not met"]
    assert chart.rows == [["Age", "3", "0"], ["Rank", "1", "2.5"]]
    assert charts.nice_ceiling(0) == 1 and charts.nice_ceiling(7) == 10
    assert charts.nice_ceiling(23) == 50 and charts.nice_ceiling(100) == 100
    for kind in ("columns", "lines"):
        drawn = str(charts.Chart("k", kind, "t", "d", "x", ("a", "b"), chart.series).svg())
        assert drawn.startswith("<svg") and 'role="img"' in drawn
    empty = charts.Chart("e", "bars", "t", "d", "x", ("a",), (charts.Series("s", (0,)),))
    assert empty.empty


def _queries(client, url: str) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_home_pages_do_not_grow_queries_with_rows(client, browser, stages) -> None:
    small = stages.at("interview", per_post=4)
    large = selection_in_interview(make_agency(), positions=2, per_post=6)
    for setup in (small, large):
        score_everyone(setup, skip=lambda m, a: m == 0)
    counts = []
    for setup in (small, large):
        auditor = make_user(Role.AUDITOR, setup.agency)
        for user in (members(setup)[0], setup.secretariat, auditor):
            browser.login(user.email, PASSWORD)
            counts.append(_queries(client, "/home"))
            browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    assert counts[:3] == counts[3:], counts


def test_each_role_gets_its_own_home_and_nobody_else_s(client, browser, stages) -> None:
    setup = stages.at("interview", per_post=4)
    outsider = make_user(Role.SECRETARIAT, make_agency())
    html = _home(client, browser, outsider)
    assert setup.selection.title not in html and _needs(html) == []
    # Asking for another agency's selection in the figures falls back to one's own (none).
    html = client.get(f"/home?selection={setup.selection.id}").get_data(as_text=True)
    assert setup.selection.title not in html
    assert db.session.get(Selection, setup.selection.id) is not None


def test_days_waiting_on_the_oversight_body_skip_holidays_and_days_off(
    client, browser, movable_clock
) -> None:
    agency = make_agency()
    # The city's own day off, on top of Christmas and its cuti bersama (24-25 December).
    db.session.add(AgencyHoliday(agency_id=agency.id, day=date(2018, 12, 26), name="Hari jadi"))
    answered, secretariat = make_selection(agency)
    waiting, _ = make_selection(agency)
    movable_clock.set(wib(2018, 12, 21, 9))  # a Friday
    to_approval(answered, secretariat)
    movable_clock.set(wib(2018, 12, 27, 10))  # Thursday: the 27th is the only working day
    record_kasn(answered, secretariat)
    to_approval(waiting, secretariat)
    movable_clock.set(wib(2019, 1, 2, 8))  # 28 and 31 December, 2 January (1 Jan is off)
    html = _home(client, browser, secretariat)
    figure = html.split('id="chart-oversight"', 1)[1].split("</figure>", 1)[0]
    assert "Working days waiting on the oversight body" in figure
    assert 'role="img"' in figure and "Still waiting: 1." in figure
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>((?:<td class="num">\d+</td>)+)</tr>', figure
    )
    values = {name: re.findall(r"\d+", cells) for name, cells in rows}
    gate = next(name for name in values if name.startswith(answered.title))
    assert values[gate] == ["1", "0"]  # letter recorded after one working day
    gate = next(name for name in values if name.startswith(waiting.title))
    assert values[gate] == ["0", "3"]  # still waiting, three working days so far
    # A selection never sent for approval has no bar.
    draft, _ = make_selection(agency)
    assert draft.title not in figure
