"""The paginated, filterable stage lists (assessment, interview, appointment) with a filter
set, at desktop and phone width: they fit, pass axe, and are screenshotted to be looked at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from openbid import demo
from openbid.extensions import db
from openbid.models import Position
from tests.browser.conftest import WIDTHS, LiveServer

SHOTS_DIR = "OPENBID_BROWSER_SHOTS"
LISTS = (
    ("sekretariat", "assessment", "status=complete"),
    ("pansel.ketua", "interview", "status=complete"),
    ("walikota", "appointment", "status=shortlisted"),
)


@pytest.mark.parametrize("width", WIDTHS)
def test_filtered_lists_fit_and_pass_axe(width: int, tabs, live_server: LiveServer, tmp_path):
    with live_server.app.app_context():
        selection = demo.demo_selection()  # Kota Tangerang's (the demo has two agencies)
        post = db.session.scalars(
            sa.select(Position.id)
            .where(Position.selection_id == selection.id)
            .order_by(Position.id)
        ).first()
        db.session.remove()
    shots = Path(os.environ.get(SHOTS_DIR) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for account, page, query in LISTS:
        tab = tabs(account, width)
        path = f"/selections/{selection.id}/{page}?post={post}&{query}"
        visit = tab.open(path)
        assert tab.do(lambda p: p.locator("form.filters").count()) == 1, path
        tab.screenshot(shots / f"list-{page}-{width}.png")
        if visit.status != 200:
            problems.append(f"{path}: status {visit.status}")
        if visit.scroll_width > visit.inner_width:
            problems.append(f"{path}: {visit.scroll_width} px wide at {visit.inner_width}")
        problems += [f"{path}: {line}" for line in visit.blocking()]
    assert not problems, "\n".join(problems)
