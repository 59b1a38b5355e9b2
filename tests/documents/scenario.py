"""A selection carried to its end, for the document tests.

``build_with_engine()`` runs the selection through the stage factories and the workflow
engine (``fire()``), each step at its moment of ``ISSUE_TIMES`` and the schedule, so the
engine issues every document kind on its transition; ``issued()`` returns the one it issued.

``build()`` writes the same data directly (approval letters, the window, an extension,
verdicts with rule results, frozen rankings, a declared conflict, appointments, the state
history in the audit chain) and issues no document. It is kept for the tests that need a
selection at its end with nothing issued yet (the views' Documents tab and auditor pages, and
``test_missing_data_is_refused_with_a_reason``), which the engine cannot give: publishing
issues the announcement. Dates are those of a Kota Tangerang 2018 selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import (
    Agency,
    Application,
    Approval,
    ConflictDeclaration,
    IssuedDocument,
    RegistrationExtension,
    Role,
    ScreeningVerdict,
    Selection,
    ShortlistResult,
    User,
)
from openbid.rules.reasons import N_, Reason
from openbid.stages import planning as service
from tests.factories import make_agency, make_selection, make_user

WIB = timedelta(hours=7)
PATTERNS = {
    "decree": "821.2/Kep.{seq}-BKPSDM/{year}",
    "announcement": "800/{seq:02d}-Pansel/{year}",
    "minutes": "800/{seq:02d}/BA-Pansel/{year}",
    "report": "800/{seq:02d}/Lap-Pansel/{year}",
}


def wib(*parts: int) -> datetime:
    """Return the aware UTC moment of a WIB wall-clock time."""
    return datetime(*parts, tzinfo=UTC) - WIB


# When each kind is issued in the scenario, in issue order: the engine issues a
# transition's documents at the moment it fires (closing screening, the interview, the
# selection).
ISSUE_TIMES = {
    "announcement": wib(2018, 11, 19, 8, 0),
    "extension_notice": wib(2018, 12, 3, 17, 0),
    "screening_minutes": wib(2018, 12, 12, 14, 0),
    "screening_announcement": wib(2018, 12, 12, 14, 0),
    "results_announcement": wib(2018, 12, 27, 13, 0),
    "plenary_minutes": wib(2018, 12, 27, 13, 0),
    "top_three_announcement": wib(2018, 12, 27, 13, 0),
    "decree": wib(2019, 1, 14, 10, 0),
    "oversight_report": wib(2019, 1, 14, 10, 0),
}
# The other steps of the engine's run.
STEP_TIMES = {
    "submit_for_approval": wib(2018, 11, 5, 10, 0),
    "close_registration": wib(2018, 12, 10, 16, 1),
    "close_assessment": wib(2018, 12, 19, 16, 0),
    "interview": wib(2018, 12, 20, 10, 0),
    "result_recommendation": wib(2019, 1, 9, 14, 0),
    "appointment": wib(2019, 1, 10, 10, 0),
}
SCHEDULE = [
    ("administrative_screening", date(2018, 12, 4), date(2018, 12, 11)),
    ("competency_assessment", date(2018, 12, 17), date(2018, 12, 18)),
    ("interview", date(2018, 12, 20), date(2018, 12, 20)),
    ("Sidang pleno Panitia Seleksi", date(2018, 12, 27), None),
]
PLAN_LETTER = {"letter_number": "B-3870/KASN/11/2018", "letter_date": date(2018, 11, 16)}
EXTENSION = {
    "reason": "Pelamar Dinas Kesehatan kurang dari empat.",
    "letter_number": "B-4102/KASN/12/2018",
    "letter_date": date(2018, 12, 3),
}
RESULT_LETTER = {"letter_number": "B-0112/KASN/1/2019", "letter_date": date(2019, 1, 9)}
CONFLICT_REASON = "Atasan langsung peserta dalam 2 (dua) tahun terakhir."
FAILED_NOTE = "Status kepegawaian tidak dapat dibuktikan."

# name, NIP, rank, current position, passes screening, scores (track, interview, paper,
# assessment) or None.
POSTS = [
    (
        "Kepala Dinas Pendidikan",
        "Dinas Pendidikan Kota Contoh",
        [
            ("Dr. Hj. Siti Nurjanah, M.Pd.", "196803151993032004", "IV/b",
             "Sekretaris Dinas Pendidikan", True, ("84", "86.50", "82", "81.25")),
            ("Drs. Bambang Supriyadi, M.M.", "196507121990031007", "IV/c",
             "Kepala Bidang Pembinaan SD", True, ("80", "78.75", "79", "77.50")),
            ("H. Ahmad Fauzi, S.Pd., M.Si.", "197002241995121001", "IV/b",
             "Camat Cipondoh", True, ("78", "79.50", "76.50", "79")),
            ("Dedi Kurniawan, S.Sos.", "197505052000031003", "IV/a",
             "Kepala Bagian Organisasi", False, None),
        ],
    ),
    (
        "Kepala Dinas Kesehatan",
        "Dinas Kesehatan Kota Contoh",
        [
            ("dr. Liza Puspadewi, M.K.M.", "197104182000122003", "IV/b",
             "Sekretaris Dinas Kesehatan", True, ("85", "84.50", "83", "82.75")),
            ("dr. Hendra Wijaya, M.Kes.", "196909091999031005", "IV/b",
             "Kepala Bidang Pelayanan Kesehatan", True, ("79", "81", "78.50", "80")),
            ("drg. Ratna Dewi Anggraini", "197212122001122001", "IV/b",
             "Kepala Bidang P2P", True, ("77", "76.25", "79.50", "75")),
            ("dr. Agus Salim, M.P.H.", "196806061998031002", "IV/c",
             "Wakil Direktur RSUD", True, ("83", "85.75", "81", "80.50")),
        ],
    ),
]  # fmt: skip
WEIGHTS = {"track_record": "0.20", "interview": "0.35", "paper": "0.20", "assessment": "0.25"}


@dataclass
class Scenario:
    """Ids of what the scenario created."""

    agency: Agency
    selection: Selection
    secretariat: User
    auditor: User
    ppk: User
    failed_application_id: int


def _combined(scores: tuple[str, ...]) -> str:
    total = sum(Decimal(s) * Decimal(w) for s, w in zip(scores, WEIGHTS.values(), strict=True))
    return str(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def build(*, patterns: dict | None = None) -> Scenario:
    """Create an agency and a selection whose every stage's data is recorded."""
    agency = make_agency(
        name="Pemerintah Kota Contoh",
        region_name="Kota Contoh",
        head_title="Wali Kota Contoh",
        head_name="Budi Santoso",
        office_head_name="Akhmad Lutfi",
        address="Jalan Satria Sudirman Nomor 1, Kota Contoh 15111",
        numbering_patterns=PATTERNS if patterns is None else patterns,
    )
    selection, secretariat = make_selection(agency, positions=0, committee=5, internal=2)
    ppk = make_user(Role.PPK, agency, name="Budi Santoso")
    auditor = make_user(Role.AUDITOR, agency, name="Dewi Kartikasari")
    session = db.session
    positions = [
        service.create_position(selection, secretariat, name=name, unit=unit, commit=False)
        for name, unit, _ in POSTS
    ]
    members = list(selection.committee)
    history = [
        ("submit_for_approval", "draft", "approval", wib(2018, 11, 5, 10, 0)),
        ("publish_announcement", "approval", "announcement", wib(2018, 11, 19, 8, 0)),
        ("close_registration", "announcement", "administrative_screening",
         wib(2018, 12, 10, 16, 0)),
        ("close_screening", "administrative_screening", "competency_assessment",
         wib(2018, 12, 12, 14, 0)),
        ("close_assessment", "competency_assessment", "interview", wib(2018, 12, 19, 16, 0)),
        ("close_interview", "interview", "appointment", wib(2018, 12, 27, 13, 0)),
    ]  # fmt: skip
    for event, before, after, at in history:
        audit.append(
            session,
            event=event,
            actor=secretariat,
            subject_type="selection",
            subject_id=selection.id,
            selection_id=selection.id,
            from_state=before,
            to_state=after,
            occurred_at=at,
        )
    # Scenario rows are written directly; the state follows the history above.
    selection.state = "appointment"
    selection.registration_opens_at = wib(2018, 11, 19, 8, 0)
    selection.registration_closes_at = wib(2018, 12, 10, 16, 0)
    selection.schedule = [
        {"stage": "administrative_screening", "starts_on": "2018-12-04", "ends_on": "2018-12-11"},
        {"stage": "competency_assessment", "starts_on": "2018-12-17", "ends_on": "2018-12-18"},
        {"stage": "interview", "starts_on": "2018-12-20", "ends_on": "2018-12-20"},
        {"stage": "Sidang pleno Panitia Seleksi", "starts_on": "2018-12-27"},
    ]
    session.add(
        Approval(
            selection_id=selection.id,
            purpose="gate:kasn_recommendation",
            authority="KASN",
            letter_number="B-3870/KASN/11/2018",
            letter_date=date(2018, 11, 16),
            recorded_by_id=secretariat.id,
        )
    )
    extension_letter = Approval(
        selection_id=selection.id,
        purpose="extension",
        authority="KASN",
        letter_number="B-4102/KASN/12/2018",
        letter_date=date(2018, 12, 3),
        recorded_by_id=secretariat.id,
    )
    session.add(extension_letter)
    session.flush()
    session.add(
        RegistrationExtension(
            selection_id=selection.id,
            number=1,
            previous_closes_at=wib(2018, 12, 3, 16, 0),
            new_closes_at=wib(2018, 12, 10, 16, 0),
            reason="Pelamar Dinas Kesehatan kurang dari empat.",
            position_ids=[positions[1].id],
            approval_id=extension_letter.id,
        )
    )
    failed_id = 0
    for position, (_name, _unit, people) in zip(positions, POSTS, strict=True):
        ranking, chosen = [], []
        for index, (name, nip, rank, current, passes, scores) in enumerate(people):
            candidate = make_user(Role.CANDIDATE, name=name)
            application = Application(
                position=position,
                candidate=candidate,
                state="eligible" if passes else "ineligible",
                submitted_at=wib(2018, 11, 20 + index, 9, 0),
                profile_snapshot={"nip": nip, "rank": rank, "current_position": current},
            )
            session.add(application)
            session.flush()
            rule_results = [{"rule": "pns", "passed": True, "reason": None}]
            if not passes:
                failed_id = application.id
                rule_results.append(
                    {
                        "rule": "pns",
                        "passed": False,
                        "reason": Reason(
                            "eligibility.pns",
                            N_("The applicant is not a civil servant (PNS)."),
                        ).as_dict(),
                    }
                )
            session.add(
                ScreeningVerdict(
                    application_id=application.id,
                    rule_results=rule_results,
                    rules_passed=passes,
                    passed=passes,
                    reason="" if passes else "Status kepegawaian tidak dapat dibuktikan.",
                    decided_by_id=secretariat.id,
                )
            )
            if scores is not None:
                ranking.append(
                    {
                        "application_id": application.id,
                        "name": name,
                        "nip": nip,
                        "combined": _combined(scores),
                        "components": dict(zip(WEIGHTS, scores, strict=True)),
                        "qualified": True,
                        "reasons": [],
                    }
                )
        ranking.sort(key=lambda e: -float(e["combined"]))
        for place, entry in enumerate(ranking, start=1):
            entry["rank"] = place
        chosen = [e["application_id"] for e in ranking[:3]]
        session.add(
            ShortlistResult(
                selection_id=selection.id,
                position_id=position.id,
                ranking=ranking,
                shortlist=chosen,
                weights=WEIGHTS,
                frozen_by_id=secretariat.id,
            )
        )
        session.flush()
        appointed = session.get(Application, chosen[1 if position is positions[1] else 0])
        appointed.state = "appointed"
    session.add(
        ConflictDeclaration(
            member_id=members[1].id,
            application_id=ranking[1]["application_id"],
            reason="Atasan langsung peserta dalam 2 (dua) tahun terakhir.",
        )
    )
    session.add(
        Approval(
            selection_id=selection.id,
            purpose="result_recommendation",
            authority="KASN",
            letter_number="B-0112/KASN/1/2019",
            letter_date=date(2019, 1, 9),
            recorded_by_id=secretariat.id,
        )
    )
    session.commit()
    return Scenario(agency, selection, secretariat, auditor, ppk, failed_id)


