"""A form that fails validation opens with an error summary at the top, each error a link.

The summary comes first in the page's main element (before the heading), says what went
wrong, links each error to the field (or the section of the form) it is about, and the form
below keeps what was typed (issue #13, item 3).
"""

from __future__ import annotations

import re
from html import unescape

from openbid.models import Role
from tests.factories import PASSWORD, make_agency, make_user
from tests.portal.helpers import Clock, candidate, english, login, profile_form

SUMMARY = re.compile(r'<div class="error-summary"(?P<attrs>[^>]*)>(?P<body>.*?)</div>', re.S)


def summary_links(html: str) -> list[tuple[str, str]]:
    """Return (target id, text) of each link of the page's error summary, checking its place."""
    main = html[html.index('<main id="content"') :]
    found = SUMMARY.search(main)
    assert found, "the page has no error summary"
    assert 'role="alert"' in found["attrs"] and 'tabindex="-1"' in found["attrs"]
    # At the top: nothing of the page's own content (no heading, no form) comes before it.
    before = main[: found.start()]
    assert "<h1" not in before and "<form" not in before and "<section" not in before
    return [
        (target, unescape(text).strip())
        for target, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', found["body"], re.S)
    ]


def test_the_log_in_form_links_each_empty_field(app, client, browser) -> None:
    client.get("/auth/login?lang=en")
    response = browser.post("/auth/login", {"email": "", "password": ""}, page="/auth/login")
    links = summary_links(response.get_data(as_text=True))
    assert [target for target, _ in links] == ["email", "password"]
    assert all(text for _, text in links)


def test_a_new_selection_without_title_keeps_the_date_typed(app, client, browser) -> None:
    secretariat = make_user(Role.SECRETARIAT, make_agency())
    browser.login(secretariat.email, PASSWORD)
    client.get("/home?lang=en")
    response = browser.post(
        "/selections/new",
        {"workflow": "", "title": "", "start_date": "2018-11-19"},
        page="/selections/new",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert summary_links(html) == [("new-selection-form", "Enter a title for the selection.")]
    assert 'id="new-selection-form"' in html and 'value="2018-11-19"' in html


def test_the_profile_links_the_nip_and_keeps_it(app, client, browser, monkeypatch) -> None:
    Clock(monkeypatch)
    login(browser, candidate())
    english(client)
    response = browser.post(
        "/portal/profile", profile_form(nip="19700230 199503 3 002"), page="/portal/profile"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    links = summary_links(html)
    assert {target for target, _ in links} == {"nip"}
    assert any("Digit 15 (3) must be 1 (male) or 2 (female)" in text for _, text in links)
    assert "The profile was not saved" in html
    assert 'id="nip"' in html and 'value="19700230 199503 3 002"' in html


def test_a_verdict_without_reason_links_its_reason_box(stages, app, client, browser) -> None:
    setup = stages.at("screening", candidates=[[{"rank": "IV/a"}]])
    application = setup.applications[0]
    browser.login(setup.secretariat.email, PASSWORD)
    page = f"/selections/{setup.selection.id}/screening"
    client.get(page + "?lang=en")
    response = browser.post(
        f"{page}/{application.id}/verdict",
        {"passed": "0", "version": application.version},
        page=page,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert summary_links(html) == [
        (
            f"reason-{application.id}",
            "Write the reason this application fails; the candidate will read it.",
        )
    ]
    assert f'id="reason-{application.id}"' in html


def test_a_page_without_errors_has_no_summary(app, client) -> None:
    assert 'class="error-summary"' not in client.get("/auth/login").get_data(as_text=True)


def test_a_letter_links_each_missing_part_to_its_field(stages, app, client, browser) -> None:
    setup = stages.at("appointment", per_post=4)
    page = f"/selections/{setup.selection.id}/appointment"
    browser.login(setup.secretariat.email, PASSWORD)
    client.get(page + "?lang=en")
    response = browser.post(
        page + "/recommendation",
        {"authority": "KASN", "letter_number": "", "letter_date": "", "subject": "Rekomendasi"},
        page=page,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    targets = [target for target, _ in summary_links(html)]
    assert targets == ["recommendation-number", "recommendation-date"]
    assert 'id="recommendation-number"' in html and 'value="Rekomendasi"' in html
