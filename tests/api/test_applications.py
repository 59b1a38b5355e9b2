"""API v1 stage routes: who may call them (401/403/404), races (409) and refusals (422).

Set-up drives the demo selection with demo_flow (the services); each check is an API call.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from openbid import demo, demo_flow
from openbid.extensions import db
from openbid.models import (
    Application,
    Approval,
    AuditEvent,
    CandidateProfile,
    ConflictDeclaration,
    InterviewScore,
    Position,
    Role,
    ScreeningVerdict,
    User,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from tests.api.conftest import Api
from tests.factories import PASSWORD, make_agency, make_user

# Shaped right, but a 3-digit NIP and a 4-digit phone number: the portal's rules refuse it.
PROFILE = {
    "name": "A",
    "nip": "123",
    "birth_place": "Tangerang",
    "phone": "0812",
    "rank": "IV/b",
    "education": "S2",
    "agency_name": "Kota Tangerang",
    "current_position": "Sekretaris",
    "current_position_since": "2015-01-05",
    "related_experience_years": 3,
}


def _user(local: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == demo._email(local))).one()


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _application(local: str) -> Application:
    return db.session.scalars(
        sa.select(Application).join(User).where(User.email == demo._email(local))
    ).one()


def _messages(response) -> str:
    return " ".join(e["message"] for e in response.get_json().get("errors", []))


def _codes(response) -> list[str]:
    return [e["code"] for e in response.get_json().get("errors", [])]


@pytest.fixture
def screening(stages, app, api_as):
    """Return a login function once the demo selection is in administrative screening."""
    stages.demo("administrative_screening")
    return lambda local: api_as(_user(local), demo.PASSWORD)


@pytest.fixture
def announcement(stages, app, api_as):
    """Return a login function once the demo selection is taking applications."""
    stages.demo("announcement")
    return lambda local: api_as(_user(local), demo.PASSWORD)


def test_no_token_or_revoked_token_is_401(screening, client) -> None:
    application_id = _application("kandidat01").id
    anonymous = Api(client, None)
    assert anonymous.get(f"/applications/{application_id}").status_code == 401
    assert anonymous.put("/profile", json={}).status_code == 401
    response = anonymous.post(f"/applications/{application_id}/verdict", json={"passed": True})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    candidate = screening("kandidat01")
    assert candidate.get(f"/applications/{application_id}").status_code == 200
    assert candidate.delete("/tokens/current").status_code == 204
    assert candidate.get(f"/applications/{application_id}").status_code == 401


def test_who_reads_an_application(screening, client) -> None:
    application_id = _application("kandidat01").id
    own = screening("kandidat01").get(f"/applications/{application_id}")
    assert own.status_code == 200
    body = own.get_json()
    assert body["state"] == "submitted"
    assert {d["code"] for d in body["documents"]} == set(REQUIRED_DOCUMENTS)
    assert body["scores"] == {"assessment": None, "interview": []}
    # Another candidate gets the same 404 as for an id that does not exist.
    other = screening("kandidat02").get(f"/applications/{application_id}")
    missing = screening("kandidat02").get("/applications/999999")
    assert other.status_code == missing.status_code == 404
    assert other.get_json() == missing.get_json()
    for staff in ("lutfi", "walikota", "pansel.ketua"):
        assert screening(staff).get(f"/applications/{application_id}").status_code == 200
    stranger = make_user(Role.SECRETARIAT, make_agency())
    token = client.post(
        "/api/v1/tokens", json={"email": stranger.email, "password": PASSWORD}
    ).get_json()["token"]
    assert Api(client, token).get(f"/applications/{application_id}").status_code == 404


def test_roles_refused_with_403(screening) -> None:
    application_id = _application("kandidat01").id
    selection_id = demo.demo_selection().id
    candidate, ppk, secretariat = screening("kandidat01"), screening("walikota"), screening("lutfi")
    member = screening(demo.COMMITTEE[1][0])
    verdicts, audit = _count(ScreeningVerdict), _count(AuditEvent)
    calls = [
        (candidate, "post", f"/applications/{application_id}/verdict", {"passed": True}),
        (ppk, "post", f"/applications/{application_id}/verdict", {"passed": True}),
        (ppk, "put", f"/applications/{application_id}/scores/paper", {"score": 80}),
        (secretariat, "put", f"/applications/{application_id}/scores/interview", {"score": 80}),
        (secretariat, "post", f"/applications/{application_id}/conflicts", {"reason": "x"}),
        (candidate, "post", f"/applications/{application_id}/conflicts", {"reason": "x"}),
        (secretariat, "post", f"/selections/{selection_id}/appointments", {"application_id": 1}),
        (member, "post", f"/selections/{selection_id}/appointments", {"application_id": 1}),
        (
            member,
            "post",
            f"/selections/{selection_id}/approvals",
            {"purpose": "extension", "letter_number": "1", "letter_date": "2018-12-01"},
        ),
        (
            ppk,
            "post",
            f"/selections/{selection_id}/approvals",
            {"purpose": "result_recommendation", "letter_number": "1", "letter_date": "2019-01-01"},
        ),
        (secretariat, "put", "/profile", PROFILE),
        (secretariat, "post", "/positions/1/applications", None),
    ]
    for api, method, path, body in calls:
        response = getattr(api, method)(path, json=body)
        assert response.status_code == 403, (path, api.headers, response.get_json())
        assert response.get_json()["error"] == "forbidden"
    assert candidate.get(f"/selections/{selection_id}/documents").status_code == 403
    assert (_count(ScreeningVerdict), _count(AuditEvent)) == (verdicts, audit)


def test_verdict_refusals_are_422_with_reasons_and_409_on_a_stale_version(screening) -> None:
    application = _application("kandidat05")  # too old: the rules refuse them
    path = f"/applications/{application.id}/verdict"
    chair = screening("pansel.ketua")
    verdicts, audit = _count(ScreeningVerdict), _count(AuditEvent)

    no_reason = chair.post(path, json={"passed": False, "reason": ""})
    assert no_reason.status_code == 422 and no_reason.get_json()["errors"]
    unknown = chair.post(path, json={"passed": True, "score": 3, "grade": "A"})
    assert unknown.status_code == 422 and _codes(unknown) == ["body.unknown_fields"]
    assert "grade" in unknown.get_json()["message"] and "score" in unknown.get_json()["message"]
    wrong_type = chair.post(path, json={"passed": "yes"})
    assert wrong_type.status_code == 422 and _codes(wrong_type) == ["body.type"]
    stale = chair.post(path, json={"passed": False, "reason": "Usia.", "expected_version": 999})
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    assert (_count(ScreeningVerdict), _count(AuditEvent)) == (verdicts, audit)

    done = chair.post(path, json={"passed": False, "reason": "Usia melebihi batas."})
    assert done.status_code == 200 and done.get_json()["state"] == "ineligible"
    again = chair.post(path, json={"passed": False, "reason": "Usia melebihi batas."})
    assert again.status_code in (409, 422)


def test_score_and_conflict_refusals(screening) -> None:
    application_id = _application("kandidat01").id
    secretariat, member = screening("lutfi"), screening(demo.COMMITTEE[1][0])
    base = f"/applications/{application_id}/scores"
    assert secretariat.put(f"{base}/charisma", json={"score": 1}).status_code == 404
    wrong_shape = secretariat.put(f"{base}/paper", json={"fit": True})
    assert wrong_shape.status_code == 422 and "fit" in _messages(wrong_shape)
    range_error = secretariat.put(f"{base}/paper", json={"score": 101})
    assert range_error.status_code == 422 and _codes(range_error) == ["body.range"]
    # Not the competency stage yet: the service refuses with its reason, nothing written.
    early = secretariat.put(f"{base}/paper", json={"score": 80})
    assert early.status_code == 422 and early.get_json()["errors"]
    interview = member.put(f"{base}/interview", json={"score": 80})
    assert interview.status_code == 422 and interview.get_json()["errors"]
    assert _count(InterviewScore) == 0
    no_reason = member.post(f"/applications/{application_id}/conflicts", json={"reason": ""})
    assert no_reason.status_code == 422 and _codes(no_reason) == ["body.range"]
    declared = member.post(
        f"/applications/{application_id}/conflicts", json={"reason": "Kerabat pelamar."}
    )
    assert declared.status_code == 201, declared.get_json()
    twice = member.post(
        f"/applications/{application_id}/conflicts", json={"reason": "Kerabat pelamar."}
    )
    assert twice.status_code == 422 and _count(ConflictDeclaration) == 1


def test_appointment_and_approval_refusals(screening) -> None:
    selection_id = demo.demo_selection().id
    secretariat, ppk = screening("lutfi"), screening("walikota")
    approvals, audit = _count(Approval), _count(AuditEvent)
    not_ours = ppk.post(f"/selections/{selection_id}/appointments", json={"application_id": 99999})
    assert not_ours.status_code == 422 and _codes(not_ours) == ["appointment.application"]
    # Screening is not the appointment stage: the engine refuses the event (409).
    early = ppk.post(
        f"/selections/{selection_id}/appointments",
        json={"application_id": _application("kandidat01").id},
    )
    assert early.status_code in (409, 422), early.get_json()
    path = f"/selections/{selection_id}/approvals"
    missing = secretariat.post(path, json={"purpose": "gate", "letter_number": "1"})
    assert missing.status_code == 422 and "letter_date" in missing.get_json()["message"]
    no_gate = secretariat.post(
        path, json={"purpose": "gate", "letter_number": "1", "letter_date": "2018-11-15"}
    )
    assert no_gate.status_code == 422 and "gate" in no_gate.get_json()["message"]
    late = secretariat.post(
        path,
        json={
            "purpose": "result_recommendation",
            "letter_number": "1",
            "letter_date": "2019-01-11",
        },
    )
    assert late.status_code == 422 and late.get_json()["errors"]
    unknown = secretariat.post(
        path,
        data={"purpose": "extension", "letter_number": "1", "letter_date": "2018-12-01", "x": "1"},
        content_type="multipart/form-data",
    )
    assert unknown.status_code == 422 and _codes(unknown) == ["body.unknown_fields"]
    assert ": x." in _messages(unknown)
    assert (_count(Approval), _count(AuditEvent)) == (approvals, audit)


def _files(**overrides: bytes) -> dict:
    pdf = demo_flow._pdf("Dokumen")
    return {
        code: (io.BytesIO(overrides.get(code, pdf)), f"{code}.pdf", "application/pdf")
        for code in REQUIRED_DOCUMENTS
    }


def test_applying_refuses_bad_input_and_writes_nothing(announcement) -> None:
    candidate = announcement("kandidat01")
    position = db.session.scalars(
        sa.select(Position)
        .where(Position.selection_id == demo.demo_selection().id)
        .order_by(Position.id)
    ).first()
    path = f"/positions/{position.id}/applications"
    with demo_flow.simulated_clock(date(2018, 11, 21)):
        counts = (_count(Application), _count(AuditEvent), _count(CandidateProfile))
        no_profile = candidate.post(path, data=_files(), content_type="multipart/form-data")
        assert no_profile.status_code == 422
        assert _codes(no_profile) == ["application.no_profile"]
        bad_profile = candidate.put("/profile", json=PROFILE)
        assert bad_profile.status_code == 422 and len(bad_profile.get_json()["errors"]) >= 2
        unknown = candidate.put("/profile", json={"name": "A", "salary": 1})
        assert unknown.status_code == 422 and "salary" in _messages(unknown)
        not_pdf = candidate.post(
            path,
            data=_files(**{next(iter(REQUIRED_DOCUMENTS)): b"hello, not a PDF"}),
            content_type="multipart/form-data",
        )
        assert not_pdf.status_code == 422 and not_pdf.get_json()["errors"]
        extra = candidate.post(
            path,
            data={"submit": "true", "selfie": (io.BytesIO(b"x"), "me.jpg")},
            content_type="multipart/form-data",
        )
        assert extra.status_code == 422 and "selfie" in extra.get_json()["message"]
        # The form's text fields are a schema's: an unknown one is refused by name.
        note = candidate.post(path, data={"note": "x"}, content_type="multipart/form-data")
        assert note.status_code == 422 and _codes(note) == ["body.unknown_fields"]
        assert "note" in note.get_json()["message"]
        assert (_count(Application), _count(AuditEvent), _count(CandidateProfile)) == counts
        assert candidate.post("/positions/999999/applications").status_code == 404
