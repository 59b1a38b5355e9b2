"""The API of the oversight body's later gates: the same roles, scope and reasons as its pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import OversightReview
from tests.oversight_support import ASKED_AT, Short, build_short, load_short, short_ids
from tests.stage_factories import clock_at


@pytest.fixture
def short(stages) -> Short:
    return stages.stage("oversight:short", build_short, ids=short_ids, load=load_short)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_the_api_asks_approves_and_refuses(short, api_as) -> None:
    base = f"/selections/{short.selection.id}/oversight/extension"
    secretariat, reviewer = api_as(short.secretariat), api_as(short.reviewer)
    # Bad input: no reason; nothing written.
    assert secretariat.post(f"{base}/request", {}).status_code == 422
    with clock_at(ASKED_AT):
        asked = secretariat.post(f"{base}/request", {"reason": "Kurang pelamar."})
    assert asked.status_code == 200, asked.get_json()
    assert asked.get_json()["event"] == "request_extension"
    assert secretariat.post(f"{base}/approve", {}).status_code == 403
    assert api_as(short.outsider).post(f"{base}/approve", {}).status_code == 404
    assert reviewer.post(f"{base}/request", {"reason": "x"}).status_code == 403
    approved = reviewer.post(f"{base}/approve", {"notes": "Sekali saja."})
    assert approved.status_code == 202, approved.get_json()
    job = approved.get_json()
    assert job["status"] == "done" and job["documents"][0]["status"] == "issued"
    # Decided: a refusal now finds nothing waiting.
    refused = reviewer.post(f"{base}/refuse", {"reason": "Terlambat."})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["code"] == "oversight.no_extension_request"
    assert _count(OversightReview) == 1  # the approval's review only
