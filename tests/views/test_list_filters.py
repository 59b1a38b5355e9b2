"""One filter form for the paginated lists: the macro in _macros.html, the posts its argument."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "committee"


def _listing(**chosen) -> SimpleNamespace:
    filters = {"post": None, "status": None, "rule": None, "q": "", "active": False, **chosen}
    return SimpleNamespace(filters=SimpleNamespace(**filters))


def _render(app: Flask, **kwargs) -> str:
    with app.test_request_context("/?lang=en"):
        macros = app.jinja_env.get_template("_macros.html").module
        return str(macros.list_filters(**kwargs))


def test_the_macro_offers_the_posts_it_is_given_and_keeps_the_choices(app: Flask) -> None:
    posts = [SimpleNamespace(id=4, name="Kepala Dinas"), SimpleNamespace(id=9, name="Sekretaris")]
    html = _render(
        app,
        endpoint="committee.interview",
        selection_id=7,
        listing=_listing(post=9, status="complete", q="Budi", active=True),
        posts=posts,
        statuses=["to_score", "complete"],
        status_labels={"to_score": "Awaiting", "complete": "Done"},
    )
    assert 'action="/selections/7/interview"' in html
    assert '<option value="4" >Kepala Dinas</option>' in html
    assert '<option value="9" selected>Sekretaris</option>' in html
    assert '<option value="complete" selected>Done</option>' in html
    assert 'value="Budi"' in html and 'href="/selections/7/interview">' in html
    assert 'name="rule"' not in html  # only where rules are given (screening)


def test_screening_adds_the_rule_not_met(app: Flask) -> None:
    html = _render(
        app,
        endpoint="committee.screening",
        selection_id=7,
        listing=_listing(rule="eligibility.age"),
        posts=[],
        statuses=[],
        status_labels={},
        rules=[("eligibility.age", "Age"), ("eligibility.pns", "PNS")],
    )
    assert '<option value="eligibility.age" selected>Age</option>' in html
    assert "Show all" not in html


@pytest.mark.parametrize("page", ["screening", "assessment", "interview", "appointment"])
def test_each_list_page_uses_the_one_filter_form(page: str) -> None:
    source = (TEMPLATES / f"{page}.html").read_text(encoding="utf-8")
    assert "list_filters(" in source
    assert 'name="q"' not in source, f"{page}.html has its own copy of the filter form"
