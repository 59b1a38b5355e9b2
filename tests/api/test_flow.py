"""The demo selection planned and driven from draft to the appointment decree through the API
alone: posts, committee and plan settings, one candidate's withdrawal, the screening list and
a candidate's own rule outcomes, the three best read from the ranking.

Each person acts with their own token: the secretariat, the committee chair and members,
thirteen candidates and the PPK. The story and numbers are demo_flow's (2018 Kota Tangerang);
the clock is demo_flow's simulated clock, moved past each registration close.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from openbid import demo, demo_flow
from openbid.extensions import db
from openbid.models import Application, Position, User
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from tests.api.conftest import Api

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

# Candidates the rules refuse, with the committee's written reason (demo_flow's story).
REFUSED = {
    "kandidat05": "Usia melebihi batas maksimal pada tanggal penutupan pendaftaran.",
    "kandidat09": "Pangkat/golongan di bawah IV/b.",
    "kandidat12": "Belum menyampaikan LHKPN.",
    "kandidat13": "Pernah dijatuhi hukuman disiplin sedang dalam 5 tahun terakhir.",
}


# The plan's schedule and weights (the definition's weights, in percent).
SCHEDULE = [
    {"stage": "Pengumuman dan pendaftaran", "starts_on": "2018-11-19", "ends_on": "2018-12-03"},
    {"stage": "Seleksi administrasi", "starts_on": "2018-12-04", "ends_on": "2018-12-10"},
    {"stage": "Penilaian kompetensi (assessment center)", "starts_on": "2018-12-17"},
    {"stage": "Wawancara akhir", "starts_on": "2019-01-07", "place": "Ruang Akhlakul Karimah"},
]
WEIGHTS = {"track_record": 20, "interview": 35, "paper": 20, "assessment": 25}
WITHDRAWING = "kandidat01"  # first applies to another post, withdraws, then applies again


def _user(local: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == demo._email(local))).one()


def _profile_body(local: str, nip: str, post: int, extra: dict) -> dict[str, Any]:
    """Turn demo_flow's profile form values into the API's typed JSON body."""
    raw = demo_flow._profile(local, nip, post, extra)
    return {
        **{k: v for k, v in raw.items() if k not in ("history", "ratings")},
        "is_pns": raw["is_pns"] == "1",
        "lhkpn_lodged": raw["lhkpn_lodged"] == "1",
        "own_ppk_approval": raw["own_ppk_approval"] == "1",
        "related_experience_years": float(raw["related_experience_years"]),
        "history": [{**row, "end": row["end"] or None} for row in raw["history"]],
        "ratings": [{"year": int(r["year"]), "rating": r["rating"]} for r in raw["ratings"]],
    }


def _pdf(title: str) -> tuple[io.BytesIO, str, str]:
    return (io.BytesIO(demo_flow._pdf(title)), "letter.pdf", "application/pdf")


def _ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _close(selection: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(selection["registration_closes_at"])


def _plan_through_the_api(secretariat: Api) -> int:
    """Create the demo's selection again through the API alone: posts, committee, settings."""
    created = _ok(
        secretariat.post(
            "/selections",
            json={"title": f"{demo.SELECTION_TITLE} (API)", "start_date": "2018-11-19"},
        ),
        201,
    )
    path = f"/selections/{created['id']}"
    for name, unit in demo.POSITIONS:
        _ok(secretariat.post(f"{path}/positions", json={"name": name, "unit": unit}), 201)
    offered = {
        u["email"]: u["id"] for u in _ok(secretariat.get(f"{path}/committee/candidates"))["users"]
    }
    for local, _name, role, internal, title, institution, level in demo.COMMITTEE:
        member = {
            "user_id": offered[demo._email(local)],
            "committee_role": str(role),
            "is_internal": internal,
            "position_title": title,
            "institution": institution,
            "position_level": int(level),
        }
        _ok(secretariat.post(f"{path}/committee", json=member), 201)
    # The plan's settings, each with the ETag just read: a stale one would be refused (412).
    settings = {
        "registration": {
            "registration_length": 15,
            "registration_unit": "calendar",
            "closing_time": "23:59",
            "min_applicants": 4,
            "extension_length": 7,
            "extension_unit": "calendar",
            "extension_max_count": 2,
        },
        "schedule": {"rows": SCHEDULE},
        "scoring": {"weights": WEIGHTS, "pass_marks": {}},
    }
    for part, body in settings.items():
        tag = secretariat.get(path).headers["ETag"]
        _ok(secretariat.put(f"{path}/plan/{part}", json=body, headers={"If-Match": tag}))
    plan = _ok(secretariat.get(f"{path}/plan"))
    assert plan["weights"] == {k: float(v) for k, v in WEIGHTS.items()}
    assert [row["stage"] for row in plan["schedule"]] == [row["stage"] for row in SCHEDULE]
    return created["id"]


