"""API v1 the frozen rankings, the users to seat on a committee, and the auditor's documents."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import IssuedDocument, Role
from tests.factories import make_agency, make_selection, make_user


def test_staff_read_each_posts_frozen_ranking_and_three_best(stages, api_as) -> None:
    setup = stages.at("appointment", per_post=4)
    path = f"/selections/{setup.selection.id}/ranking"
    body = api_as(setup.secretariat).get(path).get_json()
    assert body["shortlist_size"] == 3 and body["posts"]
    for post in body["posts"]:
        frozen = post["frozen"]
        assert frozen is not None and frozen["revision"] == 1
        assert 0 < len(frozen["shortlist"]) <= 3
        ranked = [r["application_id"] for r in frozen["ranking"] if r["qualified"]]
        assert frozen["shortlist"] == ranked[:3]
        assert all(r["combined"] and r["components"] for r in frozen["ranking"])
    member = setup.committee[0]
    assert api_as(member).get(path).status_code == 200
    candidate = setup.applications[0].candidate
    assert api_as(candidate).get(path).status_code == 404
    stranger = make_user(Role.SECRETARIAT, make_agency())
    assert api_as(stranger).get(path).status_code == 404


def test_an_auditor_lists_and_downloads_every_document(stages, api_as) -> None:
    setup = stages.at("appointment", per_post=4)
    auditor = make_user(Role.AUDITOR, setup.agency)
    api = api_as(auditor)
    listed = api.get(f"/selections/{setup.selection.id}/documents")
    assert listed.status_code == 200, listed.get_json()
    documents = listed.get_json()["documents"]
    issued = db.session.scalars(
        sa.select(IssuedDocument.id).where(IssuedDocument.selection_id == setup.selection.id)
    ).all()
    assert documents and sorted(d["id"] for d in documents) == sorted(issued)
    for document in documents:
        pdf = api.get(document["download_url"].split("/api/v1", 1)[1])
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", document["kind"]
    # Another agency's auditor sees none of it.
    other = api_as(make_user(Role.AUDITOR, make_agency()))
    assert other.get(f"/selections/{setup.selection.id}/documents").status_code == 404
    assert other.get(documents[0]["download_url"].split("/api/v1", 1)[1]).status_code == 404


def test_users_to_compose_a_committee_from(app, api_as) -> None:
    selection, secretariat = make_selection(make_agency(), committee=5)
    free = make_user(Role.COMMITTEE, selection.agency, name="Anggota Cadangan")
    make_user(Role.COMMITTEE, make_agency())  # another agency's: never offered
    path = f"/selections/{selection.id}/committee/candidates"
    users = api_as(secretariat).get(path).get_json()["users"]
    assert [u["id"] for u in users] == [free.id]
    member = selection.committee[0].user
    assert api_as(member).get(path).status_code == 403
    stranger = make_user(Role.ADMIN, make_agency())
    assert api_as(stranger).get(path).status_code == 404