def _agency(patterns: dict | None) -> Agency:
    return make_agency(
        name="Pemerintah Kota Contoh",
        region_name="Kota Contoh",
        head_title="Wali Kota Contoh",
        head_name="Budi Santoso",
        office_head_name="Akhmad Lutfi",
        address="Jalan Satria Sudirman Nomor 1, Kota Contoh 15111",
        numbering_patterns=PATTERNS if patterns is None else patterns,
    )


def _candidate_specs() -> list[list[dict]]:
    """The candidates of POSTS as stage-factory specs; the health post's last one is late."""
    specs = []
    for post, (_name, _unit, people) in enumerate(POSTS):
        post_specs = []
        for index, (name, nip, rank, current, passes, _scores) in enumerate(people):
            spec = {"name": name, "nip": nip, "rank": rank, "current_position": current}
            # The health post had three applicants when the window first closed: its fourth
            # applied during the extension.
            late = post == 1 and index == 3
            spec["submitted_at"] = wib(2018, 12, 4, 9, 0) if late else wib(2018, 11, 20 + index, 9)
            if not passes:
                spec.update(is_pns=False, screening_note=FAILED_NOTE)
            post_specs.append(spec)
        specs.append(post_specs)
    return specs


def _results() -> list[list[dict]]:
    """The assessment figures (track record, paper, assessment) of POSTS' candidates."""
    return [
        [
            {}
            if scores is None
            else {
                "track_record_score": Decimal(scores[0]),
                "paper_score": Decimal(scores[2]),
                "assessment_score": Decimal(scores[3]),
            }
            for *_person, scores in people
        ]
        for _name, _unit, people in POSTS
    ]


