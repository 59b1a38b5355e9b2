"""Drive the demo selection through its stages with the same services the views use.

``flask --app wsgi openbid demo --through STATE`` calls ``advance``. The story follows the
2018 Kota Tangerang case on a simulated clock (November 2018 to January 2019), so the
documents carry the dates a real run would have had. Thirteen candidates apply to three
posts: one too old (57+), one below rank IV/b, one without LHKPN, one with a recent
moderate sanction; the Bappeda post is short at the first close and is extended once with
KASN's approval, and ends with only two qualified, so the committee records an override.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage

from openbid import clock, demo
from openbid.demo import SimulatedClock, simulated_clock
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    AuditEvent,
    IssuedDocument,
    Position,
    Selection,
    SelectionEvent,
    SelectionState,
    User,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.stages import (
    announcement,
    appointment,
    assessment,
    interview,
    oversight,
    screening,
)
from openbid.stages import applications as portal
from openbid.storage import storage
from openbid.workflow import definition_of, fire

ORDER = [
    SelectionState.DRAFT,
    SelectionState.APPROVAL,
    SelectionState.ANNOUNCEMENT,
    SelectionState.ADMINISTRATIVE_SCREENING,
    SelectionState.COMPETENCY_ASSESSMENT,
    SelectionState.INTERVIEW,
    SelectionState.APPOINTMENT,
    SelectionState.COMPLETED,
]
TARGETS = [*ORDER, SelectionState.CANCELLED]

# Which post each candidate applies to (by index in demo.POSITIONS) and what makes them
# (in)eligible; the rest of their profile is a typical eligible head-of-department profile.
APPLICANTS = {
    "kandidat01": (0, {}),
    "kandidat02": (0, {}),
    "kandidat03": (0, {}),
    "kandidat04": (0, {"rank": "IV/c"}),
    "kandidat05": (0, {}),  # born 4 Nov 1960: 58 at the reference date
    "kandidat06": (1, {}),
    "kandidat07": (1, {}),
    "kandidat08": (1, {"rank": "IV/c"}),
    "kandidat09": (1, {"rank": "IV/a"}),  # below the minimum rank IV/b
    "kandidat10": (2, {"rank": "IV/c"}),
    "kandidat11": (2, {}),
    "kandidat12": (2, {"lhkpn_lodged": ""}),  # no wealth report lodged
    "kandidat13": (2, {"sanction_level": "sedang", "sanction_date": "2017-08-14"}),
}
LATE_APPLICANT = "kandidat13"  # applies during the extension
CURRENT_POSITIONS = {
    0: "Sekretaris Dinas Pendidikan",
    1: "Sekretaris Dinas Kesehatan",
    2: "Sekretaris Badan Perencanaan Pembangunan Daerah",
}
# Competency-stage results: assessment centre, paper, track record.
RESULTS = {
    "kandidat01": ("82.50", "80.00", "85.00"),
    "kandidat02": ("78.25", "84.00", "80.00"),
    "kandidat03": ("74.00", "76.50", "82.00"),
    "kandidat04": ("80.75", "79.00", "78.00"),
    "kandidat06": ("84.00", "81.00", "83.00"),
    "kandidat07": ("76.50", "78.00", "80.00"),
    "kandidat08": ("79.00", "82.50", "79.00"),
    "kandidat10": ("81.00", "80.50", "84.00"),
    "kandidat11": ("77.75", "83.00", "81.00"),
}
INTERVIEW_BASE = {
    "kandidat01": 84,
    "kandidat02": 80,
    "kandidat03": 77,
    "kandidat04": 82,
    "kandidat06": 85,
    "kandidat07": 79,
    "kandidat08": 81,
    "kandidat10": 83,
    "kandidat11": 80,
}
# The PPK picks rank 2 for the health post: the rank does not bind the PPK.
PICK_RANK = {0: 1, 1: 2, 2: 1}


class DemoError(RuntimeError):
    """The demo could not advance; the message says where and why."""


def _pdf(title: str) -> bytes:
    """Return a one-page PDF standing in for a scanned document."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title, "/Producer": "openbid demo"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _user(local: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == demo._email(local))).one()


