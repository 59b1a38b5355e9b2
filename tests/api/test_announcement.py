"""API v1 the approval and announcement settings: required gates, election windows, and
dropping a post short of applicants, with the tabs' roles, states and reasons.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, AuditEvent, Position, Role, Selection
from tests.announcement_support import MovableClock, apply, install_clock, published, wib
from tests.factories import make_agency, make_selection, make_user


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Time under the test's control."""
    return install_clock(monkeypatch)


def _audit_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def _codes(response) -> list[str]:
    return [e["code"] for e in response.get_json()["errors"]]


def test_required_gates_and_election_windows(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    api = api_as(secretariat)
    path = f"/selections/{selection.id}/approval"
    read = api.get(path)
    assert read.status_code == 200 and read.get_json()["editable"] is True
    optional = [g["code"] for g in read.get_json()["gates"] if g["optional"]]
    assert "governor_letter" in optional
    marked = api.put(
        f"{path}/required-gates",
        json={"gates": ["governor_letter"]},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert marked.status_code == 200, marked.get_json()
    gate = next(g for g in marked.get_json()["gates"] if g["code"] == "governor_letter")
    assert gate["required"] is True and gate["required_by"] == "selection"
    assert marked.get_json()["required_gates"] == ["governor_letter"]

    before = _audit_count()
    required = next(g["code"] for g in read.get_json()["gates"] if not g["optional"])
    refused = api.put(f"{path}/required-gates", json={"gates": [required]})
    assert refused.status_code == 422 and _codes(refused) == ["approval.not_optional"]
    window = {"starts_on": "2019-06-01", "ends_on": "2019-01-01", "reason": "Pilkada"}
    reversed_ = api.post(f"{path}/election-windows?lang=en", json=window)
    assert reversed_.status_code == 422 and _codes(reversed_) == ["election.order"]
    assert reversed_.get_json()["message"] == (
        "The election window ends on 01-01-2019, before it starts on 01-06-2019."
    )
    blank = api.post(
        f"{path}/election-windows", json={**window, "ends_on": "2019-07-01", "reason": " "}
    )
    assert _codes(blank) == ["election.reason"]
    stale = api.put(
        f"{path}/required-gates", json={"gates": []}, headers={"If-Match": read.headers["ETag"]}
    )
    assert stale.status_code == 412
    assert api.delete(f"{path}/election-windows/1").status_code == 422  # there is none
    assert _audit_count() == before

    added = api.post(f"{path}/election-windows", json={**window, "starts_on": "2018-09-01"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["election_windows"] == [
        {"number": 1, "starts_on": "2018-09-01", "ends_on": "2019-01-01", "reason": "Pilkada"}
    ]
    removed = api.delete(f"{path}/election-windows/1")
    assert removed.status_code == 200 and removed.get_json()["election_windows"] == []
    db.session.expire_all()
    assert "election_windows" not in db.session.get(Selection, selection.id).parameters


def test_only_the_agencys_staff_change_the_gates(app, api_as) -> None:
    selection, _secretariat = make_selection(make_agency())
    path = f"/selections/{selection.id}/approval"
    ppk = api_as(make_user(Role.PPK, selection.agency))
    stranger = api_as(make_user(Role.SECRETARIAT, make_agency()))
    auditor = api_as(make_user(Role.AUDITOR, selection.agency))
    assert ppk.get(path).status_code == 200  # the workspace's roles read the tab
    before = _audit_count()
    assert ppk.put(f"{path}/required-gates", json={"gates": []}).status_code == 403
    window = {"starts_on": "2018-09-01", "ends_on": "2019-01-01", "reason": "Pilkada"}
    assert ppk.post(f"{path}/election-windows", json=window).status_code == 403
    assert stranger.get(path).status_code == 404
    assert stranger.post(f"{path}/election-windows", json=window).status_code == 404
    assert auditor.get(path).status_code == 403
    assert _audit_count() == before


def test_a_short_post_is_dropped_after_registration_closes(app, api_as, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency(), positions=2)
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    short = selection.positions[0].id
    apply(selection.positions[0], submitted=3)
    api = api_as(secretariat)
    ppk = api_as(make_user(Role.PPK, selection.agency))
    drop = f"/selections/{selection.id}/positions/{short}/drop"
    before = _audit_count()
    early = api.post(drop, json={"reason": "Pelamar kurang"})
    assert early.status_code == 422, early.get_json()  # registration is still open
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    blank = api.post(drop, json={"reason": " "})
    assert blank.status_code == 422 and _codes(blank) == ["drop.reason"]
    assert ppk.post(drop, json={"reason": "Pelamar kurang"}).status_code == 403
    # Settings of the approval stage are fixed once published.
    locked = api.put(f"/selections/{selection.id}/approval/required-gates", json={"gates": []})
    assert locked.status_code == 422 and _codes(locked) == ["approval.settings_locked"]
    assert _audit_count() == before

    dropped = api.post(drop, json={"reason": "Pelamar tetap 3 orang"})
    assert dropped.status_code == 200, dropped.get_json()
    posts = {p["id"]: p for p in dropped.get_json()["positions"]}
    assert posts[short]["dropped"] is True and posts[short]["drop_reason"]
    db.session.expire_all()
    assert not db.session.get(Position, short).is_open
    states = db.session.scalars(
        sa.select(Application.state).where(Application.position_id == short)
    )
    assert set(states) == {"closed"}
