"""API v1 basics: tokens, JSON errors, 401/403/404/409/422, the OpenAPI document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from openbid.api.declare import ResponseDrift, check_json
from openbid.api.selection_schemas import SelectionSummarySchema
from openbid.extensions import db
from openbid.models import AuditEvent, Role, Selection
from tests.api.conftest import Api
from tests.factories import make_agency, make_selection, make_user


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_openapi_document_validates(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/selections/{selection_id}/events" in document["paths"]


def test_the_document_is_built_when_first_asked_for_and_once(app, client) -> None:
    smorest = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    assert smorest.spec.to_dict()["paths"] == {}  # starting an app documents nothing yet
    first = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/selections/{selection_id}/events" in smorest.spec.to_dict()["paths"]
    assert client.get("/api/v1/openapi.json").get_json() == first  # documented once, not twice
    assert [tag["name"] for tag in first["tags"]].count("api") == 1


def test_token_with_wrong_password_is_401_json(app, client) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    unknown = client.post("/api/v1/tokens", json={"email": "ghost@example.org", "password": "x"})
    assert unknown.get_json()["message"] == response.get_json()["message"]


def test_lang_in_the_query_chooses_the_language_as_on_the_pages(app, client) -> None:
    user = make_user(Role.SECRETARIAT, make_agency())
    body = {"email": user.email, "password": "nope"}

    def message(query: str = "", language: str | None = None) -> str:
        headers = {"Accept-Language": language} if language else {}
        answer = client.post(f"/api/v1/tokens{query}", json=body, headers=headers)
        assert answer.status_code == 401
        return answer.get_json()["message"]

    # Five tries: the token route's limit. The last one's header says English too.
    indonesian, english = message(), message("?lang=en")
    assert indonesian != english
    # ?lang= wins over Accept-Language, both ways; an unknown one falls back to the header.
    assert message("?lang=id", language="en") == indonesian
    assert message("?lang=en", language="id") == english
    assert message("?lang=xx", language="en") == english


@pytest.mark.parametrize(
    "body",
    [None, "not json", {"email": "a@b.c"}, {"email": "a@b.c", "password": "x", "admin": True}],
)
def test_bad_token_requests_say_what_is_wrong(client, body) -> None:
    if body is None or isinstance(body, str):
        response = client.post("/api/v1/tokens", data=body or "", content_type="text/plain")
        assert response.status_code == 400
    else:
        response = client.post("/api/v1/tokens", json=body)
        assert response.status_code == 422
    payload = response.get_json()
    assert payload["error"] and payload["message"]
    if isinstance(body, dict) and "admin" in body:
        assert payload["errors"][0]["code"] == "body.unknown_fields"
        assert "admin" in payload["errors"][0]["message"]


def test_no_token_or_revoked_token_is_401(app, client, api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    assert Api(client, None).get("/selections").status_code == 401
    assert Api(client, "obt_made_up").get("/selections").status_code == 401
    api = api_as(secretariat)
    assert api.get("/selections").status_code == 200
    assert api.delete("/tokens/current").status_code == 204
    response = api.get(f"/selections/{selection.id}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_errors_are_json_never_html(app, client, api_as) -> None:
    api = api_as(make_user(Role.SECRETARIAT, make_agency()))
    for response in (api.get("/nothing-here"), api.put("/selections"), api.get("/selections/999")):
        assert response.is_json, response.get_data(as_text=True)[:200]
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.AUDITOR])
def test_roles_that_may_not_create_selections_get_403(app, api_as, role) -> None:
    agency = make_agency()
    api = api_as(make_user(role, agency))
    before = _audit_count()
    response = api.post("/selections", json={"title": "X", "start_date": "2025-08-01"})
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["code"] == "access.role"
    assert _audit_count() == before


def test_event_errors_map_to_403_409_422_with_reasons(app, api_as) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency, committee=7, internal=4)
    api = api_as(secretariat)
    # 422: a guard fails, with its reason
    response = api.post(f"/selections/{selection.id}/events", json={"event": "submit_for_approval"})
    assert response.status_code == 422
    assert [e["code"] for e in response.get_json()["errors"]] == ["committee.internal_share"]
    # 409: not valid from this state
    response = api.post(f"/selections/{selection.id}/events", json={"event": "complete"})
    assert response.status_code == 409
    # 409: stale version
    response = api.post(
        f"/selections/{selection.id}/events",
        json={"event": "cancel", "data": {"reason": "x"}, "expected_version": 99},
    )
    assert response.status_code == 409
    # 403: a role not on the transition
    ppk = api_as(make_user(Role.PPK, agency))
    response = ppk.post(
        f"/selections/{selection.id}/events", json={"event": "cancel", "data": {"reason": "x"}}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Selection, selection.id).state == "draft"


def test_other_agency_sees_404(app, api_as) -> None:
    selection, _ = make_selection(make_agency())
    outsider = api_as(make_user(Role.SECRETARIAT, make_agency()))
    assert outsider.get(f"/selections/{selection.id}").status_code == 404
    assert outsider.get(f"/selections/{selection.id}/audit").status_code == 404


def test_create_selection_positions_committee_and_audit(app, api_as) -> None:
    agency = make_agency()
    secretariat = make_user(Role.SECRETARIAT, agency)
    api = api_as(secretariat)
    response = api.post("/selections", json={"title": "Seleksi 2025", "start_date": "2025-08-01"})
    assert response.status_code == 201
    created = response.get_json()
    assert created["workflow"] == {
        "key": "jpt-pratama-bkn",
        "version": 1,
        "title": created["workflow"]["title"],
    }
    sid = created["id"]
    response = api.post(
        f"/selections/{sid}/positions",
        json={"name": "Kepala Dinas", "unit": "Dinas", "min_rank": "IV/b"},
    )
    assert (
        response.status_code == 201
        and response.get_json()["positions"][0]["name"] == "Kepala Dinas"
    )
    member = make_user(Role.COMMITTEE, agency)
    response = api.post(
        f"/selections/{sid}/committee",
        json={
            "user_id": member.id,
            "committee_role": "chair",
            "is_internal": True,
            "position_title": "Sekda",
            "position_level": 2,
        },
    )
    assert response.status_code == 201
    trail = api.get(f"/selections/{sid}/audit").get_json()
    assert trail["intact"] is True
    assert [e["event"] for e in trail["events"]] == [
        "selection_created",
        "position_added",
        "committee_member_added",
    ]
    # KASN cannot apply to a 2025 start
    response = api.post(
        "/selections",
        json={"title": "X", "start_date": "2025-08-01", "workflow_key": "jpt-pratama-kasn"},
    )
    assert response.status_code == 422
    response = api.post("/selections", json={"title": "X", "start_date": "not a date"})
    assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == "body.format"


def test_an_answer_that_drifts_from_its_documented_schema_is_caught(app) -> None:
    drifted = {"id": 1, "title": "t", "year": 2018, "state": "draft", "workflow": {}}
    with pytest.raises(ResponseDrift, match="key"):
        # the workflow's key and version are required
        check_json(200, drifted, SelectionSummarySchema())
    check_json(200, {**drifted, "workflow": {"key": "k", "version": 1}}, SelectionSummarySchema())
