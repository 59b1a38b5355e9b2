"""Log-in, log-out, CSRF, role homes and role gates through the web views."""

from __future__ import annotations

import pytest

from openbid import demo
from openbid.models import Role
from tests.factories import PASSWORD, make_agency, make_selection, make_user

HOME_TEXT = {
    "admin": "administrator",
    "secretariat": "secretariat",
    "ppk": "appointing official",
    "auditor": "read-only",
    "committee": "committee you sit on",
    "candidate": "applications",
    "oversight": "Waiting for Komisi Aparatur Sipil Negara",  # the reviewer's queue is home
}


def test_login_page_has_a_form_with_csrf(client) -> None:
    response = client.get("/auth/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert "Masuk" in html  # Indonesian by default


def test_every_demo_user_logs_in_and_sees_their_home(app, client, browser) -> None:
    demo.load()
    seen = set()
    for email, role in demo.logins():
        if role in seen:
            continue
        seen.add(role)
        response = browser.login(email, demo.PASSWORD)
        assert response.status_code == 302, (email, response.get_data(as_text=True))
        home = client.get("/home?lang=en", follow_redirects=True)
        assert home.status_code == 200
        assert HOME_TEXT[role] in home.get_data(as_text=True), role
        browser.post("/auth/logout", page=home.request.path)  # where /home led
        client.get("/lang/id")  # back to the default
    assert seen == set(HOME_TEXT)


def test_secretariat_sees_the_demo_selection(app, client, browser) -> None:
    demo.load()
    browser.login("lutfi@tangerangkota.example", demo.PASSWORD)
    home = client.get("/home").get_data(as_text=True)
    assert demo.SELECTION_TITLE in home
    selection = demo.demo_selection()
    detail = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    for name, _unit in demo.POSITIONS:  # every post of the selection is on its page
        assert name in detail, name
    assert "Dr. H. Bambang Supriyadi, M.Si." in detail  # the committee's chair


@pytest.mark.parametrize(
    ("email", "password"),
    [("lutfi@tangerangkota.example", "wrong password"), ("nobody@tangerangkota.example", "x")],
)
def test_wrong_password_or_unknown_user_gets_one_clear_message(
    app, client, browser, email, password
) -> None:
    demo.load()
    response = browser.login(email, password)
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Email atau kata sandi salah." in html
    assert "Traceback" not in html
    assert client.get("/home").status_code == 302  # still logged out


def test_missing_csrf_token_is_refused_with_a_message(app, client) -> None:
    demo.load()
    response = client.post(
        "/auth/login", data={"email": "lutfi@tangerangkota.example", "password": demo.PASSWORD}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "token keamanan" in html
    assert "Traceback" not in html
    assert client.get("/home").status_code == 302


def test_english_is_available(client) -> None:
    html = client.get("/auth/login?lang=en").get_data(as_text=True)
    assert "Log in to openbid" in html


def test_open_redirect_after_login_is_ignored(app, client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": browser.token()},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_logout_needs_post_and_csrf(app, client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no token
    assert client.get("/home").status_code == 200
    browser.post("/auth/logout")
    assert client.get("/home").status_code == 302


def test_disabled_account_cannot_log_in(app, browser) -> None:
    from openbid.extensions import db

    user = make_user(Role.SECRETARIAT, make_agency())
    user.active = False
    db.session.commit()
    response = browser.login(user.email, PASSWORD)
    assert response.status_code == 403


def test_workspace_is_closed_to_candidates_and_auditors(app, client, browser) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    for role in (Role.CANDIDATE, Role.AUDITOR):
        user = make_user(role, None if role == Role.CANDIDATE else agency)
        browser.login(user.email, PASSWORD)
        assert client.get(f"/selections/{selection.id}").status_code == 403
        browser.post("/auth/logout")


def test_workspace_hides_other_agencies_and_other_committees(app, client, browser) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    other_selection, _ = make_selection(agency)
    outsider = make_user(Role.SECRETARIAT, make_agency())
    browser.login(outsider.email, PASSWORD)
    assert client.get(f"/selections/{selection.id}").status_code == 404
    browser.post("/auth/logout")
    member_elsewhere = other_selection.committee[0].user
    browser.login(member_elsewhere.email, PASSWORD)
    assert client.get(f"/selections/{selection.id}").status_code == 404
    assert client.get(f"/selections/{other_selection.id}").status_code == 200


def test_anonymous_users_are_sent_to_log_in(client) -> None:
    response = client.get("/home")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert client.get("/selections/1").status_code == 302
