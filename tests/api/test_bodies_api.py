"""The API of an oversight body's administration and of committee-composition exceptions."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import CommitteeException, User
from openbid.stages import oversight
from tests.factories import PASSWORD, make_agency, make_selection
from tests.oversight_support import kasn

WHY = "Hanya enam pejabat yang memenuhi syarat dan bersedia menjadi anggota pansel."


def test_the_body_administrator_manages_reviewers_through_the_api(app, api_as) -> None:
    body, reviewer = kasn()
    admin = oversight.create_reviewer(
        body, email="admin@kasn.example", name="Admin", password=PASSWORD, admin=True
    )
    api = api_as(admin)
    plain = api_as(reviewer)
    assert plain.get("/oversight/body").status_code == 403  # a reviewer, no administrator
    data = api.get("/oversight/body").get_json()
    assert data["code"] == "KASN" and data["provinces"] == ["Banten"]
    assert {r["email"] for r in data["reviewers"]} == {admin.email, reviewer.email}
    created = api.post("/oversight/body/reviewers", {"name": "Budi", "email": "budi@kasn.example"})
    assert created.status_code == 201, created.get_json()
    new_id = created.get_json()["reviewer"]["id"]
    assert db.session.get(User, new_id).check_password(created.get_json()["initial_password"])
    taken = api.post("/oversight/body/reviewers", {"name": "B", "email": "budi@kasn.example"})
    assert taken.status_code == 422 and taken.get_json()["errors"][0]["code"] == "body_admin.email"
    off = api.post(f"/oversight/body/reviewers/{new_id}/deactivate")
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert api.post(f"/oversight/body/reviewers/{admin.id}/deactivate").status_code == 422
    reset = api.post(f"/oversight/body/reviewers/{reviewer.id}/reset-password")
    assert reset.status_code == 200 and reset.get_json()["initial_password"]
    assert plain.get("/oversight/queue").status_code == 401  # the reset ended its token
    # Another body's accounts do not exist for its administrator.
    bkn = oversight.create_body(code="BKN", name="BKN", numbering_pattern="{seq}/BKN/{year}")
    other = oversight.create_reviewer(
        bkn, email="admin@bkn.example", name="Admin BKN", password=PASSWORD, admin=True
    )
    stranger = api_as(other)
    assert stranger.post(f"/oversight/body/reviewers/{new_id}/reactivate").status_code == 404
    assert not db.session.get(User, new_id).active


def test_committee_exceptions_through_the_api(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency(), committee=6, internal=2)
    db.session.commit()
    url = f"/selections/{selection.id}/committee/exceptions"
    member = selection.committee[0].user
    refused = api_as(member).post(url, {"rule": "committee.size_even", "justification": WHY})
    assert refused.status_code == 403
    api = api_as(secretariat)
    short = api.post(url, {"rule": "committee.size_even", "justification": "singkat"})
    assert short.status_code == 422
    assert short.get_json()["errors"][0]["code"] == "committee_exception.justification"
    recorded = api.post(url, {"rule": "committee.size_even", "justification": WHY})
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["justification"] == WHY
    assert [e["rule"] for e in api.get(url).get_json()] == ["committee.size_even"]
    assert db.session.scalar(sa.select(sa.func.count(CommitteeException.id))) == 1
    sent = api.post(f"/selections/{selection.id}/events", {"event": "submit_for_approval"})
    assert sent.status_code == 200, sent.get_json()
