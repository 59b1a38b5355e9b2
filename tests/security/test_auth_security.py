"""Authentication hardening from issue #10: one log-in limit, sessions that end, cookies, mail."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from config import Config, ConfigError
from openbid.extensions import db
from openbid.models import LoginAttempt, Role
from openbid.stages import accounts
from tests.conftest import Browser
from tests.factories import PASSWORD, make_agency, make_user
from tests.portal.helpers import english, link_in, mail_to, outbox_files, read_eml

WRONG = "salah sekali 123"
NEW_PASSWORD = "Kata sandi baru 2024"


def _token_request(client, email: str, password: str):
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def _remember_login(browser: Browser, email: str):
    return browser.client.post(
        "/auth/login",
        data={
            "email": email,
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": browser.token(),
        },
    )


# --- 1. one limit for the web log-in and the API's token route ---------------------------


def test_api_token_route_is_limited_after_wrong_passwords(app, client) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    for _ in range(5):
        assert _token_request(client, user.email, WRONG).status_code == 401
    response = _token_request(client, user.email, PASSWORD)  # right, but too soon
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"] == "too_many_requests"
    assert body["errors"][0]["code"] == "login.rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 61


def test_forty_web_failures_then_the_right_password_is_429_on_the_api_too(app, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    statuses = [browser.login(user.email, WRONG).status_code for _ in range(40)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    assert browser.login(user.email, PASSWORD).status_code == 429
    response = _token_request(browser.client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_api_failures_limit_the_web_log_in(app, client, browser) -> None:
    english(client)
    user = make_user(Role.CANDIDATE)
    for _ in range(5):
        _token_request(client, user.email, WRONG)
    response = browser.login(user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.get_data(as_text=True)


def test_api_disabled_account_is_refused_without_a_token(app, client) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    user.active = False
    db.session.commit()
    response = _token_request(client, user.email, PASSWORD)
    assert response.status_code == 403
    assert "token" not in response.get_json()


def test_api_success_clears_the_failures(app, client) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    for _ in range(4):
        _token_request(client, user.email, WRONG)
    assert _token_request(client, user.email, PASSWORD).status_code == 201
    count = sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.email == user.email)
    assert db.session.scalar(count) == 0


# --- 2. log-out and password reset end sessions, remember cookies and tokens -------------


def _copy_cookies(source, target, *names: str) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


def test_session_cookie_copied_before_log_out_stops_working(app, client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    thief = app.test_client()
    _copy_cookies(client, thief, "session")
    assert thief.get("/home").status_code == 200  # the copy works while the session lives
    browser.post("/auth/logout")
    assert thief.get("/home").status_code == 302


def test_remember_cookie_copied_before_log_out_stops_working(app, client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    _remember_login(browser, user.email)
    thief = app.test_client()
    _copy_cookies(client, thief, "remember_token")  # no session: the remember cookie alone
    assert thief.get("/home").status_code == 200
    browser.post("/auth/logout")
    other = app.test_client()
    _copy_cookies(thief, other, "remember_token")
    assert other.get("/home").status_code == 302


def test_logging_in_again_after_log_out_works(app, client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    browser.post("/auth/logout")
    assert browser.login(user.email, PASSWORD).status_code == 302
    assert client.get("/home").status_code == 200


def test_password_reset_ends_every_session_remember_cookie_and_token(app, client) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    laptop = Browser(app.test_client())
    _remember_login(laptop, user.email)
    remembered = app.test_client()
    _copy_cookies(laptop.client, remembered, "remember_token")
    token = _token_request(client, user.email, PASSWORD).get_json()["token"]
    api_headers = {"Authorization": f"Bearer {token}"}
    assert laptop.client.get("/home").status_code == 200
    assert remembered.get("/home").status_code == 200
    assert client.get("/api/v1/selections", headers=api_headers).status_code == 200

    accounts.request_password_reset(user.email)
    path = link_in(mail_to(app, user.email)[0], "/portal/reset-password/")
    phone = Browser(app.test_client())
    response = phone.post(path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, path)
    assert response.status_code == 303

    assert laptop.client.get("/home").status_code == 302
    fresh = app.test_client()
    _copy_cookies(remembered, fresh, "remember_token")
    assert fresh.get("/home").status_code == 302
    assert client.get("/api/v1/selections", headers=api_headers).status_code == 401
    assert phone.login(user.email, NEW_PASSWORD).status_code == 302  # the new password works


def test_a_session_from_before_the_stamp_existed_is_refused(app, client, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    browser.login(user.email, PASSWORD)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # the old form: the id alone
    assert client.get("/home").status_code == 302


# --- 3. the remember cookie -----------------------------------------------------------


def test_remember_cookie_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("OPENBID_SECURE_COOKIES", "1")
    monkeypatch.delenv("OPENBID_REMEMBER_DAYS", raising=False)
    config = Config()
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SAMESITE == "Lax"
    assert config.REMEMBER_COOKIE_HTTPONLY is True
    assert config.REMEMBER_COOKIE_DURATION == timedelta(days=14)
    monkeypatch.setenv("OPENBID_SECURE_COOKIES", "0")
    monkeypatch.setenv("OPENBID_REMEMBER_DAYS", "30")
    config = Config()
    assert config.REMEMBER_COOKIE_SECURE is False
    assert config.REMEMBER_COOKIE_DURATION == timedelta(days=30)


@pytest.mark.parametrize("value", ["two weeks", "0", "-3", "3651"])
def test_malformed_remember_days_stops_start_up(tmp_path, monkeypatch, value) -> None:
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("OPENBID_REMEMBER_DAYS", value)
    with pytest.raises(ConfigError, match="OPENBID_REMEMBER_DAYS"):
        Config()


def test_remember_cookie_sent_with_lax_httponly_and_two_weeks(app, browser) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    response = _remember_login(browser, user.email)
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if "remember_token=" in h]
    assert "SameSite=Lax" in header and "HttpOnly" in header
    expires = parsedate_to_datetime(header.split("Expires=", 1)[1].split(";", 1)[0])
    lifetime = expires - datetime.now(UTC)
    assert timedelta(days=14) - timedelta(minutes=1) < lifetime <= timedelta(days=14)


# --- 8. the limit holds under concurrency (PostgreSQL) --------------------------------


@pytest.mark.postgres
def test_thirty_parallel_wrong_passwords_check_at_most_five(app, client) -> None:
    threads_n = 30
    user = make_user(Role.CANDIDATE)
    email = user.email
    db.session.remove()
    browsers = [Browser(app.test_client()) for _ in range(threads_n)]
    tokens = [b.token() for b in browsers]
    barrier = threading.Barrier(threads_n)
    statuses: list[int | str] = []
    lock = threading.Lock()

    def worker(browser: Browser, token: str) -> None:
        try:
            barrier.wait(timeout=30)
            response = browser.client.post(
                "/auth/login", data={"email": email, "password": WRONG, "csrf_token": token}
            )
            outcome: int | str = response.status_code
        except Exception as exc:
            outcome = repr(exc)
        with lock:
            statuses.append(outcome)

    threads = [
        threading.Thread(target=worker, args=pair) for pair in zip(browsers, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == threads_n and set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, statuses  # 401: the password was checked (and wrong)
    count = sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.email == email)
    assert db.session.scalar(count) == statuses.count(401)


# --- 10. reset links stay out of a production log ---------------------------------------


def test_production_log_does_not_carry_reset_links(app, caplog) -> None:
    caplog.set_level(logging.INFO, logger="openbid.mail")
    user = make_user(Role.CANDIDATE)
    app.testing, app.debug = False, False
    try:
        accounts.request_password_reset(user.email)
    finally:
        app.testing = True
    (path,) = outbox_files(app)
    assert "/portal/reset-password/" in link_in(read_eml(path), "/portal/reset-password/")
    assert "/portal/reset-password/" not in caplog.text
    assert path.name in caplog.text  # the log still says where the message went


def test_development_log_still_carries_the_link(app, caplog) -> None:
    caplog.set_level(logging.INFO, logger="openbid.mail")
    user = make_user(Role.CANDIDATE)
    accounts.request_password_reset(user.email)
    assert "/portal/reset-password/" in caplog.text
