"""Keyboard use in the real browser: the first Tab reaches the skip link, focus is visible."""

from __future__ import annotations


def _focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), href: e.getAttribute('href'),"
        " outline: s.outlineStyle, width: parseFloat(s.outlineWidth),"
        " top: e.getBoundingClientRect().top}; }"
    )


def test_the_first_tab_shows_a_skip_link_then_every_focus_has_a_ring(tabs) -> None:
    tab = tabs(None, 390)
    tab.goto("/auth/login")
    first = tab.do(lambda page: page.keyboard.press("Tab") or _focused(page))
    assert first["href"] == "#content" and first["text"] == "Langsung ke isi"
    assert first["top"] >= 0  # moved into view while focused
    assert first["outline"] != "none" and first["width"] >= 2
    following = tab.do(lambda page: page.keyboard.press("Tab") or _focused(page))
    assert following["outline"] != "none" and following["width"] >= 2
    # Following the skip link puts the focus on the page's content.
    tab.goto("/auth/login")
    landed = tab.do(
        lambda page: (
            page.keyboard.press("Tab")
            or page.keyboard.press("Enter")
            or page.evaluate("document.activeElement.id")
        )
    )
    assert landed == "content"
