"""Issuing documents from the database: numbering, registry, audit, rollback, concurrency.

Rendering and the database are real; a crash is simulated by making the renderer raise.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from openbid import audit
from openbid.documents import render
from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import (
    Agency,
    Approval,
    AuditEvent,
    DocumentCounter,
    IssuedDocument,
    Selection,
    User,
)
from openbid.rules.reasons import ValidationFailed
from openbid.stages import documents
from openbid.stages import documents as document_contexts
from openbid.workflow import fire
from tests.documents import scenario
from tests.factories import make_agency, make_selection

# Tests that read what a document says are marked ``real_pdf`` (WeasyPrint); the numbering
# tests read only the number and code, which the test renderer's small PDF carries too.
real_pdf = pytest.mark.real_pdf

SERIES = {
    "announcement": ["announcement", "extension_notice", "screening_announcement"]
    + ["results_announcement", "top_three_announcement"],
    "minutes": ["screening_minutes", "plenary_minutes"],
    "decree": ["decree"],
    "report": ["oversight_report"],
}


def _issue(built: scenario.Scenario, kind: str, at=None) -> IssuedDocument:
    at = at or scenario.ISSUE_TIMES[kind]
    context = document_contexts.build_context(
        db.session, kind, built.selection, issued_at=at, actor=built.secretariat
    )
    document = documents.issue_document(
        db.session,
        kind=kind,
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=at,
    )
    db.session.commit()
    return document


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))),
        db.session.scalar(sa.select(sa.func.count(DocumentCounter.series))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


@real_pdf
def test_every_kind_is_numbered_by_its_series_without_gaps(stages, app) -> None:
    built = stages.scenario()
    issued = {kind: scenario.issued(built, kind) for kind in scenario.ISSUE_TIMES}

    assert [issued[k].number for k in SERIES["announcement"]] == [
        f"800/{n:02d}-Pansel/2018" for n in range(1, 6)
    ]
    assert [issued[k].number for k in SERIES["minutes"]] == [
        "800/01/BA-Pansel/2018",
        "800/02/BA-Pansel/2018",
    ]
    assert issued["decree"].number == "821.2/Kep.1-BKPSDM/2019"
    assert issued["oversight_report"].number == "800/01/Lap-Pansel/2019"
    counters = {
        (c.series, c.year): c.last_seq for c in db.session.scalars(sa.select(DocumentCounter))
    }
    assert counters == {
        ("announcement", 2018): 5,
        ("minutes", 2018): 2,
        ("decree", 2019): 1,
        ("report", 2019): 1,
    }
    codes = set()
    for kind, document in issued.items():
        data = documents.document_bytes(document)
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert document.verification_code in pdf_text(data), kind
        assert documents.CODE_PATTERN.fullmatch(document.verification_code)
        codes.add(document.verification_code)
        event = db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.event == "document_issued", AuditEvent.subject_id == document.id
            )
        )
        assert event.payload["number"] == document.number
        assert event.payload["sha256"] == document.sha256
        assert event.payload["verification_code"] == document.verification_code
        assert event.payload["kind"] == kind
        assert event.selection_id == built.selection.id
    assert len(codes) == len(issued)
    assert audit.verify_all(db.session).ok


@real_pdf
def test_documents_carry_the_data_of_their_stage(stages, app) -> None:
    built = stages.scenario()
    text = {kind: pdf_text(documents.document_bytes(scenario.issued(built, kind))) for kind in
            ("announcement", "extension_notice", "screening_minutes", "plenary_minutes",
             "decree")}  # fmt: skip
    flat = {kind: " ".join(value.split()) for kind, value in text.items()}
    assert "B-3870/KASN/11/2018" in flat["announcement"]
    assert "Pembina Tingkat I (IV/b)" in flat["announcement"]
    assert "Undang-Undang Nomor 5 Tahun 2014" in flat["announcement"]
    # The extension cites the announcement it extends and its approval letter.
    assert "800/01-Pansel/2018" in flat["extension_notice"]
    # Letter numbers may wrap at a slash; compare them without whitespace.
    assert "B-4102/KASN/12/2018" in "".join(flat["extension_notice"].split())
    # A failed rule's reason is printed in Indonesian, with the committee's own note.
    assert "Pelamar bukan Pegawai Negeri Sipil (PNS)." in flat["screening_minutes"]
    assert "Status kepegawaian tidak dapat dibuktikan." in flat["screening_minutes"]
    assert "TMS" in flat["screening_minutes"]
    assert "Atasan langsung peserta" in flat["plenary_minutes"]
    decree = flat["decree"]
    assert "KEPUTUSAN WALI KOTA CONTOH" in decree
    assert "PENGANGKATAN DALAM JABATAN PIMPINAN TINGGI PRATAMA" in decree
    assert "B-0112/KASN/1/2019" in decree  # the result recommendation, not the plan's letter
    assert "Dr. Hj. Siti Nurjanah, M.Pd." in decree and "19680315 199303 2 004" in decree
    assert "dr. Agus Salim, M.P.H." in decree
    assert "Kepala Dinas Kesehatan Kota Contoh" in decree
    assert "Gubernur Banten" in decree
    assert "14 Januari 2019" in decree


def test_numbers_restart_each_year_and_default_patterns_apply(stages, app) -> None:
    built = stages.scenario(patterns={})
    first = scenario.issued(built, "announcement")
    second = scenario.issued(built, "extension_notice")
    third = _issue(built, "extension_notice", scenario.wib(2019, 1, 1, 0, 30))
    assert [first.number, second.number, third.number] == [
        "800/01-Pansel/2018",
        "800/02-Pansel/2018",
        "800/01-Pansel/2019",
    ]
    assert (third.series, third.year, third.seq) == ("announcement", 2019, 1)


def test_a_pattern_for_one_kind_gives_it_its_own_series(stages, app) -> None:
    patterns = {
        **scenario.PATTERNS,
        "extension_notice": "800/{seq}/Perpanjangan/{roman_month}/{year}",
    }
    built = stages.scenario(patterns=patterns)
    notice = scenario.issued(built, "extension_notice")  # after the engine's announcement
    assert notice.series == "extension_notice"
    assert notice.number == "800/1/Perpanjangan/XII/2018"


@real_pdf
def test_an_unusable_pattern_is_refused_and_nothing_is_written(stages, app) -> None:
    built = stages.scenario()
    # Publishing refuses a bad pattern, so the agency's pattern is changed afterwards.
    built.agency.numbering_patterns = {"announcement": "800/{nomor}/Pansel/{year}"}
    db.session.commit()
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        _issue(built, "announcement")
    db.session.rollback()
    assert error.value.reasons[0].code == "documents.bad_pattern"
    assert "{nomor}" in str(error.value)
    assert _counts() == before


def test_a_decree_of_an_agency_without_its_formation_law_is_refused(stages, app) -> None:
    built = stages.scenario()
    built.agency.formation_laws = []  # e.g. an agency from before migration 0008
    db.session.commit()
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        _issue(built, "decree")
    db.session.rollback()
    assert [r.code for r in error.value.reasons] == ["documents.no_formation_law"]
    assert _counts() == before


def test_missing_data_is_refused_with_a_reason(app) -> None:
    # The directly written scenario: through the engine, publishing issues the announcement.
    built = scenario.build()
    with pytest.raises(ValidationFailed) as error:
        _issue(built, "screening_announcement")  # its minutes were never issued
    assert error.value.reasons[0].code == "documents.cited_missing"
    db.session.rollback()
    db.session.execute(sa.update(Approval).where(Approval.purpose.like("gate:%")).values(
        purpose="gate:withdrawn"))  # fmt: skip
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        _issue(built, "announcement")
    assert error.value.reasons[0].code == "documents.no_oversight_letter"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 0


def _in_approval(agency: Agency | None = None) -> tuple[Selection, User]:
    """A selection whose plan is approved (KASN letter on file), ready to publish."""
    selection, secretariat = make_selection(agency or make_agency(), positions=2)
    fire(selection, "submit_for_approval", secretariat)
    db.session.add(
        Approval(
            selection_id=selection.id,
            purpose="gate:kasn_recommendation",
            authority="KASN",
            letter_number="B-3870/KASN/11/2018",
            letter_date=date(2018, 11, 16),
            recorded_by_id=secretariat.id,
        )
    )
    db.session.commit()
    return selection, secretariat


def test_a_render_crash_leaves_the_numbered_document_pending_until_retried(app, monkeypatch):
    selection, secretariat = _in_approval()

    def crash(*args, **kwargs):
        raise RuntimeError("renderer crashed halfway")

    monkeypatch.setattr(render, "render_pdf", crash)
    result = fire(selection, "publish_announcement", secretariat)  # the job's failure is logged
    db.session.expire_all()
    document = db.session.get(IssuedDocument, result.outputs["documents"][0])
    assert selection.state == "announcement"  # the transition happened, with its number
    assert (document.status, document.seq, document.file_id) == ("pending", 1, None)
    assert "renderer crashed halfway" in document.last_error
    code = document.verification_code

    monkeypatch.undo()
    assert documents.issue_all_pending() == (1, [])
    db.session.expire_all()
    document = db.session.get(IssuedDocument, document.id)
    assert (document.status, document.seq, document.verification_code) == ("issued", 1, code)
    assert document.number.startswith("800/01-Pansel/")
    assert document.verification_code in pdf_text(documents.document_bytes(document))
    assert documents.issue_all_pending() == (0, [])  # idempotent


def test_transitions_record_their_documents_in_the_outputs(app) -> None:
    selection, secretariat = _in_approval()
    result = fire(selection, "publish_announcement", secretariat)
    ids = result.outputs["documents"]
    assert len(ids) == 1
    document = db.session.get(IssuedDocument, ids[0])
    assert document.subject == {"event": "publish_announcement"}
    assert document.issued_by_id == secretariat.id
    assert document.selection_id == selection.id


@real_pdf
def test_the_trail_export_is_registered_once_per_chain_state(stages, app) -> None:
    built = stages.scenario()
    first = documents.export_audit_trail(db.session, built.selection, built.auditor)
    again = documents.export_audit_trail(db.session, built.selection, built.auditor)
    assert again.id == first.id
    assert first.number == f"AUDIT/{first.year}/0001"
    _issue(built, "extension_notice")  # a new event: the chain has changed
    later = documents.export_audit_trail(db.session, built.selection, built.auditor)
    assert later.id != first.id and later.seq == 2


@pytest.mark.postgres
def test_ten_threads_issue_distinct_gapless_numbers(app) -> None:
    built = scenario.build()
    selection_id, user_id = built.selection.id, built.secretariat.id
    at = scenario.ISSUE_TIMES["announcement"]
    context = document_contexts.build_context(
        db.session, "announcement", built.selection, issued_at=at, actor=built.secretariat
    )
    db.session.remove()
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    numbers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with app.app_context():
            try:
                selection = db.session.get(Selection, selection_id)
                actor = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                document = documents.issue_document(
                    db.session,
                    kind="announcement",
                    selection=selection,
                    actor=actor,
                    context=context,
                    issued_at=at,
                )
                db.session.commit()
                with lock:
                    numbers.append(document.number)
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == [f"800/{n:02d}-Pansel/2018" for n in range(1, 11)]
    seqs = db.session.scalars(
        sa.select(IssuedDocument.seq).where(IssuedDocument.series == "announcement")
    ).all()
    assert sorted(seqs) == list(range(1, 11))
    assert db.session.scalar(sa.select(DocumentCounter.last_seq)) == 10
    assert audit.verify_all(db.session).ok


@real_pdf
def test_the_engine_issues_every_kind_on_its_transitions(app) -> None:
    """Drive a two-post selection through every stage with the real guards and actions."""
    from openbid.models import Application
    from openbid.stages import appointment
    from tests.interview_factories import (
        current,
        make_ppk,
        record_recommendation,
        selection_in_appointment,
    )

    setup = selection_in_appointment(
        make_agency(numbering_patterns=scenario.PATTERNS), positions=2, per_post=4
    )
    record_recommendation(setup)
    ppk = make_ppk(setup)
    for position in setup.selection.positions:
        appointment.appoint(db.session.get(Application, current(position.id).shortlist[0]), ppk)
    result = fire(setup.selection, "complete", setup.secretariat)
    assert len(result.outputs["documents"]) == 2  # the decree and the report

    issued = db.session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == setup.selection.id)
        .order_by(IssuedDocument.id)
    ).all()
    assert [d.kind for d in issued] == [
        "announcement",
        "screening_minutes",
        "screening_announcement",
        "results_announcement",
        "plenary_minutes",
        "top_three_announcement",
        "decree",
        "oversight_report",
    ]
    by_series: dict[tuple[str, int], list[int]] = {}
    for document in issued:
        by_series.setdefault((document.series, document.year), []).append(document.seq)
        text = pdf_text(documents.document_bytes(document))
        assert document.verification_code in text, document.kind
    for seqs in by_series.values():
        assert seqs == list(range(1, len(seqs) + 1))  # in issue order, without gaps
    decree = " ".join(pdf_text(documents.document_bytes(issued[6])).split())
    for position in setup.selection.positions:
        winner = db.session.get(Application, current(position.id).shortlist[0])
        assert winner.candidate.name in decree
    assert "B-3561/KASN/12/2018" in "".join(decree.split())  # the result recommendation
    assert audit.verify_all(db.session).ok


@real_pdf
def test_extending_registration_issues_the_notice(app, monkeypatch) -> None:
    from openbid.stages import announcement
    from tests.announcement_support import apply, extension_letter, install_clock, published, wib

    movable = install_clock(monkeypatch)
    selection, secretariat = make_selection(make_agency(numbering_patterns=scenario.PATTERNS))
    published(selection, secretariat, movable, wib(2018, 11, 19, 8, 0))
    apply(selection.positions[0], submitted=3)
    movable.set(wib(2018, 12, 5, 8, 0))
    result = announcement.extend_registration(
        selection, secretariat, reason="Pelamar kurang dari 4 orang", **extension_letter()
    )
    notice = db.session.get(IssuedDocument, result.outputs["documents"][0])
    assert notice.kind == "extension_notice"
    assert notice.number == "800/02-Pansel/2018"  # after the announcement, same series
    assert notice.title == "Pengumuman Perpanjangan ke-1 Masa Pendaftaran"
    text = " ".join(pdf_text(documents.document_bytes(notice)).split())
    assert "800/01-Pansel/2018" in text  # cites the announcement it extends
    assert "3 orang" in text and "Kepala Dinas 1" in text
