"""Competency assessment: results by form and by CSV import, elimination, closing the stage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AssessmentResult, AuditEvent, Role, StoredFile
from openbid.rules.reasons import ValidationFailed
from openbid.stages import assessment, screening
from openbid.workflow import Forbidden, GuardFailed, fire
from tests.factories import make_agency, make_user
from tests.stage_factories import (
    application_count,
    make_nip,
    selection_in_screening,
)

COMPLETE = {
    "assessment_score": "82,5",
    "assessed_on": "2018-12-10",
    "assessment_centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
    "paper_score": "80",
    "track_record_score": "77.25",
    "health_fit": "MS",
    "psych_fit": "MS",
}


def _nip(application) -> str:
    return application.profile_snapshot["nip"]


def _result(application) -> AssessmentResult | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
    )


def _state(setup) -> tuple[int, int, int]:
    """Return (results, audit events, stored files): what a refused input must not change."""
    return (
        db.session.scalar(sa.select(sa.func.count(AssessmentResult.id))),
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.selection_id == setup.selection.id
            )
        ),
        db.session.scalar(sa.select(sa.func.count(StoredFile.id))),
    )


@pytest.fixture
def setup(stages):
    """A selection in competency assessment with four eligible candidates for one post."""
    return stages.at("assessment")


# --- the form ------------------------------------------------------------------------------


def test_a_partial_entry_is_saved_and_audited_with_before_and_after(setup) -> None:
    application = setup.applications[0]
    member = setup.committee[2]
    assessment.save_result(application, member, assessment_score="78,5", health_fit="MS")
    result = _result(application)
    assert result.assessment_score == Decimal("78.50")
    # No category given: the thresholds (80 / 68) suggest "masih memenuhi syarat".
    assert result.assessment_category == "masih_memenuhi_syarat"
    assert result.health_fit is True and result.psych_fit is None and result.paper_score is None
    assert result.updated_by_id == member.id and result.source == "form"

    assessment.save_result(application, member, assessment_score="81", paper_score="70")
    result = _result(application)
    assert result.assessment_score == Decimal("81.00")
    assert result.assessment_category == "masih_memenuhi_syarat"  # kept once set
    assert result.health_fit is True  # not given: unchanged
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.event == "assessment_result_saved")
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["before"] for e in events] == [
        {"assessment_score": None, "health_fit": None, "assessment_category": None},
        {"assessment_score": "78.50", "paper_score": None},
    ]
    assert events[1].payload["after"] == {"assessment_score": "81.00", "paper_score": "70.00"}
    assert events[1].actor_id == member.id and events[1].subject_id == application.id


def test_saving_the_same_values_writes_no_event(setup) -> None:
    application = setup.applications[0]
    assessment.save_result(application, setup.secretariat, paper_score="70")
    before = _state(setup)
    assessment.save_result(application, setup.secretariat, paper_score="70,00")
    assert _state(setup) == before


def test_a_blank_value_clears_it(setup) -> None:
    application = setup.applications[0]
    assessment.save_result(application, setup.secretariat, paper_score="70", psych_fit="TMS")
    assessment.save_result(application, setup.secretariat, paper_score="", psych_fit=None)
    result = _result(application)
    assert result.paper_score is None and result.psych_fit is None


BAD_VALUES = [
    (
        {"assessment_score": "101"},
        ["The assessment-centre score 101 is outside 0 to 100."],
    ),
    (
        {"paper_score": "-1"},
        ["The paper score -1 is outside 0 to 100."],
    ),
    (
        {"track_record_score": "tujuh puluh"},
        [
            "The track-record score must be a number from 0 to 100, such as 78,50;"
            " tujuh puluh is not."
        ],
    ),
    (
        {"assessment_score": "78,555"},
        ["The assessment-centre score 78,555 has more than two decimals."],
    ),
    (
        {"health_fit": "mungkin", "assessment_category": "bagus"},
        [
            "The health test result mungkin is not understood; write MS or TMS (also"
            " fit/unfit, ya/tidak).",
            "bagus is not an assessment category; use Memenuhi Syarat (MS), Masih"
            " Memenuhi Syarat (MMS) or Kurang Memenuhi Syarat (KMS).",
        ],
    ),
    (
        {"assessed_on": "31-02-2018"},
        ["31-02-2018 is not a date; write it as 2018-12-10 or 10-12-2018."],
    ),
    (
        {"assessed_on": "2016-12-03"},
        [
            "The assessment of 2016-12-03 has expired: results stay valid 2 years, so this"
            " selection accepts results from 2016-12-04 on."
        ],
    ),
    (
        {"assessed_on": "2999-01-01"},
        ["The assessment date 2999-01-01 is in the future."],
    ),
]


def test_bad_values_are_refused_with_every_reason_and_nothing_written(setup) -> None:
    before = _state(setup)
    for fields, messages in BAD_VALUES:
        with pytest.raises(ValidationFailed) as error:
            assessment.save_result(
                setup.applications[0], setup.secretariat, **{"paper_score": "80", **fields}
            )
        assert [str(r) for r in error.value.reasons] == messages, fields
        assert _state(setup) == before


def test_an_earlier_result_still_valid_is_reused_and_recorded(setup) -> None:
    application = setup.applications[0]
    assessment.save_result(
        application, setup.secretariat, assessed_on="2016-12-04", assessment_score="85"
    )
    result = _result(application)
    assert result.assessed_on == date(2016, 12, 4)
    assert result.assessment_category == "memenuhi_syarat"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "assessment_result_saved")
    ).one()
    assert event.payload["reused_result"] is True


def test_dates_in_indonesian_forms_are_understood(setup) -> None:
    application = setup.applications[0]
    for text in ("10 Desember 2018", "10/12/2018", "10-12-2018", "2018-12-10"):
        assert assessment.parse_date(text) == (date(2018, 12, 10), None)
    assessment.save_result(application, setup.secretariat, assessed_on="3 Agustus 2018")
    assert _result(application).assessed_on == date(2018, 8, 3)


def test_fit_values_in_every_accepted_spelling(app) -> None:
    for text in ("MS", "ms", "fit", "Ya", "yes", "Memenuhi Syarat"):
        assert assessment.parse_fit("health_fit", text) == (True, None)
    for text in ("TMS", "unfit", "Tidak", "no", "tidak memenuhi syarat"):
        assert assessment.parse_fit("health_fit", text) == (False, None)


def test_only_eligible_candidates_and_only_during_the_stage(stages, app) -> None:
    setup = stages.at("screening")
    with pytest.raises(ValidationFailed) as error:
        assessment.save_result(setup.applications[0], setup.secretariat, paper_score="80")
    assert error.value.reasons[0].code == "assessment.closed"
    screening.record_verdict(setup.applications[0], setup.secretariat, False, "Tidak lengkap.")
    for application in setup.applications[1:]:
        screening.record_verdict(application, setup.secretariat, True)
    fire(setup.selection, "close_screening", setup.secretariat)
    with pytest.raises(ValidationFailed) as error:
        assessment.save_result(setup.applications[0], setup.secretariat, paper_score="80")
    assert str(error.value.reasons[0]) == (
        f"{setup.applications[0].candidate.name} is not a candidate in the competency"
        " assessment (the application is Did not pass administrative screening)."
    )


def test_roles_that_do_not_assess_are_refused(setup) -> None:
    before = _state(setup)
    for role in (Role.PPK, Role.AUDITOR, Role.ADMIN):
        user = make_user(role, setup.agency)
        with pytest.raises(Forbidden):
            assessment.save_result(setup.applications[0], user, paper_score="80")
        with pytest.raises(Forbidden):
            assessment.import_csv(setup.selection, user, b"nip;nilai_makalah\n", "x.csv")
        with pytest.raises(Forbidden):
            assessment.eliminate(setup.applications[0], user, "No.")
    assert _state(setup) == before


def test_members_of_another_committee_are_refused(setup) -> None:
    other = selection_in_screening(setup.agency)
    with pytest.raises(Forbidden) as error:
        assessment.save_result(setup.applications[0], other.committee[0], paper_score="80")
    assert error.value.reasons[0].code == "access.not_member"
    elsewhere = selection_in_screening(make_agency())
    with pytest.raises(Forbidden) as error:
        assessment.save_result(setup.applications[0], elsewhere.secretariat, paper_score="80")
    assert error.value.reasons[0].code == "access.other_agency"


# --- CSV import ----------------------------------------------------------------------------


def _csv(rows: list[list[str]], sep: str = ",", bom: bool = False) -> bytes:
    text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def test_a_good_csv_imports_every_row(setup) -> None:
    header = [
        "nip",
        "nama",
        "nilai_asesmen",
        "kategori_asesmen",
        "tanggal_asesmen",
        "lembaga_asesmen",
        "nilai_makalah",
        "nilai_rekam_jejak",
        "kesehatan",
        "psikologi",
    ]
    rows = [header]
    for i, application in enumerate(setup.applications):
        rows.append(
            [
                _nip(application),
                application.candidate.name,
                f"{70 + i}.5",
                "",
                "2018-12-10",
                '"UPT Penilaian Kompetensi, BKD Banten"',
                "80",
                "75",
                "MS",
                "TMS" if i == 3 else "MS",
            ]
        )
    report = assessment.import_csv(setup.selection, setup.secretariat, _csv(rows), "pusat.csv")
    assert (report.rows, report.changed) == (4, 4)
    first = _result(setup.applications[0])
    assert first.assessment_score == Decimal("70.50")
    assert first.assessment_category == "masih_memenuhi_syarat"
    assert first.assessment_centre == "UPT Penilaian Kompetensi, BKD Banten"
    assert first.source == "import:pusat.csv"
    assert _result(setup.applications[3]).psych_fit is False
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "assessment_results_imported")
    ).one()
    assert event.payload["filename"] == "pusat.csv" and len(event.payload["changes"]) == 4
    assert db.session.scalar(
        sa.select(StoredFile).where(StoredFile.sha256 == event.payload["sha256"])
    )


def test_a_semicolon_csv_with_bom_and_decimal_commas_from_excel(setup) -> None:
    rows = [["NIP", "Nama", "Nilai Asesmen", "Kategori Asesmen", "Tanggal Asesmen"]]
    for application in setup.applications:
        grouped = assessment.AssessedCandidate(application, _nip(application), None).nip_formatted
        rows.append([grouped, application.candidate.name, "78,25", "MS", "10/12/2018"])
    report = assessment.import_csv(
        setup.selection, setup.secretariat, _csv(rows, sep=";", bom=True), "excel.csv"
    )
    assert report.changed == 4
    result = _result(setup.applications[2])
    assert result.assessment_score == Decimal("78.25")
    assert result.assessment_category == "memenuhi_syarat"  # as the centre wrote it
    assert result.assessed_on == date(2018, 12, 10)


def test_the_template_round_trips(setup) -> None:
    template = assessment.template_csv(setup.selection)
    assert template.startswith("\ufeff".encode())
    lines = template.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "nip;nama;nilai_asesmen;kategori_asesmen;tanggal_asesmen;lembaga_asesmen;"
        "nilai_makalah;nilai_rekam_jejak;kesehatan;psikologi"
    )
    nip = _nip(setup.applications[0])
    assert lines[1].startswith(f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]};")
    assert len(lines) == 5
    # Filled in as a centre would, it imports.
    filled = "\r\n".join(
        [lines[0]]
        + [line.replace(";;;;;;;;", ";80;MS;2018-12-10;Pusat;70;75;ya;ya") for line in lines[1:]]
    ).encode("utf-8-sig")
    assert assessment.import_csv(setup.selection, setup.secretariat, filled, "t.csv").changed == 4


def test_three_bad_rows_among_five_change_nothing_and_are_all_listed(stages, app) -> None:
    setup = stages.at("assessment", per_post=5)
    a = setup.applications
    rows = [
        ["nip", "nilai_asesmen", "tanggal_asesmen", "kesehatan"],
        [_nip(a[0]), "101", "2018-12-10", "MS"],  # line 2: score out of range
        [_nip(a[1]), "80", "2018-12-10", "MS"],  # line 3: good
        [_nip(a[2]), "80", "2015-01-01", "sehat sekali"],  # line 4: expired and bad fit
        ["199901012020011999", "80", "2018-12-10", "MS"],  # line 5: nobody has this NIP
        [_nip(a[4]), '"79,5"', "10-12-2018", "TMS"],  # line 6: good (a quoted decimal comma)
    ]
    before = _state(setup)
    with pytest.raises(assessment.ImportFailed) as error:
        assessment.import_csv(setup.selection, setup.secretariat, _csv(rows), "bad.csv")
    assert error.value.lines == [2, 4, 5]
    assert [(p.line, str(p.reason)) for p in error.value.problems] == [
        (2, "The assessment-centre score 101 is outside 0 to 100."),
        (
            4,
            "The assessment of 2015-01-01 has expired: results stay valid 2 years, so this"
            " selection accepts results from 2016-12-04 on.",
        ),
        (
            4,
            "The health test result sehat sekali is not understood; write MS or TMS (also"
            " fit/unfit, ya/tidak).",
        ),
        (5, "No applicant of this selection has the NIP 199901012020011999."),
    ]
    assert _state(setup) == before
    assert _result(a[1]) is None


def test_nip_problems_in_a_csv(app) -> None:
    setup = selection_in_screening(make_agency(), candidates=[[{"nip": make_nip()}]])
    failed, *passed = setup.applications
    screening.record_verdict(failed, setup.secretariat, False, "Berkas palsu.")
    for application in passed:
        screening.record_verdict(application, setup.secretariat, True)
    fire(setup.selection, "close_screening", setup.secretariat)
    rows = [
        ["nip", "nilai_makalah"],
        [_nip(passed[0]), "80"],
        ["1.96905E+17", "80"],
        ["1969051219", "80"],
        [_nip(failed), "80"],
        [_nip(passed[0]).replace("", " ").strip(), "81"],
        ["", "80"],
    ]
    with pytest.raises(assessment.ImportFailed) as error:
        assessment.import_csv(setup.selection, setup.secretariat, _csv(rows), "nip.csv")
    assert [(p.line, p.reason.code) for p in error.value.problems] == [
        (3, "assessment_import.nip_scientific"),
        (4, "assessment_import.nip_shape"),
        (5, "assessment_import.not_eligible"),
        (6, "assessment_import.duplicate_nip"),
        (7, "assessment_import.nip_missing"),
    ]
    assert str(error.value.problems[2].reason) == (
        f"{failed.candidate.name} (NIP {_nip(failed)}) is not a candidate in the competency"
        " assessment: the application is Did not pass administrative screening."
    )
    assert str(error.value.problems[3].reason) == (
        f"The NIP {_nip(passed[0])} was already on line 2."
    )


FILE_PROBLEMS = [
    (b"", None, "The file is empty."),
    (
        b"\xff\xfen\x00i\x00p\x00",
        None,
        'The file is not UTF-8 text; in the spreadsheet save it as "CSV UTF-8".',
    ),
    (
        b"nilai_asesmen,kesehatan\n80,MS\n",
        1,
        "The header has no nip column; rows are matched to candidates by NIP.",
    ),
    (
        b"nip,skor\n1,2\n",
        1,
        "The header has an unknown column skor; the columns are nip, nama, nilai_asesmen,"
        " kategori_asesmen, tanggal_asesmen, lembaga_asesmen, nilai_makalah,"
        " nilai_rekam_jejak, kesehatan, psikologi.",
    ),
    (b"nip,nama\n", 1, "The header has no result column; see the format below."),
    (b"nip,nilai_makalah,paper_score\n", 1, "The header has the column paper_score twice."),
    (b"nip,nilai_makalah\n", None, "The file has a header but no rows."),
]


def test_file_level_problems(setup) -> None:
    before = _state(setup)
    for content, line, message in FILE_PROBLEMS:
        with pytest.raises(assessment.ImportFailed) as error:
            assessment.import_csv(setup.selection, setup.secretariat, content, "x.csv")
        assert [(p.line, str(p.reason)) for p in error.value.problems] == [(line, message)]
        assert _state(setup) == before


def test_a_row_with_more_values_than_the_header(setup) -> None:
    content = _csv([["nip", "nilai_makalah"], [_nip(setup.applications[0]), "80", "extra"]])
    with pytest.raises(assessment.ImportFailed) as error:
        assessment.import_csv(setup.selection, setup.secretariat, content, "x.csv")
    assert [str(p.reason) for p in error.value.problems] == [
        "The line has 3 values but the header has 2; in a file separated by commas, a decimal"
        ' comma needs quotes ("78,5") or the file can be separated by semicolons.'
    ]
    content = _csv([["nip", "nilai_makalah"], [_nip(setup.applications[0]), "80", "1"]], sep=";")
    with pytest.raises(assessment.ImportFailed) as error:
        assessment.import_csv(setup.selection, setup.secretariat, content, "x.csv")
    assert [str(p.reason) for p in error.value.problems] == [
        "The line has 3 values but the header has 2."
    ]


def test_a_file_over_the_upload_limit(setup, app) -> None:
    big = b"nip,nilai_makalah\n" + b"x" * app.config["UPLOAD_MAX_BYTES"]
    with pytest.raises(assessment.ImportFailed) as error:
        assessment.import_csv(setup.selection, setup.secretariat, big, "big.csv")
    assert error.value.problems[0].reason.code == "assessment_import.too_large"


def test_import_outside_the_stage_is_refused(stages, app) -> None:
    setup = stages.at("screening")
    with pytest.raises(ValidationFailed) as error:
        assessment.import_csv(setup.selection, setup.secretariat, b"nip\n", "x.csv")
    assert error.value.reasons[0].code == "assessment.closed"


# --- elimination and closing ---------------------------------------------------------------


def test_eliminating_needs_a_reason(setup) -> None:
    application = setup.applications[0]
    with pytest.raises(ValidationFailed) as error:
        assessment.eliminate(application, setup.secretariat, " ")
    assert error.value.reasons[0].code == "assessment.eliminate_reason"
    assessment.eliminate(application, setup.committee[0], "Tidak hadir pada asesmen.")
    assert application.state == "eliminated"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "eliminate")).one()
    assert event.payload["data"]["reason"] == "Tidak hadir pada asesmen."


def test_eliminating_is_refused_outside_assessment_and_interview(stages, app) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    screening.record_verdict(application, setup.secretariat, True)
    with pytest.raises(GuardFailed) as error:
        assessment.eliminate(application, setup.secretariat, "Too early.")
    assert [str(r) for r in error.value.reasons] == [
        "A candidate can be eliminated only during the competency assessment or the interview."
    ]
    assert application.state == "eligible"


def test_closing_names_each_candidate_and_missing_component(setup) -> None:
    a = setup.applications
    for application in a[1:]:
        assessment.save_result(application, setup.secretariat, **COMPLETE)
    assessment.save_result(a[0], setup.secretariat, **{**COMPLETE, "psych_fit": ""})
    assessment.save_result(a[1], setup.secretariat, paper_score="")
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "close_assessment", setup.secretariat)
    assert [str(r) for r in error.value.reasons] == [
        f"No paper score yet for 1 candidates: {a[1].candidate.name} (Kepala Dinas 1). Enter"
        " it, or eliminate a candidate who did not take part.",
        f"No psychological test result yet for 1 candidates: {a[0].candidate.name} (Kepala"
        " Dinas 1). Enter it, or eliminate a candidate who did not take part.",
    ]
    assert setup.selection.state == "competency_assessment"


def test_closing_eliminates_the_unfit_and_moves_on(setup) -> None:
    a = setup.applications
    assessment.save_result(a[0], setup.secretariat, **{**COMPLETE, "health_fit": "TMS"})
    assessment.save_result(
        a[1], setup.secretariat, **{**COMPLETE, "health_fit": "TMS", "psych_fit": "TMS"}
    )
    assessment.save_result(a[2], setup.secretariat, **COMPLETE)
    # Absent from the assessment: eliminated by hand, so the stage can close.
    assessment.eliminate(a[3], setup.secretariat, "Tidak hadir pada asesmen.")
    result = fire(setup.selection, "close_assessment", setup.committee[0])
    assert setup.selection.state == "interview"
    assert result.outputs["eliminated_unfit"] == [a[0].id, a[1].id]
    db.session.expire_all()
    assert [x.state for x in a] == ["eliminated", "eliminated", "eligible", "eliminated"]
    reasons = {
        e.subject_id: e.payload["data"]["reason"]
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "eliminate"))
    }
    assert reasons == {
        a[0].id: "unfit (health)",
        a[1].id: "unfit (health and psychological)",
        a[3].id: "Tidak hadir pada asesmen.",
    }
    assert application_count(setup.selection, "eligible") == 1
