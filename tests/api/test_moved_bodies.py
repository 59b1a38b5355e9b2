"""The plan, approval-letter and oversight bodies as declared with marshmallow: each bad field
answers its body.* reason by name (JSON and multipart alike) and writes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Approval, AuditEvent
from tests.factories import make_agency, make_selection


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _reasons(response) -> list[tuple[str, str]]:
    return [(e["code"], e["message"]) for e in response.get_json()["errors"]]


def test_plan_bodies_refuse_a_string_number_and_an_unknown_weight(api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    api = api_as(secretariat)
    before = _count(AuditEvent)
    weights = {"track_record": 40, "interview": "30", "paper": 0, "assessment": 30, "bonus": 1}
    refused = api.put(f"/selections/{selection.id}/plan/scoring", json={"weights": weights})
    assert refused.status_code == 422
    codes = [code for code, _ in _reasons(refused)]
    assert codes == ["body.unknown_fields", "body.type"], _reasons(refused)
    assert "weights.bonus" in _reasons(refused)[0][1]
    assert "weights.interview" in _reasons(refused)[1][1]
    late = api.put(
        f"/selections/{selection.id}/plan/schedule",
        json={"rows": [{"stage": "Seleksi", "starts_on": "31-12-2025"}]},
        headers={"Accept-Language": "en"},
    )
    assert late.status_code == 422
    assert _reasons(late) == [("body.format", "Field rows.0.starts_on must be a date.")]
    assert _count(AuditEvent) == before


def test_a_multipart_letter_is_checked_as_its_json_twin_is(api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    api = api_as(secretariat)
    path = f"/selections/{selection.id}/approvals"
    letter = {"purpose": "shortlist_override", "letter_number": "1", "letter_date": "2025-08-01"}
    form = {**letter, "position_id": "abc", "signed_by": "x"}
    refused = api.post(path, json=None, data=form, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert [code for code, _ in _reasons(refused)] == ["body.unknown_fields", "body.type"]
    bad_purpose = api.post(path, json={**letter, "purpose": "waiver"})
    assert bad_purpose.status_code == 422
    assert _reasons(bad_purpose)[0][0] == "body.enum"
    no_post = api.post(path, json=letter)
    assert no_post.status_code == 422 and _reasons(no_post)[0][0] == "body.required"
    assert _count(Approval) == 0


def test_approval_and_plan_reads_carry_the_selection_etag(api_as) -> None:
    selection, secretariat = make_selection(make_agency())
    api = api_as(secretariat)
    tag = api.get(f"/selections/{selection.id}").headers["ETag"]
    assert api.get(f"/selections/{selection.id}/plan").headers["ETag"] == tag
    gates = api.get(f"/selections/{selection.id}/approval")
    assert gates.status_code == 200 and gates.headers["ETag"] == tag
    assert gates.get_json()["selection_id"] == selection.id
