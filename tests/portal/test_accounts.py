"""Registration, email confirmation, password reset and the log-in rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, LoginAttempt, OutboxMessage, Role, User
from openbid.rules.reasons import ValidationFailed
from openbid.stages import accounts
from tests.factories import PASSWORD, make_agency, make_user
from tests.portal.helpers import Clock, english, link_in, mail_to

EMAIL = "budi.santoso@pemkot-contoh.go.id"
STRONG = "Pelayanan prima 2019"


def register(
    browser, email: str = EMAIL, password: str = STRONG, again: str | None = None, **extra
):
    data = {
        "name": "Budi Santoso, S.T.",
        "email": email,
        "password": password,
        "password_again": password if again is None else again,
        **extra,
    }
    return browser.post("/portal/register", data, page="/portal/register")


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


# --- registration ---------------------------------------------------------------------


def test_register_creates_a_candidate_and_emails_a_confirmation_link(app, client, browser) -> None:
    response = register(browser)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/auth/login")
    page = client.get("/auth/login").get_data(as_text=True)
    assert EMAIL in page  # the flash names the address the link went to
    user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    assert user.role == Role.CANDIDATE and user.agency_id is None
    assert user.email_confirmed_at is None
    assert user.password_hash != STRONG
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == "account_registered"))
    assert event.chain == "system" and event.subject_id == user.id
    (message,) = mail_to(app, EMAIL)
    assert "/portal/confirm/" in link_in(message, "/portal/confirm/")
    assert message["From"] and message["Subject"]


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Pendek1", "at least 10 characters"),
        ("aaaaaaaaaaaa", "only one kind"),
        ("budi.santoso-2019", "your email address"),
        ("Santoso1234567", "your name"),
        ("password123", "too well known"),
        ("abab121212ab", "too few characters"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_broken(
    app, client, browser, password, expected
) -> None:
    english(client)
    before = user_count()
    response = register(browser, password=password)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert expected in html, html
    assert user_count() == before
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_password_rule_is_stated_on_the_form(client) -> None:
    english(client)
    html = client.get("/portal/register").get_data(as_text=True)
    assert "At least 10 characters" in html


def test_mismatched_passwords_and_bad_email_are_refused(app, client, browser) -> None:
    english(client)
    response = register(browser, again="Pelayanan prima 2020")
    assert response.status_code == 422
    response = register(browser, email="bukan-email")
    assert response.status_code == 422
    assert "Enter a valid email address" in response.get_data(as_text=True)
    assert user_count() == 0


def test_registering_a_taken_address_does_not_say_so_but_tells_the_owner(
    app, client, browser
) -> None:
    owner = make_user(Role.CANDIDATE)
    before = user_count()
    response = register(browser, email=owner.email.upper())
    assert response.status_code == 303  # the same answer as for a new address
    assert user_count() == before
    (notice,) = mail_to(app, owner.email)
    assert "/portal/forgot-password" in link_in(notice, "/portal/forgot-password")


def test_register_needs_a_csrf_token(app, client) -> None:
    response = client.post(
        "/portal/register",
        data={"name": "X", "email": EMAIL, "password": STRONG, "password_again": STRONG},
    )
    assert response.status_code == 400
    assert user_count() == 0


def test_confirmation_link_confirms_once(app, client, browser) -> None:
    register(browser)
    (message,) = mail_to(app, EMAIL)
    path = link_in(message, "/portal/confirm/")
    assert client.get(path).status_code == 302
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    confirmed = user.email_confirmed_at
    assert confirmed is not None
    assert client.get(path).status_code == 302  # following it again changes nothing
    db.session.expire_all()
    assert user.email_confirmed_at == confirmed
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "email_confirmed"))
    assert len(events.all()) == 1


def test_confirmation_link_expires_after_48_hours(app, client, browser, monkeypatch) -> None:
    clock = Clock(monkeypatch)
    english(client)
    register(browser)
    path = link_in(mail_to(app, EMAIL)[0], "/portal/confirm/")
    clock.move(hours=48, minutes=1)
    response = client.get(path)
    assert response.status_code == 400
    assert "48 hours" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.email_confirmed_at).where(User.email == EMAIL)) is None


def test_tampered_confirmation_link_is_refused(app, client, browser) -> None:
    english(client)
    register(browser)
    path = link_in(mail_to(app, EMAIL)[0], "/portal/confirm/")
    response = client.get(path[:-3] + "abc")
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_a_logged_in_candidate_can_ask_for_a_new_link(app, client, browser) -> None:
    register(browser)
    assert browser.login(EMAIL, STRONG).status_code == 302
    english(client)
    home = client.get("/home").get_data(as_text=True)
    assert "Confirm your email address" in home
    response = browser.post("/portal/confirmation/resend", page="/home")
    assert response.status_code == 303
    assert len(mail_to(app, EMAIL)) == 2


# --- password reset -----------------------------------------------------------------


def test_password_reset_link_works_once(app, client, browser) -> None:
    english(client)
    user = make_user(Role.SECRETARIAT, make_agency())  # staff forget passwords too
    response = browser.post(
        "/portal/forgot-password", {"email": user.email}, page="/portal/forgot-password"
    )
    assert response.status_code == 303
    path = link_in(mail_to(app, user.email)[0], "/portal/reset-password/")
    assert client.get(path).status_code == 200
    new = "Kata sandi baru 2024"
    response = browser.post(path, {"password": new, "password_again": new}, page=path)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert browser.login(user.email, new).status_code == 302
    browser.post("/auth/logout")
    again = client.get(path)  # the same link a second time
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.event == "password_reset"))


def test_password_reset_link_expires_after_an_hour(app, client, browser, monkeypatch) -> None:
    clock = Clock(monkeypatch)
    english(client)
    user = make_user(Role.CANDIDATE)
    accounts.request_password_reset(user.email)
    path = link_in(mail_to(app, user.email)[0], "/portal/reset-password/")
    clock.move(minutes=61)
    response = client.get(path)
    assert response.status_code == 400
    assert "one hour" in response.get_data(as_text=True)


def test_reset_refuses_a_weak_new_password_and_keeps_the_old_one(app, client, browser) -> None:
    user = make_user(Role.CANDIDATE)
    accounts.request_password_reset(user.email)
    path = link_in(mail_to(app, user.email)[0], "/portal/reset-password/")
    response = browser.post(
        path, {"password": "1234567890", "password_again": "1234567890"}, page=path
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_forgot_password_for_an_unknown_address_answers_the_same(app, client, browser) -> None:
    response = browser.post(
        "/portal/forgot-password", {"email": "nobody@example.org"}, page="/portal/forgot-password"
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_reset_emails_are_limited_per_hour(app) -> None:
    user = make_user(Role.CANDIDATE)
    for _ in range(accounts.MAX_RESET_EMAILS_PER_HOUR + 2):
        accounts.request_password_reset(user.email)
    sent = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.recipient == user.email)
    )
    assert sent == accounts.MAX_RESET_EMAILS_PER_HOUR


def test_tokens_are_bound_to_their_purpose(app) -> None:
    user = make_user(Role.CANDIDATE)
    with pytest.raises(ValidationFailed):
        accounts.user_for_reset_token(accounts.confirmation_token(user))
    with pytest.raises(ValidationFailed):
        accounts.confirm_email(accounts.reset_token(user))


# --- log-in rate limit -----------------------------------------------------------------


def test_sixth_wrong_password_in_a_minute_is_refused_even_when_right(app, client, browser) -> None:
    english(client)
    user = make_user(Role.CANDIDATE)
    for _ in range(5):
        assert browser.login(user.email, "salah sekali 123").status_code == 401
    response = browser.login(user.email, PASSWORD)  # right, but too soon
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many failed log-in attempts" in html and "seconds" in html
    assert client.get("/home").status_code == 302  # not logged in


def test_the_limit_lifts_after_a_minute_and_success_clears_it(app, browser, monkeypatch) -> None:
    clock = Clock(monkeypatch)
    user = make_user(Role.CANDIDATE)
    for _ in range(5):
        browser.login(user.email, "salah sekali 123")
    assert browser.login(user.email, PASSWORD).status_code == 429
    clock.move(seconds=61)
    assert browser.login(user.email, PASSWORD).status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.email == user.email)
        )
        == 0
    )


def test_unknown_accounts_are_limited_the_same_way(app, browser) -> None:
    for _ in range(5):
        assert browser.login("nobody@example.org", "salah sekali 123").status_code == 401
    response = browser.login("nobody@example.org", "salah sekali 123")
    assert response.status_code == 429  # the same answer as for a real account


def test_one_address_is_limited_across_accounts(app, browser) -> None:
    for n in range(20):
        assert browser.login(f"guess{n}@example.org", "salah sekali 123").status_code == 401
    user = make_user(Role.CANDIDATE)
    assert browser.login(user.email, PASSWORD).status_code == 429


def test_old_attempts_are_pruned(app, monkeypatch) -> None:
    clock = Clock(monkeypatch)
    accounts.record_failed_login("a@example.org", "10.0.0.1")
    clock.move(days=1, minutes=1)
    accounts.record_failed_login("b@example.org", "10.0.0.2")
    emails = db.session.scalars(sa.select(LoginAttempt.email)).all()
    assert emails == ["b@example.org"]


def test_login_page_links_to_registration_and_reset(client) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    assert "/portal/register" in html and "/portal/forgot-password" in html


def test_attempts_older_than_the_window_do_not_count(app, browser, monkeypatch) -> None:
    clock = Clock(monkeypatch)
    user = make_user(Role.CANDIDATE)
    for _ in range(4):
        browser.login(user.email, "salah sekali 123")
    clock.move(seconds=50)
    browser.login(user.email, "salah sekali 123")
    clock.move(seconds=15)  # the first four are now older than a minute
    assert browser.login(user.email, PASSWORD).status_code == 302
    assert timedelta(minutes=1) == accounts.LOGIN_WINDOW


def test_every_registration_problem_is_shown_at_once(app, client, browser) -> None:
    english(client)
    response = register(browser, email="bukan-email", password="pendek", again="lain")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The two passwords are not the same" in html
    assert "Enter a valid email address" in html
    assert "at least 10 characters" in html
    assert user_count() == 0
