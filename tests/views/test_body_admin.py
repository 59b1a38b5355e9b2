"""An oversight body's administrator manages its own reviewers; nobody else can."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import ApiToken, AuditEvent, Role, User
from openbid.stages import accounts, oversight
from openbid.workflow import Forbidden
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_agency, make_user
from tests.oversight_support import kasn

PAGE = "/admin/body/"


@pytest.fixture
def bodies(app):
    """KASN (Banten) with its administrator and a reviewer; BKN with its own administrator."""
    body, reviewer = kasn()
    make_agency(province="Banten", name="Pemerintah Kabupaten Contoh")
    admin = oversight.create_reviewer(
        body, email="admin@kasn.example", name="Admin KASN", password=PASSWORD, admin=True
    )
    bkn = oversight.create_body(
        code="BKN", name="Badan Kepegawaian Negara", numbering_pattern="{seq}/BKN/{year}"
    )
    other = oversight.create_reviewer(
        bkn, email="admin@bkn.example", name="Admin BKN", password=PASSWORD, admin=True
    )
    return body, admin, reviewer, other


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_administrator_sees_the_scope_and_creates_a_reviewer(bodies, client, browser) -> None:
    _body, admin, reviewer, _other = bodies
    browser.login(admin.email, PASSWORD)
    page = _text(client.get(PAGE + "?lang=en"))
    assert "Banten" in page and "Pemerintah Kabupaten Contoh" in page
    assert reviewer.email in page and "admin@bkn.example" not in page
    assert "Komisi Aparatur Sipil Negara" in page  # the body's own certificate signs
    response = browser.post(
        PAGE + "reviewers",
        {"name": "Budi Santoso", "email": "budi@kasn.example", "title": "Analis"},
        page=PAGE,
    )
    assert response.status_code == 200
    password = re.search(r"(?:langsung|in person): ([\w-]+)", _text(response)).group(1)
    created = db.session.scalars(sa.select(User).where(User.email == "budi@kasn.example")).one()
    assert created.role == Role.OVERSIGHT and created.oversight_body_id == admin.oversight_body_id
    assert created.check_password(password) and not created.body_admin
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.event == "user_created")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == admin.id and event.subject_id == created.id


def test_a_bad_reviewer_is_refused_in_indonesian_with_nothing_written(
    bodies, client, browser
) -> None:
    _body, admin, reviewer, _other = bodies
    browser.login(admin.email, PASSWORD)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = browser.post(
        PAGE + "reviewers", {"name": "", "email": reviewer.email, "title": ""}, page=PAGE
    )
    assert response.status_code == 422
    text = _text(response)
    assert "error-summary" in text
    assert "Isi nama peninjau." in text and "sudah memiliki akun" in text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
    response = client.post(PAGE + "reviewers", data={"name": "X", "email": "x@kasn.example"})
    assert response.status_code == 400  # no CSRF token
    english = browser.post(PAGE + "reviewers?lang=en", {"name": "", "email": "nope"}, page=PAGE)
    assert "Enter the reviewer&#39;s name." in _text(english)


def test_deactivating_and_resetting_end_the_reviewers_logins(bodies, client, browser) -> None:
    _body, admin, reviewer, _other = bodies
    db.session.add(
        ApiToken(
            user_id=reviewer.id, token_hash="x" * 64, expires_at=datetime(2100, 1, 1, tzinfo=UTC)
        )
    )
    db.session.commit()
    browser.login(admin.email, PASSWORD)
    response = browser.post(f"{PAGE}reviewers/{reviewer.id}/deactivate", page=PAGE)
    assert response.status_code == 303
    db.session.refresh(reviewer)
    assert not reviewer.active and reviewer.session_generation == 1
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == reviewer.id)).one()
    assert token.revoked_at is not None
    browser.post(f"{PAGE}reviewers/{reviewer.id}/reactivate", page=PAGE)
    db.session.refresh(reviewer)
    assert reviewer.active
    response = browser.post(f"{PAGE}reviewers/{reviewer.id}/reset-password", page=PAGE)
    password = re.search(r"(?:langsung|in person): ([\w-]+)", _text(response)).group(1)
    db.session.refresh(reviewer)
    assert reviewer.check_password(password) and not reviewer.check_password(PASSWORD)
    events = db.session.scalars(
        sa.select(AuditEvent.event).where(
            AuditEvent.subject_id == reviewer.id, AuditEvent.subject_type == "user"
        )
    ).all()
    assert {"reviewer_deactivated", "reviewer_reactivated", "reviewer_password_reset"} <= set(
        events
    )
    # The administrator cannot lock themselves out.
    response = browser.post(f"{PAGE}reviewers/{admin.id}/deactivate", page=PAGE)
    assert response.status_code == 422
    assert db.session.get(User, admin.id).active


def test_nobody_else_administers_the_body(bodies, client, browser) -> None:
    _body, admin, reviewer, other = bodies
    # Another body's administrator: KASN's accounts do not exist for it.
    browser.login(other.email, PASSWORD)
    for action in ("deactivate", "reactivate", "reset-password"):
        response = browser.post(f"{PAGE}reviewers/{reviewer.id}/{action}", page=PAGE)
        assert response.status_code == 404
    assert db.session.get(User, reviewer.id).active
    browser.post("/auth/logout", page=PAGE)
    # A plain reviewer, an agency admin: 403.
    agency_admin = make_user(Role.ADMIN, make_agency())
    db.session.commit()
    for user in (reviewer, agency_admin):
        browser.login(user.email, PASSWORD)
        assert client.get(PAGE).status_code == 403
        token = csrf_from(_text(client.get("/home", follow_redirects=True)))
        response = client.post(
            PAGE + "reviewers",
            data={"csrf_token": token, "name": "Y", "email": "y@kasn.example"},
        )
        assert response.status_code == 403
        client.post("/auth/logout", data={"csrf_token": token})
    assert client.get(PAGE).status_code in (302, 401)
    with pytest.raises(Forbidden):
        accounts.add_reviewer(reviewer, name="Z", email="z@kasn.example")
    assert db.session.scalar(sa.select(User.id).where(User.email.like("%y@kasn%"))) is None


def test_the_command_line_makes_the_first_administrator(app, runner) -> None:
    kasn()
    result = runner.invoke(
        args=[
            "oversight",
            "create-reviewer",
            "--body",
            "KASN",
            "--email",
            "boss@kasn.example",
            "--name",
            "Kepala",
            "--password",
            "panjang-sekali-1",
            "--admin",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "administrator boss@kasn.example" in result.output
    assert (
        db.session.scalars(sa.select(User).where(User.email == "boss@kasn.example"))
        .one()
        .body_admin
    )


def test_the_operator_sets_a_bodys_scope_and_the_administrator_sees_it(
    app, runner, client, browser
) -> None:
    body, _reviewer = kasn()
    admin = oversight.create_reviewer(
        body, email="admin@kasn.example", name="Admin", password=PASSWORD, admin=True
    )
    listed = make_agency(province="Jawa Barat", name="Pemerintah Kota Bogor Contoh")
    db.session.commit()
    result = runner.invoke(
        args=[
            "oversight",
            "set-scope",
            "--body",
            "KASN",
            "--agency",
            listed.code,
            "--service-level",
            "7",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.refresh(body)
    assert (body.provinces, body.agency_ids, body.service_level_days) == ([], [listed.id], 7)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "oversight_body_scope_changed")
    ).one()
    assert event.payload["before"]["provinces"] == ["Banten"]
    empty = runner.invoke(args=["oversight", "set-scope", "--body", "KASN"])
    assert empty.exit_code != 0 and "oversight.scope_empty" in empty.output
    browser.login(admin.email, PASSWORD)
    page = _text(client.get(PAGE + "?lang=en"))
    assert "Pemerintah Kota Bogor Contoh" in page and "7 working days" in page
