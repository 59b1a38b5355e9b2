"""API v1 plan settings (registration, schedule, weights), ETag/If-Match and 405's Allow."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, CommitteeMember, Position, Role, User
from tests.factories import make_agency, make_selection, make_user


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_405_names_the_allowed_methods(client) -> None:
    response = client.delete("/api/v1/selections")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.get_json()["error"] == "method_not_allowed"


def test_a_stale_if_match_is_412_and_writes_nothing(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    api = api_as(secretariat)
    read = api.get(f"/selections/{selection.id}")
    tag = read.headers["ETag"]
    assert tag.startswith(f'"selection-{selection.id}-v{read.get_json()["version"]}-')
    post = {"name": "Kepala Dinas Pendidikan", "unit": "Dinas Pendidikan"}
    added = api.post(f"/selections/{selection.id}/positions", json=post, headers={"If-Match": tag})
    assert added.status_code == 201, added.get_json()
    assert added.headers["ETag"] != tag
    # The answer's tag is the one a read gives now, for the selection and for its plan.
    assert api.get(f"/selections/{selection.id}").headers["ETag"] == added.headers["ETag"]
    assert api.get(f"/selections/{selection.id}/plan").headers["ETag"] == added.headers["ETag"]
    before = (_audit_count(), db.session.scalar(sa.select(sa.func.count(Position.id))))
    stale = api.post(
        f"/selections/{selection.id}/positions",
        json={**post, "name": "Kepala Dinas Kesehatan"},
        headers={"If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.get_json()["errors"][0]["code"] == "selection.stale"
    assert "Seleksi telah berubah" in stale.get_json()["message"]
    settings = api.put(
        f"/selections/{selection.id}/plan/registration",
        json={"min_applicants": 3},
        headers={"If-Match": tag, "Accept-Language": "en"},
    )
    assert settings.status_code == 412
    assert "The selection changed" in settings.get_json()["message"]
    db.session.expire_all()
    assert (_audit_count(), db.session.scalar(sa.select(sa.func.count(Position.id)))) == before
    event = api.post(
        f"/selections/{selection.id}/events",
        json={"event": "submit_for_approval"},
        headers={"If-Match": tag},
    )
    assert event.status_code == 412


def test_the_plan_is_set_through_the_api_with_the_pages_rules(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    api = api_as(secretariat)
    path = f"/selections/{selection.id}/plan"
    plan = api.get(path).get_json()
    assert plan["registration"]["length"] == 15 and plan["min_applicants"] == 4
    body = {
        "registration_length": 10,
        "registration_unit": "working",
        "closing_time": "16:00",
        "min_applicants": 3,
        "extension_length": 5,
        "extension_unit": "working",
        "extension_max_count": 1,
        "reference_date": "2018-12-01",
    }
    plan = api.put(f"{path}/registration", json=body).get_json()
    assert plan["registration"] == {
        "length": 10,
        "unit": "working",
        "closing_time": "16:00",
        "max_count": None,
    }
    assert plan["extension"]["max_count"] == 1 and plan["min_applicants"] == 3
    assert plan["age_reference"] == "2018-12-01"
    rows = [
        {"stage": "Pengumuman dan pendaftaran", "starts_on": "2018-11-19", "ends_on": "2018-12-03"},
        {"stage": "Wawancara akhir", "starts_on": "2019-01-07", "place": "Ruang Akhlakul Karimah"},
    ]
    plan = api.put(f"{path}/schedule", json={"rows": rows}).get_json()
    assert [r["stage"] for r in plan["schedule"]] == [r["stage"] for r in rows]
    weights = {"track_record": 15, "interview": 40, "paper": 20, "assessment": 25}
    plan = api.put(f"{path}/scoring", json={"weights": weights, "pass_marks": {"interview": 60}})
    assert plan.status_code == 200, plan.get_json()
    assert plan.get_json()["weights"] == {k: float(v) for k, v in weights.items()}
    assert plan.get_json()["pass_marks"] == {"interview": 60.0}

    # The stage's reasons, Indonesian first; nothing written on a refusal.
    before = _audit_count()
    bad = api.put(f"{path}/scoring", json={"weights": {**weights, "interview": 10}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["code"].startswith("scoring")
    rows_bad = [{"stage": "Wawancara akhir", "starts_on": "2019-01-07", "ends_on": "2019-01-01"}]
    late = api.put(f"{path}/schedule", json={"rows": rows_bad}, headers={"Accept-Language": "en"})
    assert late.status_code == 422 and "2019" in late.get_json()["message"]
    range_ = api.put(f"{path}/registration", json={"registration_length": 91})
    assert range_.get_json()["errors"][0]["code"] == "parameters.range"
    assert "bilangan bulat" in range_.get_json()["message"]
    assert _audit_count() == before


def test_only_the_agencys_planners_change_the_plan(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    member = make_user(Role.COMMITTEE, selection.agency)
    stranger = make_user(Role.SECRETARIAT, make_agency())
    body = {"min_applicants": 3}
    path = f"/selections/{selection.id}/plan/registration"
    assert api_as(member).put(path, json=body).status_code in (403, 404)
    assert api_as(stranger).put(path, json=body).status_code == 404
    assert api_as(stranger).get(f"/selections/{selection.id}/plan").status_code == 404


def test_posts_are_changed_and_removed_and_members_unseated(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency(), positions=2, committee=6)
    api = api_as(secretariat)
    path = f"/selections/{selection.id}"
    first, second = (p["id"] for p in api.get(path).get_json()["positions"])
    changed = api.put(
        f"{path}/positions/{first}", json={"name": "Kepala Dinas Perhubungan", "unit": "Dishub"}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["positions"][0]["name"] == "Kepala Dinas Perhubungan"
    blank = api.put(f"{path}/positions/{first}", json={"name": " ", "unit": "Dishub"})
    assert blank.status_code == 422 and blank.get_json()["errors"][0]["code"] == "position.name"
    removed = api.delete(f"{path}/positions/{second}")
    assert [p["id"] for p in removed.get_json()["positions"]] == [first]
    assert api.delete(f"{path}/positions/{second}").status_code == 422  # gone already
    seat = removed.get_json()["committee"][-1]["id"]
    unseated = api.delete(f"{path}/committee/{seat}")
    assert seat not in [m["id"] for m in unseated.get_json()["committee"]]
    member = api_as(make_user(Role.COMMITTEE, selection.agency))
    assert member.delete(f"{path}/positions/{first}").status_code in (403, 404)
    stranger = api_as(make_user(Role.SECRETARIAT, make_agency()))
    assert (
        stranger.put(f"{path}/positions/{first}", json={"name": "x", "unit": "y"}).status_code
        == 404
    )


def test_a_new_person_is_seated_with_an_account_created_once(app, api_as, client) -> None:
    selection, secretariat = make_selection(make_agency(), committee=4)
    api = api_as(secretariat)
    ppk = make_user(Role.PPK, selection.agency)
    member = api_as(selection.committee[0].user)
    path = f"/selections/{selection.id}/committee"
    seat = {
        "committee_role": "member",
        "is_internal": False,
        "position_title": "Guru Besar",
        "position_level": 4,
        "institution": "Universitas Indonesia",
    }
    counts = (User.id, CommitteeMember.id, AuditEvent.id)

    def written() -> tuple[int, ...]:
        db.session.expire_all()
        return tuple(db.session.scalar(sa.select(sa.func.count(c))) for c in counts)

    before = written()
    taken = api.post(f"{path}?lang=en", json={**seat, "new_name": "X", "new_email": ppk.email})
    assert taken.status_code == 422 and taken.get_json()["errors"][0]["code"] == (
        "committee.email_taken"
    )
    assert "already has an account" in taken.get_json()["message"]
    nobody = api.post(path, json=seat)
    assert [e["code"] for e in nobody.get_json()["errors"]] == [
        "committee.new_name",
        "committee.new_email",
    ]
    invalid = api.post(path, json={**seat, "new_name": "Prof. Y", "new_email": "bukan-email"})
    assert invalid.get_json()["errors"][0]["code"] == "committee.email_invalid"
    not_committee = api.post(path, json={**seat, "user_id": ppk.id})
    assert not_committee.get_json()["errors"][0]["code"] == "committee.user"
    new = {**seat, "new_name": "Prof. Dr. Rina", "new_email": "rina@ui.example"}
    assert member.post(path, json=new).status_code in (403, 404)
    assert written() == before

    seated = api.post(path, json=new)
    assert seated.status_code == 201, seated.get_json()
    assert seated.headers["Cache-Control"] == "no-store"
    account = seated.get_json()["new_account"]
    assert account["email"] == "rina@ui.example"
    assert "Prof. Dr. Rina" in [m["name"] for m in seated.get_json()["committee"]]
    # The answer's tag is the selection's as read now; the password logs the person in.
    assert api.get(f"/selections/{selection.id}").headers["ETag"] == seated.headers["ETag"]
    login = {"email": account["email"], "password": account["initial_password"]}
    assert client.post("/api/v1/tokens", json=login).status_code == 201
    again = api.post(path, json=new)
    assert again.get_json()["errors"][0]["code"] == "committee.email_taken"
