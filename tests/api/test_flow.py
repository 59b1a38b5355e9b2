"""The demo selection planned and driven from draft to the appointment decree through the API
alone: posts, committee and plan settings, one candidate's withdrawal, the screening list and
a candidate's own rule outcomes, the three best read from the ranking.

Each person acts with their own token: the secretariat, the committee chair and members,
thirteen candidates and the PPK. The story and numbers are demo_flow's (2018 Kota Tangerang);
the clock is demo_flow's simulated clock, moved past each registration close.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from openbid import demo, demo_flow
from openbid.extensions import db
from openbid.models import Application, Position, User
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from tests.api.conftest import Api

# The decree it downloads is rendered with WeasyPrint; the other documents of the walk
# strictly, as draft PDFs (tests/pdfs.py).
pytestmark = pytest.mark.real_pdf(only=("decree",))

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


@dataclass
class Flow:
    """The people of the walk, each with their token, and the selection planned for them."""

    secretariat: Api
    ppk: Api
    members: list[Api]
    candidates: dict[str, Api]
    nips: dict[str, str]
    path: str = ""

    @property
    def chair(self) -> Api:
        return self.members[0]

    def event(self, name: str, data: dict | None = None) -> dict[str, Any]:
        """Fire an event as the secretariat; a queued one (it issues documents) runs at once."""
        response = self.secretariat.post(
            f"{self.path}/events", json={"event": name, "data": data or {}}
        )
        if response.status_code == 202:
            job = _ok(self.secretariat.get(f"/jobs/{response.get_json()['id']}"))
            assert job["status"] == "done", job
            assert all(d["status"] == "issued" for d in job["documents"]), job
            return _ok(self.secretariat.get(self.path))
        return _ok(response)

    def apply(self, local: str, posts: list[dict[str, Any]], to: int | None = None) -> int:
        """Fill in the candidate's profile and submit an application with every document."""
        post, extra = demo_flow.APPLICANTS[local]
        api = self.candidates[local]
        _ok(api.put("/profile", json=_profile_body(local, self.nips[local], post, extra)))
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

    def letter(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an approval letter with its PDF as the secretariat."""
        return _ok(
            self.secretariat.post(
                f"{self.path}/approvals", data=data, content_type="multipart/form-data"
            ),
            201,
        )


def _people(api_as) -> Flow:
    """Log in the secretariat, the PPK, the committee and every applicant."""

    def login(local: str) -> Api:
        return api_as(_user(local), demo.PASSWORD)

    return Flow(
        secretariat=login("lutfi"),
        ppk=login("walikota"),
        members=[login(m[0]) for m in demo.COMMITTEE],
        candidates={local: login(local) for local in demo_flow.APPLICANTS},
        nips={local: nip for local, _name, nip in demo.CANDIDATES},
    )


def _approve_and_publish(flow: Flow, fake) -> list[dict[str, Any]]:
    """draft -> approval -> announcement, with the KASN letter; return the posts."""
    assert flow.event("submit_for_approval")["state"] == "approval"
    fake.at(date(2018, 11, 16))
    letter = flow.letter(
        {
            "purpose": "gate",
            "gate": "kasn_recommendation",
            "letter_number": "B-3921/KASN/11/2018",
            "letter_date": "2018-11-15",
            "subject": "Rekomendasi Rencana Seleksi Terbuka JPT Pratama Kota Tangerang",
            "pdf": _pdf("Rekomendasi KASN"),
        }
    )
    assert letter["purpose"] == "gate:kasn_recommendation" and letter["file_sha256"]
    fake.at(date(2018, 11, 19))
    selection = flow.event("publish_announcement")
    assert selection["state"] == "announcement"
    return selection["positions"]


def _register(flow: Flow, fake, posts: list[dict[str, Any]]) -> dict[str, int]:
    """Registration: twelve apply; the Bappeda post is short, so it is extended once."""
    fake.at(date(2018, 11, 21))
    # One candidate first applies to another post, then withdraws that application.
    mistaken = flow.apply(WITHDRAWING, posts, to=1)
    withdraw = f"/applications/{mistaken}/withdraw"
    assert flow.candidates["kandidat02"].post(withdraw, json={"confirm": True}).status_code == 404
    withdrawn = _ok(flow.candidates[WITHDRAWING].post(withdraw, json={"confirm": True}))
    assert withdrawn["state"] == "withdrawn"
    ids = {
        local: flow.apply(local, posts)
        for local in demo_flow.APPLICANTS
        if local != demo_flow.LATE_APPLICANT
    }
    selection = _ok(flow.secretariat.get(flow.path))
    fake.moment = max(fake.moment, _close(selection) + timedelta(hours=9))
    flow.letter(
        {
            "purpose": "extension",
            "letter_number": "B-4107/KASN/12/2018",
            "letter_date": fake.moment.date().isoformat(),
            "subject": "Persetujuan Perpanjangan Pendaftaran",
            "pdf": _pdf("Persetujuan perpanjangan"),
        }
    )
    selection = flow.event(
        "extend_registration", {"reason": "Pelamar Kepala Bappeda kurang dari 4 orang."}
    )
    late = demo_flow.LATE_APPLICANT
    ids[late] = flow.apply(late, posts)
    fake.moment = max(fake.moment, _close(selection) + timedelta(hours=9))
    assert flow.event("close_registration")["state"] == "administrative_screening"
    return ids


def _screen(flow: Flow, ids: dict[str, int]) -> dict[str, int]:
    """Administrative screening: the staff list shows who fails which rule; each candidate
    sees their own rules' outcomes (and no one else's). Return the eligible applications.
    """
    listed = _ok(flow.secretariat.get(f"{flow.path}/applications?rule=age"))["applications"]
    assert [a["id"] for a in listed] == [ids["kandidat05"]]
    own = _ok(flow.candidates["kandidat05"].get(f"/applications/{ids['kandidat05']}/screening"))
    assert [r["rule"] for r in own["results"] if not r["passed"]] == ["age"]
    other = flow.candidates["kandidat05"].get(f"/applications/{ids['kandidat01']}/screening")
    assert other.status_code == 404
    # The chair records a verdict on each application.
    for local, application_id in ids.items():
        verdict = {"passed": local not in REFUSED, "reason": REFUSED.get(local, "")}
        body = _ok(flow.chair.post(f"/applications/{application_id}/verdict", json=verdict))
        assert body["screening"]["passed"] is (local not in REFUSED)
    assert flow.event("close_screening")["state"] == "competency_assessment"
    return {local: i for local, i in ids.items() if local not in REFUSED}


def _assess(flow: Flow, fake, eligible: dict[str, int]) -> None:
    """Competency assessment: the secretariat enters each component."""
    fake.at(date(2018, 12, 20))
    for local, application_id in eligible.items():
        score, paper, track = demo_flow.RESULTS[local]
        scores = f"/applications/{application_id}/scores"
        parts = {
            "assessment": {
                "score": float(score),
                "category": "memenuhi_syarat" if float(score) >= 80 else "masih_memenuhi_syarat",
                "assessed_on": "2018-12-18",
                "centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
            },
            "paper": {"score": float(paper)},
            "track_record": {"score": float(track)},
            "health": {"fit": True},
            "psych": {"fit": True},
        }
        for component, body in parts.items():
            _ok(flow.secretariat.put(f"{scores}/{component}", json=body))
    assert flow.event("close_assessment")["state"] == "interview"


def _interview(flow: Flow, fake, eligible: dict[str, int]) -> None:
    """Interview: one member is recused from the first candidate; the rest score all."""
    fake.at(date(2019, 1, 7))
    first = min(eligible.values())
    recused = flow.members[5]
    _ok(
        recused.post(
            f"/applications/{first}/conflicts",
            json={"reason": "Pernah menjadi atasan langsung pelamar (2012-2015)."},
        ),
        201,
    )
    for offset, member in enumerate(flow.members):
        for local, application_id in eligible.items():
            if member is recused and application_id == first:
                continue
            score = demo_flow.INTERVIEW_BASE[local] + (offset % 3) - 1
            body = _ok(
                member.put(
                    f"/applications/{application_id}/scores/interview",
                    json={"score": score, "notes": "Wawancara terstruktur."},
                )
            )
            assert [s["score"] for s in body["scores"]["interview"]] == [score]
    assert flow.event("close_interview")["state"] == "appointment"


def _appoint(flow: Flow, fake, posts: list[dict[str, Any]]) -> None:
    """Appointment: the short post's override, the result recommendation, the PPK's picks."""
    fake.at(date(2019, 1, 11))
    override = {
        "purpose": "shortlist_override",
        "position_id": posts[2]["id"],  # Bappeda
        "authority": "KASN",
        "letter_number": "B-0112/KASN/01/2019",
        "letter_date": "2019-01-09",
        "notes": "Hanya dua pelamar yang memenuhi syarat; seleksi dilanjutkan.",
    }
    _ok(flow.secretariat.post(f"{flow.path}/approvals", json=override), 201)
    flow.letter(
        {
            "purpose": "result_recommendation",
            "letter_number": "B-0158/KASN/01/2019",
            "letter_date": "2019-01-11",
            "subject": "Rekomendasi Hasil Seleksi Terbuka JPT Pratama Kota Tangerang",
            "pdf": _pdf("Rekomendasi hasil"),
        }
    )
    fake.at(date(2019, 1, 14))
    ranking = _ok(flow.ppk.get(f"{flow.path}/ranking"))["posts"]
    assert [p["position_id"] for p in ranking] == [p["id"] for p in posts]
    for index, post in enumerate(ranking):
        # The frozen three best are read from the API to choose from.
        shortlist = post["frozen"]["shortlist"]
        pick = shortlist[min(demo_flow.PICK_RANK[index], len(shortlist)) - 1]
        body = _ok(flow.ppk.post(f"{flow.path}/appointments", json={"application_id": pick}), 201)
        assert body["state"] == "appointed"
    assert flow.event("complete")["state"] == "completed"


def _check_documents_and_trail(flow: Flow, selection_id: int) -> None:
    """The decree is issued and downloadable; every step is in the intact audit chain."""
    documents = _ok(flow.secretariat.get(f"{flow.path}/documents"))["documents"]
    kinds = [d["kind"] for d in documents]
    assert "announcement" in kinds and "decree" in kinds
    decree = next(d for d in documents if d["kind"] == "decree")
    pdf = flow.secretariat.get(decree["download_url"].split("/api/v1", 1)[1])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    trail = _ok(flow.secretariat.get(f"{flow.path}/audit"))
    assert trail["intact"] is True
    db.session.expire_all()
    appointed = db.session.scalars(
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == selection_id, Application.state == "appointed")
    ).all()
    assert len(appointed) == 3


def test_demo_selection_from_draft_to_decree_through_the_api(app, client, api_as) -> None:
    demo.load()  # the agency and its people; the selection is planned through the API
    flow = _people(api_as)
    with demo_flow.simulated_clock(date(2018, 10, 29)):
        selection_id = _plan_through_the_api(flow.secretariat)
    flow.path = f"/selections/{selection_id}"
    with demo_flow.simulated_clock(date(2018, 10, 29)) as fake:
        posts = _approve_and_publish(flow, fake)
        ids = _register(flow, fake, posts)
        eligible = _screen(flow, ids)
        _assess(flow, fake, eligible)
        _interview(flow, fake, eligible)
        _appoint(flow, fake, posts)
    _check_documents_and_trail(flow, selection_id)
