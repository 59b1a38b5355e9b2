"""The declarations' contract: marshmallow's errors are the API's body.* reasons, and an answer
that does not fit its declared schema fails the test of its route."""

from __future__ import annotations

import marshmallow as ma
import pytest

from openbid.api.declare import ResponseDrift, check_json
from openbid.api.fields import MAX_INT, Body, Bool, Id, Int, Text, reasons_of
from openbid.api.jobs import JobSchema


class _Item(Body):
    name = Text(required=True)


class _Sample(Body):
    id = Id(required=True)
    count = Int()
    flag = Bool()
    title = Text(max_length=5)
    when = ma.fields.Date()
    items = ma.fields.List(ma.fields.Nested(_Item))


def _codes(data: dict) -> list[tuple[str, dict]]:
    schema = _Sample()
    return [(r.code, r.params) for r in reasons_of(schema.validate(data), schema)]


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({}, "body.required", "id"),
        ({"id": "5"}, "body.type", "id"),
        ({"id": 1.5}, "body.type", "id"),
        ({"id": 0}, "body.range", "id"),
        ({"id": MAX_INT + 1}, "body.range", "id"),
        ({"id": 1, "count": -MAX_INT - 2}, "body.range", "count"),
        ({"id": 1, "flag": 1}, "body.type", "flag"),
        ({"id": 1, "title": "a\x00b"}, "body.pattern", "title"),
        ({"id": 1, "title": "toolong"}, "body.range", "title"),
        ({"id": 1, "when": "not a date"}, "body.format", "when"),
        ({"id": 1, "items": [{"name": ""}]}, "body.range", "items.0.name"),
    ],
)
def test_each_kind_of_bad_field_has_its_reason_code(app, data, code, field) -> None:
    with app.test_request_context():
        found = _codes(data)
    assert found[0][0] == code, found
    assert found[0][1]["field"] == field, found


def test_unknown_fields_are_refused_by_name(app) -> None:
    with app.test_request_context():
        found = _codes({"id": 1, "admin": True, "items": [{"name": "x", "role": "y"}]})
    assert found == [("body.unknown_fields", {"fields": "admin, items.0.role"})]


def test_an_answer_that_drifts_from_its_declared_schema_is_caught() -> None:
    job = {
        "id": 1,
        "status": "done",
        "event": "close_screening",
        "selection_id": 2,
        "attempts": 1,
        "created_at": "2025-08-01T10:00:00",
        "finished_at": None,
        "fired": True,
        "to_state": "screening_closed",
        "documents": [],
        "errors": [],
        "links": {"self": "/api/v1/jobs/1"},
    }
    check_json(200, job, JobSchema())
    with pytest.raises(ResponseDrift, match="status"):
        check_json(200, {**job, "status": "lost"}, JobSchema())
    with pytest.raises(ResponseDrift, match="extra"):
        check_json(200, {**job, "extra": 1}, JobSchema())
    with pytest.raises(ResponseDrift, match="fired"):
        check_json(200, {k: v for k, v in job.items() if k != "fired"}, JobSchema())
