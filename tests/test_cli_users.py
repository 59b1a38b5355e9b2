"""create-user: bad arguments are explained and nothing is written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, User
from tests.factories import make_agency


def _counts() -> tuple[int, int]:
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    return users, events


def _create(runner, **options: str):
    args = ["openbid", "create-user"]
    for name, value in options.items():
        args += [f"--{name}", value]
    return runner.invoke(args=args)


def test_create_user_writes_the_account_and_an_audit_event(app, runner) -> None:
    agency = make_agency(code="kota-contoh")
    before = _counts()
    result = _create(
        runner, email="Admin@Example.org", name="Rina", role="admin", agency=agency.code,
        password="panjang-sekali-123",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    assert user is not None and user.check_password("panjang-sekali-123")
    assert _counts() == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"email": "not-an-email"}, "--email"),
        ({"password": "short"}, "at least 10 characters"),
        ({"agency": "nowhere"}, "no agency 'nowhere'"),
        ({"agency": ""}, "belongs to an agency"),
        ({"name": "  "}, "enter a name"),
    ],
)
def test_bad_arguments_are_explained_and_nothing_is_written(app, runner, options, message) -> None:
    make_agency(code="kota-contoh")
    base = {
        "email": "staf@example.org",
        "name": "Staf",
        "role": "secretariat",
        "agency": "kota-contoh",
        "password": "panjang-sekali-123",
    }
    base.update(options)
    if base["agency"] == "":
        del base["agency"]
    before = _counts()
    result = _create(runner, **base)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert _counts() == before


def test_a_second_account_for_the_same_email_is_refused(app, runner) -> None:
    make_agency(code="kota-contoh")
    options = {
        "email": "staf@example.org", "name": "Staf", "role": "secretariat",
        "agency": "kota-contoh", "password": "panjang-sekali-123",
    }  # fmt: skip
    assert _create(runner, **options).exit_code == 0
    before = _counts()
    result = _create(runner, **options)
    assert result.exit_code == 2 and "already has an account" in result.output
    assert _counts() == before
