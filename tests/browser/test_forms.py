"""Forms in the real browser: the error summary takes the focus and leads to the field; a
submitted form's buttons go busy (with progress for a long step); grouped reasons and the
danger zone fit a phone (issue #13, items 3, 7 and 12).

Set OPENBID_SCREENSHOTS to a folder to keep a screenshot of each page looked at here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import WIDTHS
from tests.browser.test_roles import _ids


def _shot(tab, name: str, width: int) -> None:
    folder = os.environ.get("OPENBID_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(Path(folder) / f"{name}-{width}.png")


def _fits(visit) -> list[str]:
    problems = list(visit.blocking())
    if visit.scroll_width > visit.inner_width:
        problems.append(f"{visit.scroll_width} px wide at {visit.inner_width}")
    return problems


FOCUSED = "() => { const e = document.activeElement; return e.id || e.className; }"


def _submit_bad_profile(page) -> str:
    page.fill("#nip", "19700230 199503 3 002")
    page.click("form.profile-form button.button.primary[type=submit]")
    page.wait_for_load_state()
    return page.evaluate(FOCUSED)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_error_summary_takes_the_focus_and_its_link_the_field(width: int, tabs) -> None:
    tab = tabs(None, width)
    tab.goto("/auth/login")
    focused = tab.do(
        lambda page: (
            page.click("main form [type=submit]")
            or page.wait_for_load_state()
            or page.evaluate(FOCUSED)
        )
    )
    assert focused == "error-summary"
    assert not _fits(tab.check(422))
    _shot(tab, "login-errors", width)
    landed = tab.do(lambda page: page.click(".error-summary a >> nth=1") or page.evaluate(FOCUSED))
    assert landed == "password"

    candidate = tabs("kandidat01", width)
    candidate.goto("/portal/profile")
    assert candidate.do(_submit_bad_profile) == "error-summary"
    assert not _fits(candidate.check(422))
    _shot(candidate, "profile-errors", width)
    landed = candidate.do(lambda page: page.click(".error-summary a") or page.evaluate(FOCUSED))
    assert landed == "nip"
    value = candidate.do(lambda page: page.input_value("#nip"))
    assert value == "19700230 199503 3 002"  # what was typed stays


SINK = (
    "sel => { const f = document.createElement('iframe'); f.name = 'sink'; f.hidden = true;"
    " document.body.appendChild(f); document.querySelector(sel).target = 'sink'; }"
)
BUSY = (
    "sel => { const f = document.querySelector(sel), b = f.querySelector('[type=submit]'),"
    " p = f.querySelector('.busy-progress');"
    " return {disabled: b.disabled, text: (b.textContent || b.value).trim(),"
    " busy: f.getAttribute('aria-busy'), progress: !!(p && p.querySelector('progress')),"
    " status: p ? p.getAttribute('role') : null}; }"
)


def _busy_after_submit(page, form: str, pattern: str) -> dict:
    """Submit the form into a hidden frame, its POST answered by the browser itself.

    The page stays (a pending navigation would hold every look at it) and the server is
    never reached: nothing is written, whatever the form does.
    """
    page.route(pattern, lambda route: route.fulfill(status=204))
    page.evaluate(SINK, form)
    page.click(f"{form} [type=submit]")
    page.wait_for_selector(f"{form}[aria-busy=true]")
    state = page.evaluate(BUSY, form)
    page.unroute(pattern)
    return state


def test_a_submitted_form_goes_busy_and_a_long_step_shows_progress(tabs, live_server) -> None:
    ids = _ids(live_server)
    anonymous = tabs(None, 390)
    anonymous.goto("/auth/login")
    state = anonymous.do(lambda page: _busy_after_submit(page, "main form", "**/auth/login"))
    assert state["disabled"] and state["text"] == "Sedang diproses…" and state["busy"] == "true"
    assert not state["progress"]  # a quick form: the label says enough

    auditor = tabs("auditor", 1280)
    auditor.goto(f"/audit/selections/{ids['s']}")
    state = auditor.do(lambda page: _busy_after_submit(page, "form[data-long]", "**/trail.pdf"))
    assert state["disabled"] and state["progress"] and state["status"] == "status"
    assert state["text"] == "Sedang diproses…"
    _shot(auditor, "trail-busy", 1280)
    auditor.goto("/home")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_next_steps_fit_with_the_cancel_folded_apart(width: int, tabs, live_server) -> None:
    ids = _ids(live_server)
    tab = tabs("sekretariat", width)
    visit = tab.open(f"/selections/{ids['s']}")
    assert not _fits(visit)
    zone = tab.do(
        lambda page: page.evaluate(
            "() => { const d = document.querySelector('details.danger-zone');"
            " return d && {open: d.open, confirm: !!d.querySelector('form[data-confirm]')}; }"
        )
    )
    assert zone == {"open": False, "confirm": True}
    _shot(tab, "next-steps", width)
    tab.do(lambda page: page.click("details.danger-zone summary"))
    _shot(tab, "next-steps-danger-open", width)
    asked = tab.do(_cancel_declined)
    assert asked["question"] and not asked["sent"] and asked["busy"] is None


def _cancel_declined(page) -> dict:
    """Press "Batalkan seleksi" and decline the question: nothing is sent (the browser would
    answer any POST itself, should it be)."""
    sent: list[str] = []
    questions: list[str] = []

    def decline(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    def answer(route) -> None:
        sent.append(route.request.url)
        route.fulfill(status=204)

    page.route("**/events/cancel", answer)
    page.on("dialog", decline)
    page.evaluate(SINK, "details.danger-zone form")
    page.fill("details.danger-zone input[name=reason]", "Uji pembatalan")
    page.click("details.danger-zone [type=submit]")
    page.wait_for_timeout(200)
    page.remove_listener("dialog", decline)
    page.unroute("**/events/cancel")
    busy = page.evaluate(
        "document.querySelector('details.danger-zone form').getAttribute('aria-busy')"
    )
    return {"question": questions, "sent": sent, "busy": busy}
