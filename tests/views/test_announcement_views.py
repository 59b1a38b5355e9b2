"""The Approval and Announcement tabs, pressed like a person would, for every role."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Application,
    Approval,
    AuditEvent,
    Position,
    RegistrationExtension,
    Role,
    Selection,
)
from tests.announcement_support import (
    MovableClock,
    apply,
    install_clock,
    published,
    record_kasn,
    to_approval,
    wib,
)
from tests.factories import PASSWORD, make_agency, make_selection, make_user
from tests.stage_factories import tiny_pdf


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Time under the test's control."""
    return install_clock(monkeypatch)


def _counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count(model.id)))
        for model in (Approval, AuditEvent, RegistrationExtension)
    )


def _fresh(selection: Selection) -> Selection:
    db.session.expire_all()
    return db.session.get(Selection, selection.id)


def _english(client, browser, user) -> None:
    browser.login(user.email, PASSWORD)
    client.get("/home?lang=en")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _letter(prefix: str = "", pdf: bytes | None = None, **fields: str) -> dict:
    key = f"{prefix}-" if prefix else ""
    data = {
        f"{key}number": "B-2781/KASN/11/2018",
        f"{key}letter_date": "2018-11-15",
        f"{key}subject": "Rekomendasi Rencana Seleksi Terbuka JPT Pratama",
        **{f"{key}{name}": value for name, value in fields.items()},
    }
    data[f"{key}pdf"] = (io.BytesIO(tiny_pdf() if pdf is None else pdf), "surat.pdf")
    return data


# --- approval -----------------------------------------------------------------------------