def _selection() -> Selection:
    selection = demo.demo_selection()
    if selection is None:
        raise DemoError("the demo selection is not loaded")
    db.session.refresh(selection)
    return selection


def _positions(selection: Selection) -> list[Position]:
    return db.session.scalars(
        sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
    ).all()


def _applications(selection: Selection, *states: str) -> list[Application]:
    stmt = (
        sa.select(Application)
        .join(Position)
        .where(Position.selection_id == selection.id)
        .order_by(Application.id)
    )
    if states:
        stmt = stmt.where(Application.state.in_(states))
    return db.session.scalars(stmt).all()


def _local(user: User) -> str:
    return user.email.split("@", 1)[0]


def _profile(local: str, nip: str, post: int, extra: dict) -> dict:
    raw = {
        "name": _user(local).name,
        "nip": nip,
        "birth_place": "Tangerang",
        "phone": "0812-8000-" + local[-2:].rjust(4, "0"),
        "rank": "IV/b",
        "education": "S2",
        "education_major": "Administrasi Publik",
        "is_pns": "1",
        "agency_name": "Pemerintah Kota Tangerang",
        "current_position": CURRENT_POSITIONS[post],
        "current_position_since": "2015-01-05",
        "related_experience_years": "12",
        "history": [
            {
                "position": CURRENT_POSITIONS[post],
                "level": "administrator",
                "start": "2015-01-05",
                "end": "",
            },
            {
                "position": "Kepala Bidang",
                "level": "other",
                "start": "2010-03-01",
                "end": "2015-01-04",
            },
        ],
        "ratings": [{"year": "2017", "rating": "sangat_baik"}, {"year": "2016", "rating": "baik"}],
        "sanction_level": "none",
        "lhkpn_lodged": "1",
        "own_ppk_approval": "1",
    }
    raw.update(extra)
    return raw


def _apply(local: str, nip: str, post: int, extra: dict, positions: list[Position]) -> None:
    candidate = _user(local)
    portal.save_profile(candidate, _profile(local, nip, post, extra))
    application = portal.start_application(candidate, positions[post])
    for code, doc in REQUIRED_DOCUMENTS.items():
        data = _pdf(f"{doc.name_id} - {candidate.name}")
        upload = FileStorage(
            stream=io.BytesIO(data), filename=f"{code}.pdf", content_type="application/pdf"
        )
        portal.upload_document(
            application, candidate, code, upload, current_app.config["UPLOAD_MAX_BYTES"]
        )
    fire(application, ApplicationEvent.SUBMIT, candidate)


def _in_indonesian(reasons: list) -> str:
    with current_app.test_request_context(), force_locale("id"):
        return "; ".join(reason_text(r) for r in reasons)


