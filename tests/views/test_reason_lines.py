"""The reasons beside a disabled step on the pages: grouped, linked, the cancel set apart."""

from __future__ import annotations

import re
from html import unescape

from tests.announcement_support import to_approval
from tests.factories import PASSWORD, make_agency, make_selection
from tests.interview_factories import members


def _page(client, browser, user, url: str) -> str:
    browser.login(user.email, PASSWORD)
    response = client.get(url + "?lang=en")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _reasons(html: str) -> list[str]:
    """Return each reason line of the page's next steps, tags removed, spaces collapsed."""
    items = re.findall(r'<ul class="reasons">(.*?)</ul>', html, re.S)
    lines = [li for block in items for li in re.findall(r"<li>(.*?)</li>", block, re.S)]
    return [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in lines]


def test_closing_the_interview_waits_on_one_line_that_leads_to_scoring(
    stages, client, browser
) -> None:
    setup = stages.at("interview", per_post=4)
    seats = len(members(setup))
    overview = f"/selections/{setup.selection.id}"
    html = _page(client, browser, setup.secretariat, overview)
    assert f"{seats} members have not yet scored 4 candidates. — open scoring" in _reasons(html)
    assert "has not yet scored" not in html
    assert f'<a href="{overview}/interview">open scoring</a>' in html


def test_pending_verdicts_are_said_once_instead_of_no_pass_in_every_post(
    stages, client, browser
) -> None:
    setup = stages.at("screening", positions=2)
    overview = f"/selections/{setup.selection.id}"
    lines = _reasons(_page(client, browser, setup.secretariat, overview))
    pending = [line for line in lines if "still have no screening verdict" in line]
    folded = [line for line in lines if "posts have no applicant who passed yet" in line]
    assert len(pending) == 1 and pending[0].endswith("— open screening")
    assert len(folded) == 1 and lines.index(pending[0]) < lines.index(folded[0])
    assert not [line for line in lines if line.startswith("No applicant for")]


def test_cancelling_sits_apart_folded_and_asks_for_confirmation(stages, client, browser) -> None:
    setup = stages.at("screening", positions=2)
    html = _page(client, browser, setup.secretariat, f"/selections/{setup.selection.id}")
    steps = re.search(r'<ul class="events">(.*?)</ul>\s*(?=<details|</section>)', html, re.S)
    assert steps and "/events/cancel" not in steps[1]
    zone = re.search(r'<details class="danger-zone".*?</details>', html, re.S)
    assert zone, "no danger zone"
    assert "/events/cancel" in zone[0] and "data-confirm=" in zone[0]
    assert 'class="button danger"' in zone[0] and "primary" not in zone[0]
    assert html.index('<ul class="events">') < zone.start()


def test_a_missing_letter_links_to_its_form_on_the_approval_page(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    html = _page(client, browser, secretariat, f"/selections/{selection.id}/approval")
    links = re.findall(
        r'is not recorded yet\.\s*— <a href="#(gate-[^"]+)">record the letter</a>', html
    )
    assert links and all(f'id="{target}"' in html for target in links)