def test_record_the_letter_then_publish_through_the_pages(
    app, client, browser, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/approval"
    page = _text(client.get(page_url))
    assert "The KASN recommendation letter is not recorded yet." in page
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Publish the announcement", page)
    assert "registration would run 15 calendar days and close on 04-12-2018 23:59 WIB" in page

    response = browser.post(
        f"{page_url}/gates/kasn_recommendation", _letter("kasn_recommendation"), page=page_url
    )
    assert response.status_code == 303
    approval = db.session.scalars(sa.select(Approval)).one()
    assert approval.letter_number == "B-2781/KASN/11/2018" and approval.file is not None
    pdf = client.get(f"/selections/{selection.id}/letters/{approval.id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")

    page = _text(client.get(page_url))
    version = _fresh(selection).version
    response = browser.post(f"{page_url}/publish", {"version": version}, page=page_url)
    assert response.status_code == 303
    location = response.headers["Location"]  # a job (eager here): the overview's progress
    assert 'id="job"' in _text(client.get(location)) and "?job=" in location
    row = _fresh(selection)
    assert row.state == "announcement"
    announcement = _text(client.get(f"/selections/{selection.id}/announcement"))
    assert "20-11-2018 09:00 WIB" in announcement and "04-12-2018 23:59 WIB" in announcement


def test_publishing_before_the_letter_flashes_the_reason(
    app, client, browser, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/approval"
    response = browser.post(
        f"{page_url}/publish",
        {"version": _fresh(selection).version},
        page=page_url,
        follow_redirects=True,
    )
    assert "The KASN recommendation letter is not recorded yet." in _text(response)
    assert _fresh(selection).state == "approval"


@pytest.mark.parametrize(
    ("fields", "pdf", "message"),
    [
        ({}, b"<html>not a pdf</html>", "The file is not a PDF document, whatever its name says"),
        ({"letter_date": "2018-02-30"}, None, "Enter a real date, such as 2018-12-03."),
        ({"number": ""}, None, "Enter the letter&#39;s number."),
        ({"letter_date": "2019-01-01"}, None,
         "The letter is dated 01-01-2019, which is in the future."),
    ],
)  # fmt: skip
def test_a_bad_letter_is_shown_back_and_nothing_is_written(
    app, client, browser, movable_clock, fields, pdf, message
) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/approval"
    before = _counts()
    response = browser.post(
        f"{page_url}/gates/kasn_recommendation",
        _letter("kasn_recommendation", pdf, **fields),
        page=page_url,
    )
    assert response.status_code == 422
    assert message in _text(response)
    assert _counts() == before


def test_every_problem_of_a_letter_is_named_at_once(app, client, browser, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/approval"
    data = _letter("kasn_recommendation", b"GIF89a", number="", letter_date="31-11-2018")
    before = _counts()
    response = browser.post(f"{page_url}/gates/kasn_recommendation", data, page=page_url)
    assert response.status_code == 422
    page = _text(response)
    assert "Letter date: Enter a real date, such as 2018-12-03." in page
    assert "Enter the letter&#39;s number." in page
    assert "The file is not a PDF document" in page
    assert "Enter the letter&#39;s date." not in page
    assert _counts() == before


def test_a_required_letter_without_its_pdf_is_refused(app, client, browser, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/approval"
    data = _letter("kasn_recommendation")
    del data["kasn_recommendation-pdf"]
    before = _counts()
    response = browser.post(f"{page_url}/gates/kasn_recommendation", data, page=page_url)
    assert response.status_code == 422
    assert "Upload the scanned letter as a PDF; this letter is required." in _text(response)
    assert _counts() == before


def test_required_gates_and_election_windows_through_the_page(
    app, client, browser, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    record_kasn(selection, secretariat)
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/approval"
    assert (
        browser.post(
            f"{page_url}/required-gates", {"required": ["governor_letter"]}, page=page_url
        ).status_code
        == 303
    )
    assert "The governor&#39;s letter is not recorded yet." in _text(client.get(page_url))
    before = _counts()
    bad = browser.post(
        f"{page_url}/election-windows",
        {"starts_on": "2019-06-01", "ends_on": "2019-01-01", "reason": "Pilkada"},
        page=page_url,
    )
    assert bad.status_code == 422
    assert "The election window ends on 01-01-2019, before it starts on 01-06-2019." in _text(bad)
    assert _counts() == before
    good = browser.post(
        f"{page_url}/election-windows",
        {"starts_on": "2018-09-01", "ends_on": "2019-01-31", "reason": "Pilkada 2018"},
        page=page_url,
    )
    assert good.status_code == 303
    page = _text(client.get(page_url))
    assert "it is needed because the selection runs inside the election window" in page
    assert (
        browser.post(f"{page_url}/election-windows/0/remove", {}, page=page_url).status_code == 303
    )
    assert "election_windows" not in _fresh(selection).parameters


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK])
def test_committee_and_ppk_cannot_record_letters_or_publish(
    app, client, browser, movable_clock, role
) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    to_approval(selection, secretariat)
    user = selection.committee[0].user if role == Role.COMMITTEE else make_user(role, agency)
    browser.login(user.email, PASSWORD)
    page_url = f"/selections/{selection.id}/approval"
    page = client.get(page_url)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' not in _text(page)
    before = _counts()
    version = _fresh(selection).version
    posts = [
        (f"{page_url}/gates/kasn_recommendation", _letter("kasn_recommendation")),
        (f"{page_url}/required-gates", {"required": ["governor_letter"]}),
        (f"{page_url}/election-windows", {"starts_on": "2018-01-01", "ends_on": "2018-02-01"}),
        (f"{page_url}/publish", {"version": version}),
    ]
    for url, data in posts:
        assert browser.post(url, data, page=page_url).status_code == 403
    assert _counts() == before and _fresh(selection).state == "approval"


def test_the_admin_may_record_letters_but_only_the_secretariat_publishes(
    app, client, browser, movable_clock
) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    to_approval(selection, secretariat)
    admin = make_user(Role.ADMIN, agency)
    _english(client, browser, admin)
    page_url = f"/selections/{selection.id}/approval"
    response = browser.post(
        f"{page_url}/gates/kasn_recommendation", _letter("kasn_recommendation"), page=page_url
    )
    assert response.status_code == 303
    response = browser.post(
        f"{page_url}/publish", {"version": _fresh(selection).version}, page=page_url
    )
    assert response.status_code == 403
    assert _fresh(selection).state == "approval"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.CANDIDATE])
def test_auditors_and_candidates_are_refused(app, client, browser, movable_clock, role) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    to_approval(selection, secretariat)
    approval = record_kasn(selection, secretariat)
    user = make_user(role, None if role == Role.CANDIDATE else agency)
    browser.login(user.email, PASSWORD)
    base = f"/selections/{selection.id}"
    for url in ("/approval", "/announcement", f"/letters/{approval.id}"):
        assert client.get(base + url).status_code == 403
    assert browser.post(f"{base}/approval/publish", {"version": 1}, page="/home").status_code == 403


def test_another_agency_sees_nothing(app, client, browser, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    approval = record_kasn(selection, secretariat)
    stranger = make_user(Role.SECRETARIAT, make_agency())
    browser.login(stranger.email, PASSWORD)
    base = f"/selections/{selection.id}"
    for url in ("/approval", "/announcement", f"/letters/{approval.id}"):
        assert client.get(base + url).status_code == 404
    before = _counts()
    response = browser.post(
        f"{base}/approval/gates/kasn_recommendation",
        _letter("kasn_recommendation"),
        page="/home",
    )
    assert response.status_code == 404
    assert _counts() == before


def test_a_letter_of_another_selection_is_not_served(app, client, browser, movable_clock) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    other, _ = make_selection(agency)
    approval = record_kasn(other, secretariat)
    browser.login(secretariat.email, PASSWORD)
    assert client.get(f"/selections/{selection.id}/letters/{approval.id}").status_code == 404


# --- announcement -------------------------------------------------------------------------


def test_extend_then_drop_then_cancel_through_the_pages(
    app, client, browser, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    apply(selection.positions[0], submitted=3)
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/announcement"
    page = _text(client.get(page_url))
    assert "Registration is open until 04-12-2018 23:59 WIB; wait until it has closed." in page
    assert "short by 1" in page

    movable_clock.set(wib(2018, 12, 5, 8, 0))
    page = _text(client.get(page_url))
    assert "Kepala Dinas 1 has 3 applicants; at least 4 are needed." in page
    data = _letter(reason="Pelamar Kepala Dinas 1 kurang dari 4 orang")
    data["version"] = _fresh(selection).version
    response = browser.post(f"{page_url}/extend", data, page=page_url)
    assert response.status_code == 303
    extension = db.session.scalars(sa.select(RegistrationExtension)).one()
    assert extension.number == 1 and extension.approval.purpose == "extension"
    assert "05-12-2018 08:00" not in _text(client.get(page_url))  # shows the window, not now
    assert "11-12-2018 23:59 WIB" in _text(client.get(page_url))

    movable_clock.set(wib(2018, 12, 12, 8, 0))
    post = selection.positions[0].id
    response = browser.post(
        f"{page_url}/drop",
        {"drop-position_id": post, "drop-reason": "Pelamar tetap 3 orang",
         "version": _fresh(selection).version},
        page=page_url,
    )  # fmt: skip
    assert response.status_code == 303
    db.session.expire_all()
    assert not db.session.get(Position, post).is_open
    assert set(db.session.scalars(sa.select(Application.state))) == {"closed"}
    response = browser.post(
        f"{page_url}/close",
        {"version": _fresh(selection).version},
        page=page_url,
        follow_redirects=True,
    )
    assert (
        "Every post of this selection was dropped; it cannot go on and can only be cancelled."
        in _text(response)
    )
    assert _fresh(selection).state == "announcement"
    response = browser.post(
        f"/selections/{selection.id}/events/cancel",
        {"version": _fresh(selection).version, "reason": "Tidak ada jabatan yang tersisa"},
        page=page_url,
    )
    assert response.status_code == 303 and _fresh(selection).state == "cancelled"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"reason": ""}, "Say why registration is extended."),
        ({"pdf": b"not a pdf"}, "The file is not a PDF document"),
        ({"letter_date": "kemarin"}, "Enter a real date, such as 2018-12-03."),
    ],
)
def test_a_bad_extension_is_shown_back_and_nothing_is_written(
    app, client, browser, movable_clock, form, message
) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/announcement"
    pdf = form.pop("pdf", None)
    data = _letter(pdf=pdf, **{"reason": "Kurang pelamar", **form})
    data["version"] = _fresh(selection).version
    before = _counts()
    response = browser.post(f"{page_url}/extend", data, page=page_url)
    assert response.status_code == 422
    assert message in _text(response)
    assert _counts() == before
    assert _fresh(selection).registration_closes_at == wib(2018, 12, 4, 23, 59, 59)


