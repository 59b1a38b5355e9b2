"""API v1 a selection's application list, per-rule outcomes and withdrawal: who sees what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid import demo
from openbid.extensions import db
from openbid.models import Application, AuditEvent, User


def _user(local: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == demo._email(local))).one()


def _application(local: str) -> Application:
    return db.session.scalars(
        sa.select(Application).join(User).where(User.email == demo._email(local))
    ).one()


@pytest.fixture
def screening(stages, app, api_as):
    """Return a login function once the demo selection is in administrative screening."""
    stages.demo("administrative_screening")
    return lambda local: api_as(_user(local), demo.PASSWORD)


def test_staff_list_the_applications_filtered_and_paginated(screening) -> None:
    lutfi = screening("lutfi")
    selection_id = demo.demo_selection().id
    path = f"/selections/{selection_id}/applications"
    everyone = lutfi.get(path)
    assert everyone.status_code == 200, everyone.get_json()
    body = everyone.get_json()
    assert body["total"] == len(body["applications"]) == 13 and body["pages"] == 1
    assert (
        'rel="first"' in everyone.headers["Link"] and 'rel="next"' not in everyone.headers["Link"]
    )
    too_old = _application("kandidat05").id
    by_rule = lutfi.get(f"{path}?rule=age").get_json()["applications"]
    assert [a["id"] for a in by_rule] == [too_old]
    assert "age" in by_rule[0]["failed_rules"] and by_rule[0]["rules_passed"] is False
    post = by_rule[0]["post"]["id"]
    by_post = lutfi.get(f"{path}?post={post}&state=pending").get_json()["applications"]
    assert by_post and {a["post"]["id"] for a in by_post} == {post}
    assert lutfi.get(f"{path}?state=lost").status_code == 400
    assert lutfi.get(f"{path}?page=0").status_code == 400
    # Page 2 of one page is the last page, and says so.
    assert lutfi.get(f"{path}?page=2").get_json()["page"] == 1
    # The PPK, the auditor and candidates do not screen: no list for them.
    for local in ("walikota", "auditor", "kandidat01"):
        assert screening(local).get(path).status_code in (403, 404), local


def test_per_rule_outcomes_for_staff_and_for_the_candidate_only(screening) -> None:
    too_old = _application("kandidat05").id
    other = _application("kandidat01").id
    own = screening("kandidat05").get(f"/applications/{too_old}/screening")
    assert own.status_code == 200, own.get_json()
    body = own.get_json()
    assert body["source"] == "rules" and body["rules_passed"] is False
    age = next(r for r in body["results"] if r["rule"] == "age")
    assert age["passed"] is False and age["data"]["birth_date"]
    assert age["reason"]["code"].startswith("eligibility.") and "usia" in age["reason"]["message"]
    # Another candidate's outcomes do not exist for them.
    assert screening("kandidat05").get(f"/applications/{other}/screening").status_code == 404
    assert screening("walikota").get(f"/applications/{other}/screening").status_code == 403

    # Once the committee decided, staff see the rules the verdict kept; the candidate still
    # sees only the rules on their own data (the verdict is published with the announcement).
    chair = screening("pansel.ketua")
    verdict = {"passed": False, "reason": "Usia melebihi batas maksimal."}
    assert chair.post(f"/applications/{too_old}/verdict", json=verdict).status_code == 200
    staff = chair.get(f"/applications/{too_old}/screening").get_json()
    assert staff["source"] == "verdict" and staff["verdict"]["passed"] is False
    assert any(r["rule"] == "age" and not r["passed"] for r in staff["results"])
    mine = screening("kandidat05").get(f"/applications/{too_old}/screening").get_json()
    assert mine["source"] == "rules" and mine["verdict"] is None


def test_withdrawal_is_the_candidates_own_and_follows_the_workflow(screening) -> None:
    own = _application("kandidat01")
    path = f"/applications/{own.id}/withdraw"
    mine, other, staff = screening("kandidat01"), screening("kandidat02"), screening("lutfi")
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))  # after the log-ins
    unconfirmed = mine.post(path, json={"confirm": False})
    assert unconfirmed.status_code == 422
    assert unconfirmed.get_json()["errors"][0]["code"] == "application.withdraw_unconfirmed"
    assert other.post(path, json={"confirm": True}).status_code == 404
    assert staff.post(path, json={"confirm": True}).status_code == 403
    # Screening has begun: the workflow's before_screening guard refuses, with its reason.
    late = mine.post(path, json={"confirm": True})
    assert late.status_code == 422 and late.get_json()["errors"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
    assert db.session.get(Application, own.id).state == "submitted"
