"""Pressing the event buttons of a selection page goes through the engine."""

from __future__ import annotations

import re

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, Role, Selection
from tests.factories import PASSWORD, make_agency, make_selection, make_user


def _state(selection_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Selection, selection_id).state


def test_buttons_fire_events_and_disabled_ones_show_reasons(app, client, browser) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency, committee=7, internal=4)
    browser.login(secretariat.email, PASSWORD)
    page = client.get(f"/selections/{selection.id}?lang=en").get_data(as_text=True)
    assert "internal" in page and "at most 45%" in page
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Send the plan to KASN", page)
    # Pressing a disabled button anyway (a crafted POST) is refused with the reason.
    url = f"/selections/{selection.id}/events/submit_for_approval"
    response = browser.post(url, {"version": selection.version}, page=f"/selections/{selection.id}")
    assert response.status_code == 303
    assert _state(selection.id) == "draft"


def test_a_valid_press_moves_the_state_and_audits(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    page = f"/selections/{selection.id}"
    response = browser.post(
        f"{page}/events/submit_for_approval",
        {"version": selection.version},
        page=page,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Selesai" in response.get_data(as_text=True)
    assert _state(selection.id) == "approval"
    last = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert last.event == "submit_for_approval" and last.actor_id == secretariat.id


def test_a_stale_page_gets_409_and_changes_nothing(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    page = f"/selections/{selection.id}"
    old_version = selection.version
    browser.post(f"{page}/events/submit_for_approval", {"version": old_version}, page=page)
    response = browser.post(
        f"{page}/events/return_to_draft", {"version": old_version, "reason": "x"}, page=page
    )
    assert response.status_code == 409
    assert "Traceback" not in response.get_data(as_text=True)
    assert _state(selection.id) == "approval"


def test_a_role_not_allowed_gets_403(app, client, browser) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    ppk = make_user(Role.PPK, agency)
    browser.login(ppk.email, PASSWORD)
    page = f"/selections/{selection.id}"
    assert "Kirim rencana" not in client.get(page).get_data(as_text=True)
    response = browser.post(
        f"{page}/events/submit_for_approval", {"version": selection.version}, page=page
    )
    assert response.status_code == 403
    assert _state(selection.id) == "draft"


def test_missing_csrf_or_bad_version_is_refused(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    url = f"/selections/{selection.id}/events/submit_for_approval"
    assert client.post(url, data={"version": selection.version}).status_code == 400
    response = browser.post(url, {"version": "abc"}, page=f"/selections/{selection.id}")
    assert response.status_code == 400
    assert _state(selection.id) == "draft"
