"""Two agencies in one openbid: neither sees nor changes the other's selection.

The demo's two agencies (Kota and Kabupaten Tangerang) in administrative screening, from
the shared snapshot: each one's staff, PPK and committee are refused the other's pages and
API operations (403 or 404) and nothing changes; each agency numbers its own documents.
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid import demo, demo_stories
from openbid.extensions import db
from openbid.models import Application, AuditEvent, IssuedDocument, Position, Selection, User
from tests.conftest import Browser

DENIED = {403, 404}
KAB = demo_stories.KABUPATEN


def _user(story, local: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == story.email(local))).one()


def _application(selection: Selection) -> Application:
    return db.session.scalars(
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == selection.id)
        .order_by(Application.id)
    ).first()


def _snapshot() -> tuple:
    db.session.expire_all()
    return (
        # Logging in and taking a token are audited too; the selections' chains must not grow.
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.selection_id.is_not(None))
        ),
        tuple(db.session.execute(sa.select(Selection.id, Selection.state, Selection.version))),
        tuple(db.session.execute(sa.select(Application.id, Application.state))),
    )


def test_staff_of_one_agency_cannot_see_or_change_the_others_selection(
    stages, app, client, browser, api_as
) -> None:
    stages.demo("administrative_screening")
    kota, kab = demo.story_selection(demo.KOTA), demo.story_selection(KAB)
    theirs = _application(kota)
    document = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.selection_id == kota.id)
    ).first()
    before = _snapshot()
    browser.login(KAB.email(KAB.secretariat), demo.PASSWORD)
    assert client.get(f"/selections/{kab.id}").status_code == 200  # their own: allowed
    assert kota.title not in client.get("/home").get_data(as_text=True)
    for path in (
        f"/selections/{kota.id}",
        f"/selections/{kota.id}/screening",
        f"/selections/{kota.id}/documents",
        f"/selections/{kota.id}/documents/{document.id}",
    ):
        assert client.get(path).status_code in DENIED, path
    page = f"/selections/{kab.id}"
    for path, form in (
        (f"/selections/{kota.id}/events/close_screening", {"version": str(kota.version)}),
        (
            f"/selections/{kota.id}/screening/{theirs.id}/verdict",
            {"passed": "1", "reason": "", "version": str(theirs.version)},
        ),
    ):
        assert browser.post(path, form, page=page).status_code in DENIED, path
    api = api_as(_user(KAB, KAB.secretariat), demo.PASSWORD)
    listed = api.get("/selections").get_json()
    assert [s["id"] for s in listed["selections"]] == [kab.id]
    assert api.get(f"/selections/{kota.id}").status_code in DENIED
    assert api.get(f"/applications/{theirs.id}").status_code in DENIED
    event = api.post(f"/selections/{kota.id}/events", json={"event": "close_screening"})
    assert event.status_code in DENIED
    verdict = api.post(f"/applications/{theirs.id}/verdict", json={"passed": True})
    assert verdict.status_code in DENIED
    assert _snapshot() == before


def test_the_ppk_and_committee_of_one_agency_are_refused_the_others(stages, app, api_as) -> None:
    stages.demo("administrative_screening")
    kota, kab = demo.story_selection(demo.KOTA), demo.story_selection(KAB)
    before = _snapshot()
    for story, local, own, other in (
        (demo.KOTA, demo.KOTA.ppk, kota, kab),
        (KAB, KAB.ppk, kab, kota),
        (demo.KOTA, "pansel.ketua", kota, kab),
    ):
        user = _user(story, local)
        client = app.test_client()  # a session of its own per person
        Browser(client).login(user.email, demo.PASSWORD)
        assert client.get(f"/selections/{own.id}").status_code == 200, local
        assert client.get(f"/selections/{other.id}").status_code in DENIED, local
        assert client.get(f"/selections/{other.id}/screening").status_code in DENIED, local
        api = api_as(user, demo.PASSWORD)
        assert api.get(f"/selections/{other.id}").status_code in DENIED, local
    assert _snapshot() == before


def test_each_agency_numbers_its_documents_in_its_own_series(stages, app) -> None:
    stages.demo("administrative_screening")
    numbers = {}
    for story in (demo.KOTA, KAB):
        selection = demo.story_selection(story)
        numbers[story.agency["code"]] = db.session.scalars(
            sa.select(IssuedDocument.number).where(
                IssuedDocument.selection_id == selection.id, IssuedDocument.kind == "announcement"
            )
        ).all()
    # Both announced on the same day; each agency's counter starts at 1 in its own pattern.
    assert numbers == {
        demo.AGENCY_CODE: ["800/01-Pansel/2018"],
        KAB.agency["code"]: ["800/01-Pansel.Kab/2018"],
    }
