"""GET /selections/{id}/audit: pages by sequence number, a Link to the next, bad params 400."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid import audit, checkpoints
from openbid.audit import state
from openbid.extensions import db
from openbid.models import AuditEvent, Role
from tests.factories import make_agency, make_selection, make_user


def _selection_with(total: int):
    selection, secretary = make_selection(make_agency())
    chain = audit.chain_for(selection.id)
    have = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.chain == chain))
    for i in range(total - have):
        audit.append(
            db.session,
            event="note",
            actor=secretary,
            subject_type="selection",
            subject_id=selection.id,
            selection_id=selection.id,
            payload={"n": i},
        )
    db.session.commit()
    return selection, chain


def test_pages_follow_the_link_to_the_last_event(app, api_as) -> None:
    selection, _chain = _selection_with(250)
    api = api_as(make_user(Role.AUDITOR, selection.agency))
    path, seqs, links = f"/selections/{selection.id}/audit?limit=100", [], 0
    while path:
        response = api.get(path)
        assert response.status_code == 200
        body = response.get_json()
        assert body["intact"] and body["verified"]["seq"] == 250
        seqs += [e["seq"] for e in body["events"]]
        link = response.headers.get("Link")
        assert (link is None) == (body["next_after"] is None)
        if link is None:
            break
        links += 1
        assert link.endswith('>; rel="next"') and f"after={body['next_after']}" in link
        path = link[link.index("/api/v1") + len("/api/v1") : link.index(">")]
    assert seqs == list(range(1, 251)) and links == 2


def test_boundaries(app, api_as) -> None:
    selection, _chain = _selection_with(200)
    api = api_as(make_user(Role.AUDITOR, selection.agency))
    base = f"/selections/{selection.id}/audit"
    exact = api.get(f"{base}?after=100&limit=100")  # the last page is exactly full
    assert [e["seq"] for e in exact.get_json()["events"]] == list(range(101, 201))
    assert "Link" not in exact.headers and exact.get_json()["next_after"] is None
    one_short = api.get(f"{base}?after=99&limit=100")
    assert one_short.get_json()["next_after"] == 199 and "after=199" in one_short.headers["Link"]
    last = api.get(f"{base}?after=200")
    assert last.get_json()["events"] == [] and "Link" not in last.headers
    default = api.get(base).get_json()
    assert len(default["events"]) == 100 and default["next_after"] == 100
    biggest = api.get(f"{base}?limit=1000").get_json()
    assert len(biggest["events"]) == 200 and biggest["next_after"] is None


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("after=-1", "after"),
        ("after=abc", "after"),
        ("after=2147483648", "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
    ],
)
def test_bad_params_are_refused_and_nothing_is_written(app, api_as, query, name) -> None:
    selection, chain = _selection_with(5)
    api = api_as(make_user(Role.AUDITOR, selection.agency))
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    response = api.get(f"/selections/{selection.id}/audit?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and body["errors"][0]["code"] == f"query.{name}"
    assert body["message"].startswith(f"{name} harus bilangan bulat dari")
    english = api.client.get(
        f"/api/v1/selections/{selection.id}/audit?{query}",
        headers={**api.headers, "Accept-Language": "en"},
    )
    assert english.get_json()["message"].startswith(f"{name} must be a whole number from")
    assert not state.path_for(checkpoints.folder(), chain).exists()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events


def test_the_openapi_document_describes_the_pages(app, client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/selections/{selection_id}/audit"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["after"]["schema"]["minimum"] == 0
    assert params["limit"]["schema"]["maximum"] == 1000
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    # Declared once (a marshmallow schema): the answer refers to its component.
    schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert {"verified", "next_after", "events"} <= set(schema["properties"])