def test_dropping_without_a_post_or_reason_says_so(app, client, browser, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/announcement"
    before = _counts()
    response = browser.post(
        f"{page_url}/drop",
        {"drop-position_id": "", "drop-reason": "", "version": _fresh(selection).version},
        page=page_url,
    )
    assert response.status_code == 422
    assert "Choose the post to drop." in _text(response)
    assert "Say why the post is dropped." in _text(response)
    assert _counts() == before


def test_closing_with_enough_applicants_starts_screening(
    app, client, browser, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    apply(selection.positions[0], submitted=4, drafts=1)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    _english(client, browser, secretariat)
    page_url = f"/selections/{selection.id}/announcement"
    response = browser.post(
        f"{page_url}/close", {"version": _fresh(selection).version}, page=page_url
    )
    assert response.status_code == 303
    assert _fresh(selection).state == "administrative_screening"
    # A stale page cannot press the button twice.
    response = browser.post(f"{page_url}/close", {"version": 1}, page=f"/selections/{selection.id}")
    assert response.status_code == 409


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.ADMIN])
def test_only_the_secretariat_extends_drops_and_closes(
    app, client, browser, movable_clock, role
) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    user = selection.committee[0].user if role == Role.COMMITTEE else make_user(role, agency)
    browser.login(user.email, PASSWORD)
    page_url = f"/selections/{selection.id}/announcement"
    assert client.get(page_url).status_code == 200
    before = _counts()
    version = _fresh(selection).version
    data = _letter(reason="x")
    data["version"] = version
    for url, payload in [
        ("extend", data),
        ("drop", {"drop-position_id": selection.positions[0].id, "drop-reason": "x",
                  "version": version}),
        ("close", {"version": version}),
    ]:  # fmt: skip
        assert browser.post(f"{page_url}/{url}", payload, page="/home").status_code == 403
    assert _counts() == before
    assert _fresh(selection).registration_closes_at == wib(2018, 12, 4, 23, 59, 59)


def _queries(client, url: str) -> int:
    seen = []

    def count(*_args) -> None:
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_pages_do_not_grow_queries_with_rows(app, client, browser, movable_clock) -> None:
    agency = make_agency()
    small, secretariat = make_selection(agency, positions=1)
    large, _ = make_selection(agency, positions=5)
    for selection in (small, large):
        published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    for position in large.positions:
        apply(position, submitted=2, drafts=1)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    for selection in (small, large):
        from openbid.stages import announcement

        announcement.extend_registration(
            selection,
            secretariat,
            reason="kurang",
            letter_number="B-1/KASN/2018",
            letter_date=wib(2018, 12, 4).date(),
            subject="Perpanjangan",
            pdf=tiny_pdf(),
        )
    browser.login(secretariat.email, PASSWORD)
    for tab in ("announcement", "approval"):
        assert _queries(client, f"/selections/{small.id}/{tab}") == _queries(
            client, f"/selections/{large.id}/{tab}"
        )