class Runner:
    """Advance the demo selection one stage at a time, printing what it issued."""

    def __init__(self, echo: Callable[[str], None], fake: SimulatedClock) -> None:
        self.echo = echo
        self.clock = fake
        self.secretariat = _user("lutfi")
        self.ppk = _user("walikota")
        self.kasn = _user(demo.KASN_REVIEWER[0])
        self.members = [_user(m[0]) for m in demo.COMMITTEE]

    def report(self, result) -> None:
        """Print the PDFs a transition issued."""
        for document_id in (result.outputs or {}).get("documents", []):
            self.echo("  issued " + document_line(db.session.get(IssuedDocument, document_id)))

    def draft(self, selection: Selection) -> None:
        self.clock.at(date(2018, 10, 29))
        result = fire(selection, SelectionEvent.SUBMIT_FOR_APPROVAL, self.secretariat)
        self.echo("draft -> approval: the plan went to KASN")
        self.report(result)

    def approval(self, selection: Selection) -> None:
        self.clock.at(date(2018, 11, 15))
        result = oversight.approve_plan(selection, self.kasn)
        self.echo("  KASN gave its recommendation in openbid")
        self.report(result)
        self.clock.at(date(2018, 11, 19))
        result = announcement.publish(_selection(), self.secretariat)
        self.echo("approval -> announcement: announcement published")
        self.report(result)

    def announcement(self, selection: Selection) -> None:
        positions = _positions(selection)
        nips = {local: nip for local, _name, nip in demo.CANDIDATES}
        self.clock.at(date(2018, 11, 21))
        for local, (post, extra) in APPLICANTS.items():
            if local != LATE_APPLICANT:
                _apply(local, nips[local], post, extra, positions)
        self.echo(f"  {len(APPLICANTS) - 1} candidates applied with every document")
        selection = _selection()
        self.clock.moment = max(
            self.clock.moment, selection.registration_closes_at + timedelta(hours=9)
        )
        result = announcement.extend_registration(
            selection,
            self.secretariat,
            reason="Jumlah pelamar Kepala Bappeda kurang dari 4 orang pada penutupan pendaftaran.",
            letter_number="B-4107/KASN/12/2018",
            letter_date=clock.today_jakarta(),
            subject="Persetujuan Perpanjangan Pendaftaran Seleksi Terbuka JPT Pratama",
            pdf=_pdf("Persetujuan perpanjangan KASN B-4107/KASN/12/2018"),
            filename="persetujuan-perpanjangan.pdf",
        )
        self.echo("  registration extended once for the Bappeda post, with KASN's approval")
        self.report(result)
        post, extra = APPLICANTS[LATE_APPLICANT]
        _apply(LATE_APPLICANT, nips[LATE_APPLICANT], post, extra, positions)
        selection = _selection()
        self.clock.moment = max(
            self.clock.moment, selection.registration_closes_at + timedelta(hours=9)
        )
        result = announcement.close_registration(selection, self.secretariat)
        self.echo("announcement -> administrative_screening: registration closed")
        self.report(result)

    def administrative_screening(self, selection: Selection) -> None:
        chair = self.members[0]
        for item in screening.screen(selection, screening.applications_to_screen(selection)):
            failed = [r.reason for r in item.results if not r.passed and r.reason is not None]
            reason = "" if not failed else _in_indonesian(failed)
            screening.record_verdict(item.application, chair, not failed, reason)
        result = fire(_selection(), SelectionEvent.CLOSE_SCREENING, self.secretariat)
        self.echo("administrative_screening -> competency_assessment: verdicts recorded")
        self.report(result)

    def competency_assessment(self, selection: Selection) -> None:
        self.clock.at(date(2018, 12, 20))
        for application in _applications(selection, ApplicationState.ELIGIBLE):
            score, paper, track = RESULTS[_local(application.candidate)]
            assessment.save_result(
                application,
                self.secretariat,
                assessment_score=score,
                assessment_category="memenuhi_syarat"
                if Decimal(score) >= 80
                else "masih_memenuhi_syarat",
                assessed_on=date(2018, 12, 18),
                assessment_centre="UPT Penilaian Kompetensi BKD Provinsi Banten",
                paper_score=paper,
                track_record_score=track,
                health_fit="fit",
                psych_fit="fit",
            )
        result = fire(_selection(), SelectionEvent.CLOSE_ASSESSMENT, self.secretariat)
        self.echo("competency_assessment -> interview: results entered")
        self.report(result)

    def interview(self, selection: Selection) -> None:
        self.clock.at(date(2019, 1, 7))
        eligible = _applications(selection, ApplicationState.ELIGIBLE)
        # The provincial member knows one candidate personally: declared and recused.
        recused = (self.members[5], eligible[0])
        interview.declare_conflict(*recused, "Pernah menjadi atasan langsung pelamar (2012-2015).")
        for offset, member in enumerate(self.members):
            for application in eligible:
                if (member, application) == recused:
                    continue
                base = INTERVIEW_BASE[_local(application.candidate)]
                interview.submit_score(member, application, str(base + (offset % 3) - 1))
        result = fire(_selection(), SelectionEvent.CLOSE_INTERVIEW, self.secretariat)
        self.echo("interview -> appointment: scores closed, ranking and the three best frozen")
        self.report(result)

    def appointment(self, selection: Selection) -> None:
        self.clock.at(date(2019, 1, 11))
        for position in _positions(selection):
            params = definition_of(selection).params(selection.parameters)
            if appointment.shortage_reasons(db.session, _selection(), params, [position.id]):
                appointment.record_override_letter(
                    position,
                    self.secretariat,
                    letter_number="B-0112/KASN/01/2019",
                    letter_date=date(2019, 1, 9),
                    authority="KASN",
                    notes="Hanya dua pelamar yang memenuhi syarat; seleksi dilanjutkan.",
                )
                self.echo(f"  override recorded for {position.name}: fewer than three qualified")
        result = oversight.recommend_results(_selection(), self.kasn)
        self.echo("  KASN gave its recommendation on the three best in openbid")
        self.report(result)
        self.clock.at(date(2019, 1, 14))
        for index, position in enumerate(_positions(selection)):
            result = appointment.current_result(db.session, position.id)
            shortlist = list(result.shortlist)
            pick = shortlist[min(PICK_RANK[index], len(shortlist)) - 1]
            chosen = db.session.get(Application, pick)
            appointment.appoint(chosen, self.ppk)
            self.echo(f"  the PPK appointed {chosen.candidate.name} as {position.name}")
        result = fire(_selection(), SelectionEvent.COMPLETE, self.secretariat)
        self.echo("appointment -> completed: the appointment decree is issued")
        self.report(result)


