"""The public board at /, its Atom feed and PDFs: only what an agency has published."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import sqlalchemy as sa

from openbid import clock, demo
from openbid.extensions import db
from openbid.models import IssuedDocument, Selection, SelectionState, StoredFile
from openbid.stages.overview import PUBLIC_KINDS
from tests.announcement_support import (
    MovableClock,
    apply,
    install_clock,
    published,
    to_approval,
    wib,
)
from tests.factories import make_agency, make_selection

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Today is 20 November 2018 unless a test moves it."""
    return install_clock(monkeypatch)


def _demo_selection() -> Selection:
    return demo.demo_selection()  # Kota Tangerang's; the demo's other agency has its own


def _documents(selection: Selection | None = None) -> list[IssuedDocument]:
    """Return the issued documents, of one selection or of all (both demo agencies')."""
    stmt = sa.select(IssuedDocument).order_by(IssuedDocument.id)
    if selection is not None:
        stmt = stmt.where(IssuedDocument.selection_id == selection.id)
    return list(db.session.scalars(stmt))


def _unpublished() -> tuple[Selection, Selection]:
    """Return a draft selection and one waiting for approval, titled so a page can't hide them."""
    agency = make_agency()
    draft, _ = make_selection(agency)
    waiting, secretariat = make_selection(agency)
    to_approval(waiting, secretariat)
    draft.title, waiting.title = "Rancangan Rahasia Draf", "Rencana Menunggu Persetujuan"
    db.session.commit()
    return draft, waiting


def test_the_board_shows_open_posts_requirements_and_the_deadline_in_wib(
    app, client, stages, movable_clock
) -> None:
    stages.demo("announcement")
    selection = _demo_selection()
    movable_clock.set(wib(2018, 11, 25, 10))
    html = client.get("/?lang=id").get_data(as_text=True)
    assert selection.title in html
    for post in selection.positions:
        assert post.name in html
    closes = clock.to_jakarta(selection.registration_closes_at)
    assert f"Pendaftaran ditutup {closes.day} Desember 2018 pukul {closes:%H.%M} WIB" in html
    # The announcement's general requirements and the documents to upload.
    assert "Usia paling tinggi" in html and "Pegawai Negeri Sipil" in html
    [announcement] = [d for d in _documents(selection) if d.kind == "announcement"]
    assert f"/documents/{announcement.verification_code}.pdf" in html
    assert f"/verify/{announcement.verification_code}" in html
    assert 'href="/auth/login"' in html and 'href="/portal/register"' in html


def test_after_the_window_closes_the_selection_is_listed_as_under_way(
    app, client, stages, movable_clock
) -> None:
    stages.demo("administrative_screening")
    movable_clock.set(wib(2019, 1, 5))
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "No selection is taking applications at the moment." in html
    assert _demo_selection().title in html
    assert "Administrative screening" in html or "administrative" in html.lower()


def test_only_public_documents_of_published_selections_appear(
    app, client, stages, movable_clock
) -> None:
    setup = stages.at("assessment")
    draft, waiting = _unpublished()
    movable_clock.set(wib(2018, 12, 20))
    html = client.get("/").get_data(as_text=True)
    feed = client.get("/feed.atom").get_data(as_text=True)
    for page in (html, feed):
        assert draft.title not in page and waiting.title not in page
        assert setup.selection.title in page
    kinds = {d.kind: d for d in _documents()}
    assert {"announcement", "screening_announcement"} <= set(kinds)
    minutes = kinds["screening_minutes"]  # minutes stay with the staff and the auditors
    for page in (html, feed):
        assert minutes.number not in page and minutes.verification_code not in page
        for kind in ("announcement", "screening_announcement"):
            assert kinds[kind].verification_code in page
    pdf = client.get(f"/documents/{kinds['screening_announcement'].verification_code}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert client.get(f"/documents/{minutes.verification_code}.pdf").status_code == 404
    assert client.get("/documents/NOTAC-ODE00.pdf").status_code == 404


def test_a_document_of_a_selection_not_yet_published_is_not_public(app, client) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    document = IssuedDocument(
        agency_id=agency.id,
        selection_id=selection.id,
        kind="announcement",
        series="announcement",
        year=2018,
        seq=1,
        number="800/99-Pansel/2018",
        title="Pengumuman",
        file_id=_a_file(),
        sha256="0" * 64,
        verification_code="ABCDE12345",
    )
    db.session.add(document)
    db.session.commit()
    assert "800/99-Pansel/2018" not in client.get("/").get_data(as_text=True)
    assert "ABCDE12345" not in client.get("/feed.atom").get_data(as_text=True)
    assert client.get("/documents/ABCDE12345.pdf").status_code == 404


def _a_file() -> int:
    stored = StoredFile(sha256="0" * 64, size=1, content_type="application/pdf")
    db.session.add(stored)
    db.session.flush()
    return stored.id


def test_the_feed_is_valid_atom_with_updated_times(app, client, stages, movable_clock) -> None:
    stages.demo("administrative_screening")
    response = client.get("/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own response, not untrusted
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    feed_updated = datetime.fromisoformat(root.findtext(f"{ATOM}updated"))
    assert feed_updated.tzinfo is not None
    entries = root.findall(f"{ATOM}entry")
    # Minutes and the oversight body's letters stay with the staff and the auditors.
    public = [d for d in _documents() if d.kind in PUBLIC_KINDS]
    assert len(public) < len(_documents())
    assert len(entries) == len(public)
    times = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated.utcoffset().total_seconds() == 7 * 3600  # WIB
        times.append(updated)
        hrefs = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert "/verify/" in hrefs["alternate"] and hrefs["enclosure"].endswith(".pdf")
    assert times == sorted(times, reverse=True) and feed_updated == times[0]


def test_login_from_the_board_and_the_old_addresses_still_work(app, client, browser) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/auth/login"' in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert client.get("/login", follow_redirects=True).status_code == 200


def _queries(client, url: str) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_board_and_feed_do_not_grow_queries_with_rows(app, client, movable_clock) -> None:
    agency = make_agency()
    first, secretariat = make_selection(agency, positions=1)
    published(first, secretariat, movable_clock, wib(2018, 11, 20, 9))
    apply(first.positions[0], submitted=1)
    movable_clock.set(wib(2018, 11, 25, 9))
    small = (_queries(client, "/"), _queries(client, "/feed.atom"))
    for _ in range(2):
        more, secretary = make_selection(agency, positions=3)
        published(more, secretary, movable_clock, wib(2018, 11, 21, 9))
        for post in more.positions:
            apply(post, submitted=2, drafts=1)
    movable_clock.set(wib(2018, 11, 25, 9))
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Selection.id)).where(
                Selection.state == SelectionState.ANNOUNCEMENT
            )
        )
        == 3
    )
    assert (_queries(client, "/"), _queries(client, "/feed.atom")) == small
