"""API v1 the appointment stage's corrections: correct a figure, revise the three best, and
the override letter of a post left with fewer than three qualified, as the page allows.
"""

from __future__ import annotations

import io

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, Approval, AuditEvent, Role, ShortlistResult
from tests.factories import make_agency, make_user
from tests.stage_factories import tiny_pdf


def _counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count(model.id)))
        for model in (ShortlistResult, AuditEvent, Approval)
    )


def _codes(response) -> list[str]:
    return [e["code"] for e in response.get_json()["errors"]]


def _state(application: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


def _refusals(api, base: str, apps: list[Application]) -> None:
    """Bad input is refused with the stage's reasons."""
    correct = f"{base}/corrections"
    body = {"application_id": apps[3].id, "field": "assessment_score", "value": "100"}
    unknown = api.post(correct, json={**body, "field": "interview_score", "reason": "x"})
    assert unknown.status_code == 422 and _codes(unknown) == ["appointment.field_unknown"]
    not_a_score = api.post(f"{correct}?lang=en", json={**body, "value": "banyak", "reason": "x"})
    assert not_a_score.status_code == 422, not_a_score.get_json()
    elsewhere = api.post(correct, json={**body, "application_id": 2**31 - 1, "reason": "x"})
    assert _codes(elsewhere) == ["appointment.application_post"]
    unchanged = api.post(f"{base}/revisions", json={"reason": "Tidak ada perubahan"})
    assert unchanged.status_code == 422, unchanged.get_json()
    blank = api.post(f"{base}/revisions", json={"reason": " "})
    assert blank.status_code == 422
    assert api.post(f"{base}/revisions", json={}).status_code == 422  # schema: reason required


def test_correct_then_revise_then_override_through_the_api(stages, api_as) -> None:
    setup = stages.at("appointment", per_post=4)
    apps = [a for a in setup.applications if a.position_id == setup.selection.positions[0].id]
    api = api_as(setup.secretariat)
    ppk = api_as(make_user(Role.PPK, setup.agency))
    stranger = api_as(make_user(Role.SECRETARIAT, make_agency()))
    base = f"/selections/{setup.selection.id}/positions/{apps[0].position_id}"
    before = _counts()
    _refusals(api, base, apps)
    reason = {"reason": "Berita acara No. 12/UPT-PK/2018"}
    fix = {"application_id": apps[3].id, "field": "assessment_score", "value": 100, **reason}
    assert ppk.post(f"{base}/corrections", json=fix).status_code == 403
    assert ppk.post(f"{base}/revisions", json=reason).status_code == 403
    assert stranger.post(f"{base}/revisions", json=reason).status_code == 404
    assert _counts() == before

    corrected = api.post(f"{base}/corrections", json=fix)
    assert corrected.status_code == 200, corrected.get_json()
    assert corrected.get_json()["value"] == "100.00"
    revised = api.post(f"{base}/revisions", json={"reason": "Nilai asesmen dikoreksi"})
    assert revised.status_code == 201, revised.get_json()
    frozen = revised.get_json()["frozen"]
    assert frozen["revision"] == 2 and apps[3].id in frozen["shortlist"]
    assert _state(apps[3]) == "shortlisted" and _state(apps[2]) == "not_shortlisted"
    ranking = api.get(f"/selections/{setup.selection.id}/ranking").get_json()
    post = next(p for p in ranking["posts"] if p["position_id"] == apps[0].position_id)
    assert post["frozen"]["revision"] == 2

    # Two of the three best found unfit: the post is short, the PPK needs the override.
    for application in (apps[3], apps[0]):
        unfit = {**fix, "application_id": application.id, "field": "health_fit", "value": False}
        assert api.post(f"{base}/corrections", json=unfit).status_code == 200
    short = api.post(f"{base}/revisions", json={"reason": "Hasil kesehatan dikoreksi"})
    assert short.status_code == 201, short.get_json()
    assert len(short.get_json()["frozen"]["shortlist"]) == 2
    letter = {
        "purpose": "shortlist_override",
        "position_id": str(apps[0].position_id),
        "authority": "KASN",
        "letter_number": "B-3700/KASN/12/2018",
        "letter_date": "2018-12-21",
    }
    path = f"/selections/{setup.selection.id}/approvals"
    files = {**letter, "pdf": (io.BytesIO(tiny_pdf("izin")), "izin.pdf")}
    override = api.post(path, json=None, data=files, content_type="multipart/form-data")
    assert override.status_code == 201, override.get_json()
    assert override.get_json()["purpose"].startswith("shortlist_override")
