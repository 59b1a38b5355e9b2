"""The oversight body's API: the same scope, roles and reasons as its pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Approval, Selection, SelectionState
from tests.oversight_support import World, build_world, load_world, world_ids


@pytest.fixture
def world(stages) -> World:
    """The two sent plans, built once per process."""
    return stages.stage("oversight:world", build_world, ids=world_ids, load=load_world)


def test_queue_decisions_and_monitoring_through_the_api(world, api_as) -> None:
    api = api_as(world.reviewer)
    queue = api.get("/oversight/queue").get_json()
    assert isinstance(queue, list), queue
    assert [item["selection_id"] for item in queue] == [world.ours.id]
    # Another province's selection does not exist for this body; a return needs a reason.
    assert api.post(f"/selections/{world.theirs.id}/oversight/approve", {}).status_code == 404
    refused = api.post(f"/selections/{world.ours.id}/oversight/return", {"notes": {}})
    assert refused.status_code == 422
    # The letter is issued by a job: 202 with the job (run in the request here), its document.
    given = api.post(f"/selections/{world.ours.id}/oversight/approve", {"notes": "OK"})
    assert given.status_code == 202, given.get_json()
    job = given.get_json()
    assert given.headers["Location"].endswith(f"/jobs/{job['id']}")
    assert job["event"] == "approve_plan" and job["fired"] and len(job["documents"]) == 1
    assert api.get(f"/jobs/{job['id']}").get_json()["status"] == "done"
    again = api.post(f"/selections/{world.ours.id}/oversight/approve", {})
    assert again.status_code == 422 and again.get_json()["errors"][0]["code"] == "oversight.decided"
    rows = api.get("/oversight/monitoring").get_json()
    assert [(r["selection_id"], r["letters"].get("plan")) for r in rows] == [
        (world.ours.id, "openbid")
    ]


def test_the_agency_cannot_use_the_oversight_operations(world, api_as) -> None:
    api = api_as(world.secretariat)
    assert api.get("/oversight/queue").status_code == 403
    response = api.post(f"/selections/{world.ours.id}/oversight/approve", {})
    assert response.status_code == 403
    returned = api.post(f"/selections/{world.ours.id}/oversight/return", {"reason": "own plan"})
    assert returned.status_code == 403
    assert db.session.get(Selection, world.ours.id).state == SelectionState.APPROVAL
    assert db.session.scalar(sa.select(sa.func.count(Approval.id))) == 0
