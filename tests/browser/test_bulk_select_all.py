"""Screening's "choose all rule-clean on this page" in a real browser: with JavaScript a
checkbox that ticks every choice and asks once more on sending, the no-JS button hidden."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from openbid import demo
from openbid.extensions import db
from openbid.models import SelectionState
from tests.browser.conftest import HEIGHT, WIDTHS, LiveServer, Tab, demo_app, serving

SHOTS_DIR = "OPENBID_BROWSER_SHOTS"


@pytest.fixture(scope="module")
def screening_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the demo at administrative screening, every verdict still to give."""
    app = demo_app(tmp_path_factory, SelectionState.ADMINISTRATIVE_SCREENING)
    with serving(app, "screening-server") as server:
        yield server


@pytest.mark.parametrize("width", WIDTHS)
def test_choose_all_ticks_every_choice_and_asks_before_sending(
    width: int, chromium, screening_server: LiveServer, tmp_path
) -> None:
    with screening_server.app.app_context():
        selection_id = demo.demo_selection().id
        db.session.remove()
    page = chromium.run(
        lambda: chromium.browser.new_context(
            viewport={"width": width, "height": HEIGHT}, bypass_csp=True
        ).new_page()
    )
    tab = Tab(chromium, page, screening_server.url)
    shots = Path(os.environ.get(SHOTS_DIR) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    try:
        tab.login(f"sekretariat@{demo.DOMAIN}")
        visit = tab.open(f"/selections/{selection_id}/screening?lang=en")
        assert visit.status == 200
        assert not visit.blocking(), visit.blocking()
        assert visit.scroll_width <= visit.inner_width
        picks = "input[name=pick][form=bulk-confirm]"
        total = tab.do(lambda p: p.locator(picks).count())
        assert total > 1
        # The no-JS button gives way to the checkbox.
        assert tab.do(lambda p: p.locator("[data-without-js]").is_hidden())
        assert tab.do(lambda p: p.locator("[data-select-all]").is_visible())
        tab.do(lambda p: p.locator("[data-select-all] input").check())
        assert tab.do(lambda p: p.locator(picks + ":checked").count()) == total
        tab.screenshot(shots / f"screening-select-all-{width}.png")
        # Sending asks once more; dismissed, nothing is sent.
        questions: list[str] = []

        def send_and_dismiss(p) -> str:
            p.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
            p.locator("#bulk-confirm button.primary").click()
            return p.url

        assert tab.do(send_and_dismiss).endswith("/screening?lang=en")
        assert questions and "every rule-clean application on this page" in questions[0]
        # One choice undone by hand: the checkbox follows, and no longer asks.
        tab.do(lambda p: p.locator(picks).first.uncheck())
        assert not tab.do(lambda p: p.locator("[data-select-all] input").is_checked())
        assert tab.do(lambda p: p.locator("#bulk-confirm").get_attribute("data-confirm")) is None
    finally:
        tab.do(lambda p: p.context.close())


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_a_button_leads_to_a_confirmation(
    width: int, chromium, screening_server: LiveServer, tmp_path
) -> None:
    with screening_server.app.app_context():
        selection_id = demo.demo_selection().id
        db.session.remove()
    page = chromium.run(
        lambda: chromium.browser.new_context(
            viewport={"width": width, "height": HEIGHT}, java_script_enabled=False
        ).new_page()
    )
    tab = Tab(chromium, page, screening_server.url)
    shots = Path(os.environ.get(SHOTS_DIR) or tmp_path)
    try:
        tab.login(f"sekretariat@{demo.DOMAIN}")
        tab.do(lambda p: p.goto(f"{tab.base}/selections/{selection_id}/screening?lang=en"))
        assert tab.do(lambda p: p.locator("[data-select-all]").is_hidden())
        tab.do(lambda p: p.locator("[data-without-js]").click())
        tab.do(lambda p: p.wait_for_load_state())
        assert tab.do(lambda p: p.locator("#bulk-confirm-all li").count()) > 1
        assert tab.do(lambda p: p.url).endswith("#bulk-confirm-all")  # the answer opens there
        shots.mkdir(parents=True, exist_ok=True)
        tab.screenshot(shots / f"screening-confirm-all-{width}.png")
        # Cancel goes back to the list, nothing recorded.
        tab.do(lambda p: p.locator("#bulk-confirm-all a", has_text="Cancel").click())
        assert tab.do(lambda p: p.locator("[data-without-js]").count()) == 1
    finally:
        tab.do(lambda p: p.context.close())
