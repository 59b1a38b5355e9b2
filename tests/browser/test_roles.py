"""Each role's main path at desktop and phone width: fits the screen, no serious axe finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from openbid import demo
from openbid.extensions import db
from openbid.models import Application, IssuedDocument, User
from tests.browser.conftest import WIDTHS, LiveServer


def _ids(live_server: LiveServer) -> dict:
    with live_server.app.app_context():
        selection = demo.demo_selection()  # Kota Tangerang's (the accounts below are its own)
        candidate = db.session.scalars(
            sa.select(User).where(User.email == demo.KOTA.email("kandidat01"))
        ).one()
        application = db.session.scalars(
            sa.select(Application).where(Application.candidate_id == candidate.id)
        ).first()
        code = db.session.scalars(
            sa.select(IssuedDocument.verification_code).order_by(IssuedDocument.id)
        ).first()
        return {"s": selection.id, "a": application.id, "code": code}


SELECTION_PAGES = (
    "",
    "/plan",
    "/approval",
    "/announcement",
    "/screening",
    "/assessment",
    "/interview",
    "/appointment",
    "/documents",
)

# Each role's main path: the account (None: not logged in) and the pages it walks.
PATHS = {
    "anonymous": (None, ["/auth/login", "/verify/", "/verify/{code}", "/portal/register"]),
    "admin": (
        "admin",
        ["/home", "/admin/holidays", "/admin/agency", "/selections/{s}", "/selections/{s}/plan"],
    ),
    "secretariat": ("sekretariat", ["/home", *(f"/selections/{{s}}{p}" for p in SELECTION_PAGES)]),
    "committee": (
        "pansel.ketua",
        [
            "/home",
            "/selections/{s}",
            "/selections/{s}/screening",
            "/selections/{s}/interview",
            "/selections/{s}/appointment",
        ],
    ),
    "ppk": (
        "walikota",
        ["/home", "/selections/{s}", "/selections/{s}/appointment", "/selections/{s}/documents"],
    ),
    "auditor": (
        "auditor",
        [
            "/home",
            "/audit/",
            # The event log filtered, with one filter it cannot read (its error summary).
            "/audit/selections/{s}?event=pass_screening&since=03/12/2018",
            "/verify/{code}",
        ],
    ),
    "oversight": (
        "kasn",
        [
            "/oversight/",
            "/oversight/selections/{s}",
            "/oversight/monitoring",
            "/admin/body/",
            "/verify/{code}",
        ],
    ),
    "candidate": (
        "kandidat01",
        ["/home", "/portal/", "/portal/selections", "/portal/profile", "/portal/applications/{a}"],
    ),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", PATHS)
def test_role_path_fits_and_passes_axe(role: str, width: int, tabs, live_server) -> None:
    """Every page of the role's path answers 200, fits the width and has no serious axe finding."""
    account, paths = PATHS[role]
    ids = _ids(live_server)
    tab = tabs(account, width)
    problems = []
    for path in paths:
        visit = tab.open(path.format(**ids))
        if visit.status != 200:
            problems.append(f"{path}: status {visit.status}")
        if visit.scroll_width > visit.inner_width:
            problems.append(f"{path}: {visit.scroll_width} px wide at {visit.inner_width}")
        problems += [f"{path}: {line}" for line in visit.blocking()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_oversight_queue_and_monitoring_screenshots(
    width: int, tabs, live_server, tmp_path
) -> None:
    """KASN's queue shows the results waiting; both pages are saved as screenshots to look at.

    Set OPENBID_SCREENSHOTS to a folder to keep them (they go to the test's tmp folder else).
    """
    folder = Path(os.environ.get("OPENBID_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    tab = tabs("kasn", width)
    texts = {}
    pages = (
        ("queue", "/oversight/?lang=en"),
        ("monitoring", "/oversight/monitoring"),
        ("dossier", "/oversight/selections/{s}".format(**_ids(live_server))),
    )
    for name, path in pages:
        # Fit and status only: axe-core checks these pages in the role walk above.
        visit = tab.open(path, axe=False)
        assert visit.status == 200 and visit.scroll_width <= visit.inner_width
        texts[name] = tab.do(lambda page: page.inner_text("main"))
        tab.screenshot(folder / f"oversight-{name}-{width}.png")
    assert "Results (three best)" in texts["queue"]
    assert "Download CSV" in texts["monitoring"]