def build_with_engine(*, patterns: dict | None = None) -> Scenario:
    """Run POSTS' selection to its end through the stage factories and the engine.

    Each step runs at its moment (ISSUE_TIMES, STEP_TIMES); every member gives a candidate
    the same interview score, so the mean is the figure of POSTS; the second member of the
    committee declares a conflict with the health post's second best (and does not score
    them); the PPK appoints the best of the first post and the second best of the second,
    and completing the selection issues the decree and the report.
    """
    from openbid.stages import appointment
    from openbid.stages import interview as interview_service
    from openbid.stages.planning import RegistrationInput, ScheduleInput
    from openbid.workflow import fire
    from tests.interview_factories import (
        close_interview,
        make_ppk,
        members,
        record_recommendation,
        score_everyone,
        selection_in_interview,
    )
    from tests.stage_factories import clock_at

    agency = _agency(patterns)
    setup = selection_in_interview(
        agency,
        posts=[(name, unit) for name, unit, _ in POSTS],
        candidates=_candidate_specs(),
        schedule=[ScheduleInput(stage, start, end) for stage, start, end in SCHEDULE],
        registration=RegistrationInput(closing_time="16:00"),
        approval_at=STEP_TIMES["submit_for_approval"],
        publish_at=ISSUE_TIMES["announcement"],
        letters={"kasn_recommendation": PLAN_LETTER},
        extension={"at": ISSUE_TIMES["extension_notice"], **EXTENSION},
        closed_at=STEP_TIMES["close_registration"],
        screened_at=ISSUE_TIMES["screening_minutes"],
        results=_results(),
        assessed_at=STEP_TIMES["close_assessment"],
    )
    selection, secretariat = setup.selection, setup.secretariat
    auditor = make_user(Role.AUDITOR, agency, name="Dewi Kartikasari")
    [failed] = [a for a in setup.applications if a.state == "ineligible"]
    health = setup.by_post(1)
    committee = members(setup)
    with clock_at(STEP_TIMES["interview"]):
        interview_service.declare_conflict(committee[1], health[3], CONFLICT_REASON)
    for post, (_name, _unit, people) in enumerate(POSTS):
        position_id = selection.positions[post].id
        means = [scores[1] if scores else "0" for *_person, scores in people]
        score_everyone(
            setup,
            lambda _member, candidate, means=means: means[candidate],
            skip=lambda _member, application, position_id=position_id: (
                application.position_id != position_id
            ),
            at=STEP_TIMES["interview"],
        )
    close_interview(setup, at=ISSUE_TIMES["results_announcement"])
    with clock_at(STEP_TIMES["result_recommendation"]):
        record_recommendation(setup, subject="", **RESULT_LETTER)
    ppk = make_ppk(setup, name="Budi Santoso")
    with clock_at(STEP_TIMES["appointment"]):
        appointment.appoint(setup.by_post(0)[0], ppk)
        appointment.appoint(health[3], ppk)
    with clock_at(ISSUE_TIMES["decree"]):
        fire(selection, "complete", secretariat)
    setup.refresh()
    return Scenario(agency, selection, secretariat, auditor, ppk, failed.id)


def issued(built: Scenario, kind: str) -> IssuedDocument:
    """Return the document of a kind the engine issued for the scenario's selection."""
    return db.session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == built.selection.id, IssuedDocument.kind == kind)
        .order_by(IssuedDocument.id)
    ).one()