def test_demo_selection_from_draft_to_decree_through_the_api(app, client, api_as) -> None:
    demo.load()  # the agency and its people; the selection is planned through the API

    def login(local: str) -> Api:
        return api_as(_user(local), demo.PASSWORD)

    secretariat = login("lutfi")
    ppk = login("walikota")
    members = [login(m[0]) for m in demo.COMMITTEE]
    chair = members[0]
    nips = {local: nip for local, _name, nip in demo.CANDIDATES}
    candidates = {local: login(local) for local in demo_flow.APPLICANTS}
    with demo_flow.simulated_clock(date(2018, 10, 29)):
        selection_id = _plan_through_the_api(secretariat)
    path = f"/selections/{selection_id}"

    def event(name: str, data: dict | None = None) -> dict[str, Any]:
        response = secretariat.post(f"{path}/events", json={"event": name, "data": data or {}})
        if response.status_code == 202:  # it issues documents: queued, run at once in tests
            job = _ok(secretariat.get(f"/jobs/{response.get_json()['id']}"))
            assert job["status"] == "done", job
            assert all(d["status"] == "issued" for d in job["documents"]), job
            return _ok(secretariat.get(path))
        return _ok(response)

    def apply(local: str, posts: list[dict[str, Any]], to: int | None = None) -> int:
        post, extra = demo_flow.APPLICANTS[local]
        api = candidates[local]
        _ok(api.put("/profile", json=_profile_body(local, nips[local], post, extra)))
        files = {code: _pdf(f"{doc.name_id} {local}") for code, doc in REQUIRED_DOCUMENTS.items()}
        body = _ok(
            api.post(
                f"/positions/{posts[post if to is None else to]['id']}/applications",
                data={"submit": "true", **files},
                content_type="multipart/form-data",
            ),
            201,
        )
        assert body["state"] == "submitted"
        assert {d["code"] for d in body["documents"]} == set(REQUIRED_DOCUMENTS)
        return body["id"]

    with demo_flow.simulated_clock(date(2018, 10, 29)) as fake:
        # draft -> approval -> announcement
        assert event("submit_for_approval")["state"] == "approval"
        fake.at(date(2018, 11, 16))
        letter = _ok(
            secretariat.post(
                f"{path}/approvals",
                data={
                    "purpose": "gate",
                    "gate": "kasn_recommendation",
                    "letter_number": "B-3921/KASN/11/2018",
                    "letter_date": "2018-11-15",
                    "subject": "Rekomendasi Rencana Seleksi Terbuka JPT Pratama Kota Tangerang",
                    "pdf": _pdf("Rekomendasi KASN"),
                },
                content_type="multipart/form-data",
            ),
            201,
        )
        assert letter["purpose"] == "gate:kasn_recommendation" and letter["file_sha256"]
        fake.at(date(2018, 11, 19))
        selection = event("publish_announcement")
        assert selection["state"] == "announcement"
        posts = selection["positions"]

        # Registration: twelve apply; the Bappeda post is short, so it is extended once.
        fake.at(date(2018, 11, 21))
        # One candidate first applies to another post, then withdraws that application.
        mistaken = apply(WITHDRAWING, posts, to=1)
        withdraw = f"/applications/{mistaken}/withdraw"
        assert candidates["kandidat02"].post(withdraw, json={"confirm": True}).status_code == 404
        withdrawn = _ok(candidates[WITHDRAWING].post(withdraw, json={"confirm": True}))
        assert withdrawn["state"] == "withdrawn"
        ids = {
            local: apply(local, posts)
            for local in demo_flow.APPLICANTS
            if local != demo_flow.LATE_APPLICANT
        }
        fake.moment = max(fake.moment, _close(selection) + timedelta(hours=9))
        _ok(
            secretariat.post(
                f"{path}/approvals",
                data={
                    "purpose": "extension",
                    "letter_number": "B-4107/KASN/12/2018",
                    "letter_date": fake.moment.date().isoformat(),
                    "subject": "Persetujuan Perpanjangan Pendaftaran",
                    "pdf": _pdf("Persetujuan perpanjangan"),
                },
                content_type="multipart/form-data",
            ),
            201,
        )
        selection = event(
            "extend_registration", {"reason": "Pelamar Kepala Bappeda kurang dari 4 orang."}
        )
        late = demo_flow.LATE_APPLICANT
        ids[late] = apply(late, posts)
        fake.moment = max(fake.moment, _close(selection) + timedelta(hours=9))
        assert event("close_registration")["state"] == "administrative_screening"

        # Administrative screening: the staff list shows who fails which rule; each candidate
        # sees their own rules' outcomes (and no one else's).
        listed = _ok(secretariat.get(f"{path}/applications?rule=age"))["applications"]
        assert [a["id"] for a in listed] == [ids["kandidat05"]]
        own = _ok(candidates["kandidat05"].get(f"/applications/{ids['kandidat05']}/screening"))
        assert [r["rule"] for r in own["results"] if not r["passed"]] == ["age"]
        other = candidates["kandidat05"].get(f"/applications/{ids['kandidat01']}/screening")
        assert other.status_code == 404
        # The chair records a verdict on each application.
        for local, application_id in ids.items():
            verdict = {"passed": local not in REFUSED, "reason": REFUSED.get(local, "")}
            body = _ok(chair.post(f"/applications/{application_id}/verdict", json=verdict))
            assert body["screening"]["passed"] is (local not in REFUSED)
        assert event("close_screening")["state"] == "competency_assessment"

        # Competency assessment: the secretariat enters each component.
        fake.at(date(2018, 12, 20))
        eligible = {local: i for local, i in ids.items() if local not in REFUSED}
        for local, application_id in eligible.items():
            score, paper, track = demo_flow.RESULTS[local]
            scores = f"/applications/{application_id}/scores"
            parts = {
                "assessment": {
                    "score": float(score),
                    "category": "memenuhi_syarat"
                    if float(score) >= 80
                    else "masih_memenuhi_syarat",
                    "assessed_on": "2018-12-18",
                    "centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
                },
                "paper": {"score": float(paper)},
                "track_record": {"score": float(track)},
                "health": {"fit": True},
                "psych": {"fit": True},
            }
            for component, body in parts.items():
                _ok(secretariat.put(f"{scores}/{component}", json=body))
        assert event("close_assessment")["state"] == "interview"

        # Interview: one member is recused from the first candidate; the rest score all.
        fake.at(date(2019, 1, 7))
        first = min(eligible.values())
        _ok(
            members[5].post(
                f"/applications/{first}/conflicts",
                json={"reason": "Pernah menjadi atasan langsung pelamar (2012-2015)."},
            ),
            201,
        )
        for offset, member in enumerate(members):
            for local, application_id in eligible.items():
                if member is members[5] and application_id == first:
                    continue
                score = demo_flow.INTERVIEW_BASE[local] + (offset % 3) - 1
                body = _ok(
                    member.put(
                        f"/applications/{application_id}/scores/interview",
                        json={"score": score, "notes": "Wawancara terstruktur."},
                    )
                )
                assert [s["score"] for s in body["scores"]["interview"]] == [score]
        assert event("close_interview")["state"] == "appointment"

        # Appointment: the short post's override, the result recommendation, the PPK's picks.
        fake.at(date(2019, 1, 11))
        bappeda = posts[2]["id"]
        _ok(
            secretariat.post(
                f"{path}/approvals",
                json={
                    "purpose": "shortlist_override",
                    "position_id": bappeda,
                    "authority": "KASN",
                    "letter_number": "B-0112/KASN/01/2019",
                    "letter_date": "2019-01-09",
                    "notes": "Hanya dua pelamar yang memenuhi syarat; seleksi dilanjutkan.",
                },
            ),
            201,
        )
        _ok(
            secretariat.post(
                f"{path}/approvals",
                data={
                    "purpose": "result_recommendation",
                    "letter_number": "B-0158/KASN/01/2019",
                    "letter_date": "2019-01-11",
                    "subject": "Rekomendasi Hasil Seleksi Terbuka JPT Pratama Kota Tangerang",
                    "pdf": _pdf("Rekomendasi hasil"),
                },
                content_type="multipart/form-data",
            ),
            201,
        )
        fake.at(date(2019, 1, 14))
        ranking = _ok(ppk.get(f"{path}/ranking"))["posts"]
        assert [p["position_id"] for p in ranking] == [p["id"] for p in posts]
        for index, post in enumerate(ranking):
            # The frozen three best are read from the API to choose from.
            shortlist = post["frozen"]["shortlist"]
            pick = shortlist[min(demo_flow.PICK_RANK[index], len(shortlist)) - 1]
            body = _ok(
                ppk.post(f"{path}/appointments", json={"application_id": pick}),
                201,
            )
            assert body["state"] == "appointed"
        assert event("complete")["state"] == "completed"

    documents = _ok(secretariat.get(f"{path}/documents"))["documents"]
    kinds = [d["kind"] for d in documents]
    assert "announcement" in kinds and "decree" in kinds
    decree = next(d for d in documents if d["kind"] == "decree")
    pdf = secretariat.get(decree["download_url"].split("/api/v1", 1)[1])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")

    # Every step above was audited in the selection's chain, which is intact.
    trail = _ok(secretariat.get(f"{path}/audit"))
    assert trail["intact"] is True
    db.session.expire_all()
    appointed = db.session.scalars(
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == selection_id, Application.state == "appointed")
    ).all()
    assert len(appointed) == 3