def document_path(document: IssuedDocument) -> Path:
    """Return where the local file storage keeps an issued PDF."""
    digest = document.sha256
    return Path(storage().root) / digest[:2] / digest[2:4] / digest


def document_line(document: IssuedDocument) -> str:
    """Return one line naming an issued PDF: kind, number and path."""
    return f"{document.kind:<24} {document.number:<28} {document_path(document)}"


def issued_documents(selection: Selection) -> list[IssuedDocument]:
    """Return the PDFs issued for the selection, oldest first."""
    return db.session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == selection.id)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)
    ).all()


def _last_event_at(selection: Selection) -> datetime | None:
    """Return when the selection's latest audit event happened."""
    return db.session.scalar(
        sa.select(sa.func.max(AuditEvent.occurred_at)).where(
            AuditEvent.selection_id == selection.id
        )
    )


@dataclass
class Progress:
    """What advance() did: the states the selection went through, the first its start."""

    selection: Selection
    states: list[str] = field(default_factory=list)


def advance(through: str, echo: Callable[[str], None] = print) -> Progress:
    """Advance the demo selection until it reaches through (any selection state).

    echo receives a line per step and per PDF issued.

    :raises DemoError: for an unknown state, or one the selection has already passed.
    """
    if through not in TARGETS:
        raise DemoError(f"unknown state {through!r}; choose one of: {', '.join(TARGETS)}")
    selection = _selection()
    progress = Progress(selection, [selection.state])
    if selection.state == through:
        return progress
    if selection.state in {SelectionState.COMPLETED, SelectionState.CANCELLED} or (
        through != SelectionState.CANCELLED and ORDER.index(selection.state) > ORDER.index(through)
    ):
        raise DemoError(
            f"the demo selection is already in {selection.state}, past {through}; "
            "start from a fresh database to replay it"
        )
    # A later run resumes the story where the last one stopped, so time never runs backwards.
    with simulated_clock(demo.STORY_START, after=_last_event_at(selection)) as fake:
        runner = Runner(echo, fake)
        if through == SelectionState.CANCELLED:
            result = fire(
                selection,
                SelectionEvent.CANCEL,
                runner.secretariat,
                {"reason": "Dibatalkan untuk demonstrasi."},
            )
            echo(f"{selection.state} -> cancelled")
            runner.report(result)
            selection = _selection()
            progress.states.append(selection.state)
        while selection.state != through:
            getattr(runner, selection.state)(selection)
            selection = _selection()
            progress.states.append(selection.state)
    progress.selection = selection
    return progress
