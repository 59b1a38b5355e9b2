"""The New selection and Plan pages, pressed like a person would, for every role."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, CommitteeMember, Position, Role, Selection, User
from openbid.workflow import fire
from tests.factories import PASSWORD, make_agency, make_selection, make_user


def _counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count(model.id)))
        for model in (AuditEvent, Position, CommitteeMember, User, Selection)
    )


def _english(client, browser, user: User) -> None:
    browser.login(user.email, PASSWORD)
    client.get("/home?lang=en")


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- new selection ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ADMIN])
def test_staff_create_a_selection_from_the_home_page(app, client, browser, role) -> None:
    agency = make_agency()
    user = make_user(role, agency)
    _english(client, browser, user)
    home = _text(client.get("/home"))
    assert 'href="/selections/new"' in home and 'href="/admin/holidays"' in home
    page = _text(client.get("/selections/new"))
    assert "Seleksi Terbuka JPT Pratama (rekomendasi KASN)" in page
    assert "Seleksi Terbuka JPT Pratama (pertimbangan teknis BKN)" in page
    response = browser.post(
        "/selections/new",
        {"title": "Seleksi Terbuka 2025", "start_date": "2025-02-03", "workflow": ""},
        page="/selections/new",
    )
    assert response.status_code == 303
    db.session.expire_all()
    selection = db.session.scalars(sa.select(Selection)).one()
    assert response.headers["Location"].endswith(f"/selections/{selection.id}/plan")
    assert (selection.workflow_key, selection.start_date.isoformat()) == (
        "jpt-pratama-bkn",
        "2025-02-03",
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": "", "start_date": "2018-11-19"}, "Enter a title for the selection."),
        (
            {"title": "Seleksi", "start_date": "2018-13-45"},
            "Enter a real date, such as 2018-12-03.",
        ),
        ({"title": "Seleksi", "start_date": ""}, "Enter the start date of the selection."),
        (
            {"title": "Seleksi", "start_date": "03-03-2025", "workflow": "jpt-pratama-kasn@1"},
            "this one starts on 03-03-2025.",
        ),
    ],
)
def test_a_bad_new_selection_shows_the_reason(app, client, browser, form, message) -> None:
    secretariat = make_user(Role.SECRETARIAT, make_agency())
    _english(client, browser, secretariat)
    before = _counts()
    response = browser.post("/selections/new", {"workflow": "", **form}, page="/selections/new")
    assert response.status_code == 422
    assert message in _text(response)
    assert _counts() == before


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.AUDITOR, Role.CANDIDATE])
def test_other_roles_cannot_create_selections(app, client, browser, role) -> None:
    agency = make_agency()
    user = make_user(role, None if role == Role.CANDIDATE else agency)
    browser.login(user.email, PASSWORD)
    assert client.get("/selections/new").status_code == 403
    before = _counts()
    response = browser.post(
        "/selections/new", {"title": "x", "start_date": "2018-11-19"}, page="/home"
    )
    assert response.status_code == 403
    assert _counts() == before


# --- the plan -----------------------------------------------------------------------------


def test_the_plan_page_shows_the_composition_check_live(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency(), committee=6, internal=3)
    _english(client, browser, secretariat)
    page = _text(client.get(f"/selections/{selection.id}/plan"))
    assert "The committee has 6 members; it must have an odd number." in page
    assert "3 of the 6 members are internal (50%); at most 45% may be internal." in page
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Send the plan to KASN", page)


def test_posts_are_added_edited_and_removed_through_the_page(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    response = browser.post(
        f"{plan}/positions",
        {"name": "Kepala Dinas Sosial", "unit": "Dinas Sosial", "level": "2", "min_rank": "IV/c"},
        page=plan,
    )
    assert response.status_code == 303
    db.session.expire_all()
    post = db.session.scalars(
        sa.select(Position).where(Position.name == "Kepala Dinas Sosial")
    ).one()
    assert post.min_rank == "IV/c"
    edit = f"{plan}/positions/{post.id}"
    assert "Kepala Dinas Sosial" in _text(client.get(edit))
    response = browser.post(
        edit,
        {
            "name": "Kepala Dinas Sosial",
            "unit": "Dinas Sosial Kota",
            "level": "2",
            "min_rank": "IV/b",
        },
        page=edit,
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Position, post.id).unit == "Dinas Sosial Kota"
    post_id = post.id
    assert browser.post(f"{edit}/remove", {}, page=plan).status_code == 303
    db.session.expire_all()
    assert db.session.get(Position, post_id) is None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "unit": "Dinas", "level": "2", "min_rank": "IV/b"},
         "Enter the name of the post."),
        ({"name": "X", "unit": "Dinas", "level": "2", "min_rank": "VI/z"},
         "VI/z is not a rank code"),
        ({"name": "X", "unit": "Dinas", "level": "abc", "min_rank": "IV/b"},
         "Choose the level of the post"),
    ],
)  # fmt: skip
def test_a_bad_post_is_shown_back_with_the_reason(app, client, browser, form, message) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    before = _counts()
    response = browser.post(f"{plan}/positions", form, page=plan)
    assert response.status_code == 422
    assert message in _text(response)
    assert f'value="{form["name"]}"' in _text(response) or not form["name"]
    assert _counts() == before


def test_seating_a_new_person_shows_the_initial_password_once(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency(), committee=0)
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    response = browser.post(
        f"{plan}/committee",
        {
            "user_id": "",
            "new_name": "Prof. Dr. Agus Salim, M.Si.",
            "new_email": "agus@untirta.example",
            "committee_role": "chair",
            "is_internal": "0",
            "position_title": "Guru Besar",
            "institution": "Universitas Sultan Ageng Tirtayasa",
            "position_level": "0",
        },
        page=plan,
    )
    assert response.status_code == 200
    match = re.search(r"initial password in person: (\S+) —", _text(response))
    assert match
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.email == "agus@untirta.example")).one()
    assert user.check_password(match.group(1)) and user.role == Role.COMMITTEE
    # It is not kept anywhere: the next page does not show it again.
    assert match.group(1) not in _text(client.get(plan))


def test_a_bad_seat_is_shown_back_with_the_reason(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    before = _counts()
    response = browser.post(
        f"{plan}/committee",
        {"user_id": "", "new_name": "Budi", "new_email": "not-an-email", "committee_role": "member",
         "is_internal": "0", "position_title": "", "position_level": "0"},
        page=plan,
    )  # fmt: skip
    assert response.status_code == 422
    page = _text(response)
    assert "not-an-email is not a valid email address." in page
    assert "Enter the member&#39;s position (jabatan)." in page
    assert _counts() == before


def test_schedule_scoring_and_registration_forms(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    response = browser.post(
        f"{plan}/schedule",
        {
            "rows-0-stage": "Pengumuman dan pendaftaran",
            "rows-0-starts_on": "2018-11-20",
            "rows-0-ends_on": "04-12-2018",
            "rows-1-stage": "",
            "rows-1-starts_on": "",
            "rows-1-ends_on": "",
            "rows-1-place": "",
        },
        page=plan,
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Selection, selection.id).schedule == [
        {"stage": "Pengumuman dan pendaftaran", "starts_on": "2018-11-20", "ends_on": "2018-12-04"}
    ]
    weights = {"weight_track_record": "25", "weight_interview": "35", "weight_paper": "15",
               "weight_assessment": "25", "pass_assessment": "68"}  # fmt: skip
    assert browser.post(f"{plan}/scoring", weights, page=plan).status_code == 303
    registration = {"registration_length": "15", "registration_unit": "working",
                    "closing_time": "16:00", "min_applicants": "4", "extension_length": "7",
                    "extension_unit": "calendar", "extension_max_count": "2"}  # fmt: skip
    assert browser.post(f"{plan}/registration", registration, page=plan).status_code == 303
    db.session.expire_all()
    params = db.session.get(Selection, selection.id).parameters
    assert params["weights"]["paper"] == 0.15 and params["pass_marks"] == {"assessment": 68}
    assert params["registration"] == {"unit": "working", "closing_time": "16:00"}


@pytest.mark.parametrize(
    ("url", "form", "message"),
    [
        ("schedule", {"rows-0-stage": "Wawancara", "rows-0-starts_on": "31-02-2018"},
         "Enter a real date, such as 2018-12-03."),
        ("schedule", {"rows-0-stage": "Wawancara", "rows-0-starts_on": "2018-12-20",
                      "rows-0-ends_on": "2018-12-19"}, "Row 1 ends on 19-12-2018"),
        ("scoring", {"weight_track_record": "20", "weight_interview": "35", "weight_paper": "20",
                     "weight_assessment": "20"},
         "The score weights add up to 95%; they must add up to 100%."),
        ("registration", {"registration_length": "lima belas"},
         "Enter a whole number, such as 15."),
        ("registration", {"closing_time": "24:30"}, "Enter the closing time as hours and minutes"),
    ],
)  # fmt: skip
def test_bad_plan_forms_show_the_reason_and_write_nothing(
    app, client, browser, url, form, message
) -> None:
    selection, secretariat = make_selection(make_agency())
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    before = _counts()
    response = browser.post(f"{plan}/{url}", form, page=plan)
    assert response.status_code == 422
    assert message in _text(response)
    assert _counts() == before
    db.session.expire_all()
    row = db.session.get(Selection, selection.id)
    assert (row.schedule, row.parameters) == ([], {})


def test_after_submission_the_plan_is_read_only(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    fire(selection, "submit_for_approval", secretariat)
    _english(client, browser, secretariat)
    plan = f"/selections/{selection.id}/plan"
    page = _text(client.get(plan))
    assert "Add the post" not in page and "Save the schedule" not in page
    before = _counts()
    response = browser.post(
        f"{plan}/positions",
        {"name": "Kepala Dinas Sosial", "unit": "Dinas Sosial", "level": "2", "min_rank": "IV/b"},
        page=f"/selections/{selection.id}",
    )
    assert response.status_code == 422
    assert "This can only be changed while the selection is in draft" in _text(response)
    assert _counts() == before


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK])
def test_committee_and_ppk_read_the_plan_but_cannot_change_it(app, client, browser, role) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    user = selection.committee[0].user if role == Role.COMMITTEE else make_user(role, agency)
    browser.login(user.email, PASSWORD)
    plan = f"/selections/{selection.id}/plan"
    response = client.get(plan)
    assert response.status_code == 200
    assert "Kepala Dinas 1" in _text(response)
    assert f'action="{plan}/positions"' not in _text(response)
    before = _counts()
    for url, form in [
        ("positions", {"name": "X", "unit": "Y", "level": "2", "min_rank": "IV/b"}),
        (f"positions/{selection.positions[0].id}/remove", {}),
        ("schedule", {}),
        ("scoring", {}),
        ("registration", {}),
        ("committee", {"new_name": "A", "new_email": "a@b.org"}),
    ]:
        assert browser.post(f"{plan}/{url}", form, page=plan).status_code == 403
    assert _counts() == before


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.CANDIDATE])
def test_auditors_and_candidates_do_not_reach_the_workspace(app, client, browser, role) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    user = make_user(role, None if role == Role.CANDIDATE else agency)
    browser.login(user.email, PASSWORD)
    assert client.get(f"/selections/{selection.id}/plan").status_code == 403


def test_another_agency_gets_404(app, client, browser) -> None:
    selection, _ = make_selection(make_agency())
    stranger = make_user(Role.SECRETARIAT, make_agency())
    browser.login(stranger.email, PASSWORD)
    plan = f"/selections/{selection.id}/plan"
    assert client.get(plan).status_code == 404
    before = _counts()
    response = browser.post(
        f"{plan}/positions", {"name": "X", "unit": "Y", "level": "2", "min_rank": "IV/b"}
    )
    assert response.status_code == 404
    assert _counts() == before


def _queries(app, client, url: str) -> int:
    seen = []

    def count(*_args) -> None:
        seen.append(1)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_plan_page_does_not_grow_queries_with_rows(app, client, browser) -> None:
    agency = make_agency()
    small, secretariat = make_selection(agency, positions=1, committee=5)
    large, _ = make_selection(agency, positions=6, committee=9, internal=4)
    browser.login(secretariat.email, PASSWORD)
    assert _queries(app, client, f"/selections/{small.id}/plan") == _queries(
        app, client, f"/selections/{large.id}/plan"
    )
