"""The frame of every page: language switch, skip link, labelled navigation, icon, tabs."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application
from tests.documents import scenario
from tests.factories import PASSWORD, make_agency, make_selection
from tests.portal.helpers import (
    Clock,
    candidate,
    english,
    login,
    open_selection,
    png_named_pdf,
    post_file,
    profile_form,
)

NEXT_RE = re.compile(r'action="/lang/(\w+)".*?name="next" value="([^"]*)"', re.S)


def _language_form(html: str) -> tuple[str, str]:
    match = NEXT_RE.search(html)
    assert match, "page has no language switch"
    return match.group(1), match.group(2).replace("&amp;", "&")


def test_switching_language_after_a_validation_error_returns_to_the_page(
    app, client, browser, monkeypatch
) -> None:
    """A form shown again with its errors (drawn by a POST) switches back to its GET page."""
    Clock(monkeypatch)
    selection, _ = open_selection(make_agency())
    user = candidate()
    login(browser, user)
    english(client)
    browser.post("/portal/profile", profile_form(), page="/portal/profile")
    browser.post(f"/portal/positions/{selection.positions[0].id}/apply", page="/portal/selections")
    application = db.session.scalar(
        sa.select(Application).where(Application.candidate_id == user.id)
    )
    page = f"/portal/applications/{application.id}"
    client.environ_base["HTTP_REFERER"] = f"http://localhost{page}"
    response = post_file(browser, f"{page}/documents/cv", page, png_named_pdf())
    assert response.status_code == 422
    code, target = _language_form(response.get_data(as_text=True))
    assert code == "id" and target == page
    switched = browser.post(f"/lang/{code}", {"next": target}, page=page)
    assert switched.status_code == 302 and switched.location == page
    assert client.get(switched.location).status_code == 200


def test_a_get_page_switches_back_to_itself_with_its_query(client) -> None:
    html = client.get("/verify/?code=XYZ").get_data(as_text=True)
    assert _language_form(html)[1] == "/verify/?code=XYZ"


@pytest.mark.parametrize("target", ["/portal/applications/1/submit", "//evil.example/", "x"])
def test_the_switch_never_sends_a_browser_to_an_address_it_cannot_load(browser, target) -> None:
    response = browser.post("/lang/en", {"next": target}, page="/auth/login")
    assert response.status_code == 302 and response.location == "/"


def test_every_page_has_a_skip_link_labelled_navigation_and_an_icon(client) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<a class="skip-link" href="#content">' in html and 'id="content"' in html
    assert all("aria-label=" in nav for nav in re.findall(r"<nav[^>]*>", html))
    assert 'rel="icon"' in html
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def test_the_ppk_is_shown_only_tabs_that_open(app, browser) -> None:
    """The PPK sees no screening or assessment tab; every tab shown answers 200."""
    built = scenario.build()
    browser.login(built.ppk.email, PASSWORD)
    html = browser.client.get(f"/selections/{built.selection.id}").get_data(as_text=True)
    nav = html[html.index('<nav class="tabs"') : html.index("</nav>", html.index('class="tabs"'))]
    tabs = re.findall(r'href="([^"]+)"', nav)
    assert len(tabs) >= 5
    assert not [t for t in tabs if t.endswith(("/screening", "/assessment"))]
    assert {t: browser.client.get(t).status_code for t in tabs} == dict.fromkeys(tabs, 200)
    assert browser.client.get(f"/selections/{built.selection.id}/screening").status_code == 403
    # The secretariat still has them.
    browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    browser.login(built.secretariat.email, PASSWORD)
    html = browser.client.get(f"/selections/{built.selection.id}").get_data(as_text=True)
    assert "/screening" in html and "/assessment" in html


def test_the_plan_page_labels_every_schedule_input_and_dates_are_native(app, browser) -> None:
    """Each schedule cell's input has its own name for screen readers; dates are date inputs."""
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    html = browser.client.get(f"/selections/{selection.id}/plan").get_data(as_text=True)
    table = html[html.index('<table class="grid schedule">') :]
    table = table[: table.index("</table>")]
    inputs = re.findall(r"<input[^>]*>", table)
    assert inputs and all("aria-label=" in tag for tag in inputs), inputs[:2]
    assert len({re.search(r'aria-label="([^"]+)"', tag).group(1) for tag in inputs}) == len(inputs)
    dates = [tag for tag in inputs if 'type="date"' in tag]
    rows = re.findall(r'name="rows-\d+-stage"', table)
    assert rows and len(dates) == 2 * len(rows)  # From and Until of every row
    assert all('placeholder="yyyy-mm-dd"' in tag for tag in dates)
