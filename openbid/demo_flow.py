"""Drive the demo selection through its stages with the same services the views use.

``flask --app wsgi openbid demo --through STATE`` calls ``advance``. The story follows the
2018 Kota Tangerang case on a simulated clock (November 2018 to January 2019), so the
documents carry the dates a real run would have had. Thirteen candidates apply to three
posts: one too old (57+), one below rank IV/b, one without LHKPN, one with a recent
moderate sanction; the Bappeda post is short at the first close and is extended once with
KASN's approval given in openbid on the secretariat's request, and ends with only two qualified,
so the committee records an override; KASN acknowledges the final report in openbid.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage

from openbid import demo
from openbid.demo import SimulatedClock, simulated_clock
from openbid.demo_stories import Story
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

# Kota Tangerang's story, as the tests name it.
APPLICANTS = demo.KOTA.applicants
LATE_APPLICANT = demo.KOTA.late_applicant
RESULTS = demo.KOTA.results
INTERVIEW_BASE = demo.KOTA.interview_base
PICK_RANK = demo.KOTA.pick_rank


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


def _user(story: Story, local: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == story.email(local))).one()


def _selection(story: Story) -> Selection:
    selection = demo.story_selection(story)
    if selection is None:
        raise DemoError(f"the demo selection of {story.agency['name']} is not loaded")
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


def _story_profile(story: Story, local: str, nip: str, post: int, extra: dict) -> dict:
    current = story.current_positions[post]
    raw = {
        "name": _user(story, local).name,
        "nip": nip,
        "birth_place": story.birth_place,
        "phone": "0812-8000-" + local[-2:].rjust(4, "0"),
        "rank": "IV/b",
        "education": "S2",
        "education_major": "Administrasi Publik",
        "is_pns": "1",
        "agency_name": story.agency["name"],
        "current_position": current,
        "current_position_since": "2015-01-05",
        "related_experience_years": "12",
        "history": [
            {"position": current, "level": "administrator", "start": "2015-01-05", "end": ""},
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


def _profile(local: str, nip: str, post: int, extra: dict) -> dict:
    """Return a Kota Tangerang candidate's profile form (the API tests fill it in too)."""
    return _story_profile(demo.KOTA, local, nip, post, extra)


def _apply(story: Story, local: str, positions: list[Position]) -> None:
    nip = next(n for candidate, _name, n in story.candidates if candidate == local)
    post, extra = story.applicants[local]
    candidate = _user(story, local)
    portal.save_profile(candidate, _story_profile(story, local, nip, post, extra))
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


# A stage's steps, in order; the stages not named here are one step of the same name. Every
# selection takes a step before any takes the next, so one shared clock serves them all.
PHASES = {SelectionState.ANNOUNCEMENT: ("take_applications", "close_registration")}


class Runner:
    """Advance one story's selection one step at a time, printing what it issued."""

    def __init__(self, story: Story, echo: Callable[[str], None], fake: SimulatedClock) -> None:
        self.story = story
        self.echo = echo
        self.clock = fake
        self.secretariat = _user(story, story.secretariat)
        self.ppk = _user(story, story.ppk)
        self.kasn = _user(demo.KOTA, demo.KASN_REVIEWER[0])
        self.members = [_user(story, m[0]) for m in story.committee]

    def say(self, line: str) -> None:
        """Print a step, naming the agency."""
        self.echo(f"{self.story.agency['region_name']}: {line}")

    def report(self, result) -> None:
        """Print the PDFs a transition issued."""
        for document_id in (result.outputs or {}).get("documents", []):
            self.echo("  issued " + document_line(db.session.get(IssuedDocument, document_id)))

    def draft(self, selection: Selection) -> None:
        self.clock.at(date(2018, 10, 29))
        result = fire(selection, SelectionEvent.SUBMIT_FOR_APPROVAL, self.secretariat)
        self.say("draft -> approval: the plan went to KASN")
        self.report(result)

    def approval(self, selection: Selection) -> None:
        self.clock.at(date(2018, 11, 15))
        result = oversight.approve_plan(selection, self.kasn)
        self.say("KASN gave its recommendation in openbid")
        self.report(result)
        self.clock.at(date(2018, 11, 19))
        result = announcement.publish(_selection(self.story), self.secretariat)
        self.say("approval -> announcement: announcement published")
        self.report(result)

    def take_applications(self, selection: Selection) -> None:
        positions = _positions(selection)
        self.clock.at(date(2018, 11, 21))
        for local in self.story.applicants:
            if local != self.story.late_applicant:
                _apply(self.story, local, positions)
        on_time = len(self.story.applicants) - (1 if self.story.late_applicant else 0)
        self.echo(f"  {on_time} candidates applied with every document")

    def close_registration(self, selection: Selection) -> None:
        self.clock.moment = max(
            self.clock.moment, selection.registration_closes_at + timedelta(hours=9)
        )
        if self.story.late_applicant is not None:
            self._extend(selection)
            selection = _selection(self.story)
            self.clock.moment = max(
                self.clock.moment, selection.registration_closes_at + timedelta(hours=9)
            )
        result = announcement.close_registration(selection, self.secretariat)
        self.say("announcement -> administrative_screening: registration closed")
        self.report(result)

    def _extend(self, selection: Selection) -> None:
        """Ask KASN for the extension in openbid; KASN approves; the secretariat extends."""
        reason = "Jumlah pelamar Kepala Bappeda kurang dari 4 orang pada penutupan pendaftaran."
        oversight.request_extension(selection, self.secretariat, reason=reason)
        self.say("the secretariat asked KASN in openbid to extend registration")
        self.clock.moment += timedelta(hours=4)
        result = oversight.approve_extension(_selection(self.story), self.kasn)
        self.say("KASN approved the extension in openbid")
        self.report(result)
        self.clock.moment += timedelta(hours=2)
        result = fire(
            _selection(self.story),
            SelectionEvent.EXTEND_REGISTRATION,
            self.secretariat,
            {"reason": reason},
        )
        self.echo("  registration extended once for the Bappeda post, with KASN's approval")
        self.report(result)
        _apply(self.story, self.story.late_applicant, _positions(selection))

    def administrative_screening(self, selection: Selection) -> None:
        chair = self.members[0]
        for item in screening.screen(selection, screening.applications_to_screen(selection)):
            failed = [r.reason for r in item.results if not r.passed and r.reason is not None]
            reason = "" if not failed else _in_indonesian(failed)
            screening.record_verdict(item.application, chair, not failed, reason)
        result = fire(_selection(self.story), SelectionEvent.CLOSE_SCREENING, self.secretariat)
        self.say("administrative_screening -> competency_assessment: verdicts recorded")
        self.report(result)

    def competency_assessment(self, selection: Selection) -> None:
        self.clock.at(date(2018, 12, 20))
        for application in _applications(selection, ApplicationState.ELIGIBLE):
            score, paper, track = self.story.results[_local(application.candidate)]
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
        result = fire(_selection(self.story), SelectionEvent.CLOSE_ASSESSMENT, self.secretariat)
        self.say("competency_assessment -> interview: results entered")
        self.report(result)

    def interview(self, selection: Selection) -> None:
        self.clock.at(date(2019, 1, 7))
        eligible = _applications(selection, ApplicationState.ELIGIBLE)
        recused = None
        if self.story.recusal is not None:
            member, candidate = self.story.recusal
            recused = (self.members[member], eligible[candidate])
            interview.declare_conflict(
                *recused, "Pernah menjadi atasan langsung pelamar (2012-2015)."
            )
        for offset, member in enumerate(self.members):
            for application in eligible:
                if (member, application) == recused:
                    continue
                base = self.story.interview_base[_local(application.candidate)]
                interview.submit_score(member, application, str(base + (offset % 3) - 1))
        result = fire(_selection(self.story), SelectionEvent.CLOSE_INTERVIEW, self.secretariat)
        self.say("interview -> appointment: scores closed, ranking and the three best frozen")
        self.report(result)

    def appointment(self, selection: Selection) -> None:
        self.clock.at(date(2019, 1, 11))
        self._overrides(selection)
        result = oversight.recommend_results(_selection(self.story), self.kasn)
        self.say("KASN gave its recommendation on the three best in openbid")
        self.report(result)
        self.clock.at(date(2019, 1, 14))
        for index, position in enumerate(_positions(selection)):
            result = appointment.current_result(db.session, position.id)
            shortlist = list(result.shortlist)
            pick = shortlist[min(self.story.pick_rank[index], len(shortlist)) - 1]
            chosen = db.session.get(Application, pick)
            appointment.appoint(chosen, self.ppk)
            self.echo(f"  the PPK appointed {chosen.candidate.name} as {position.name}")
        result = fire(_selection(self.story), SelectionEvent.COMPLETE, self.secretariat)
        self.say("appointment -> completed: the appointment decree is issued")
        self.report(result)
        self.clock.at(date(2019, 1, 16))
        oversight.acknowledge_report(_selection(self.story), self.kasn)
        self.say("KASN acknowledged receipt of the final report in openbid")

    def _overrides(self, selection: Selection) -> None:
        """Record the oversight body's letter for each post with fewer than three qualified."""
        params = definition_of(selection).params(selection.parameters)
        for position in _positions(selection):
            if not appointment.shortage_reasons(
                db.session, _selection(self.story), params, [position.id]
            ):
                continue
            if self.story.letters.override is None:
                raise DemoError(f"{position.name} has fewer than three qualified")
            number, day = self.story.letters.override
            appointment.record_override_letter(
                position,
                self.secretariat,
                letter_number=number,
                letter_date=day,
                authority="KASN",
                notes="Hanya dua pelamar yang memenuhi syarat; seleksi dilanjutkan.",
            )
            self.echo(f"  override recorded for {position.name}: fewer than three qualified")


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
    """What advance() did to one selection: the states it went through, the first its start."""

    selection: Selection
    states: list[str] = field(default_factory=list)


def _check_target(through: str, selections: list[Selection]) -> None:
    """:raises DemoError: for an unknown state, or one a selection has already passed."""
    if through not in TARGETS:
        raise DemoError(f"unknown state {through!r}; choose one of: {', '.join(TARGETS)}")
    for selection in selections:
        if selection.state == through:
            continue
        if selection.state in {SelectionState.COMPLETED, SelectionState.CANCELLED} or (
            through != SelectionState.CANCELLED
            and ORDER.index(selection.state) > ORDER.index(through)
        ):
            raise DemoError(
                f"the demo selection {selection.title!r} is already in {selection.state}, "
                f"past {through}; start from a fresh database to replay it"
            )


def advance(through: str, echo: Callable[[str], None] = print) -> list[Progress]:
    """Advance every demo agency's selection until it reaches through (any selection state).

    Kota Tangerang's comes first in the answer. echo receives a line per step and per PDF
    issued.

    :raises DemoError: for an unknown state, or one a selection has already passed.
    """
    selections = [_selection(story) for story in demo.STORIES]
    _check_target(through, selections)
    progress = [Progress(selection, [selection.state]) for selection in selections]
    if all(selection.state == through for selection in selections):
        return progress
    last = max((_last_event_at(s) for s in selections), default=None, key=_moment)
    # A later run resumes the story where the last one stopped, so time never runs backwards.
    with simulated_clock(demo.STORY_START, after=last) as fake:
        runners = [Runner(story, echo, fake) for story in demo.STORIES]
        if through == SelectionState.CANCELLED:
            for runner, item in zip(runners, progress, strict=True):
                _cancel(runner, item)
        for stage in ORDER[: ORDER.index(through)] if through in ORDER else ():
            for step in PHASES.get(stage, (stage,)):
                for runner in runners:
                    selection = _selection(runner.story)
                    if selection.state == stage:
                        getattr(runner, step)(selection)
            for runner, item in zip(runners, progress, strict=True):
                state = _selection(runner.story).state
                if state != item.states[-1]:
                    item.states.append(state)
    for runner, item in zip(runners, progress, strict=True):
        item.selection = _selection(runner.story)
    return progress


def _moment(value: datetime | None) -> datetime:
    return value or datetime.min.replace(tzinfo=UTC)


def _cancel(runner: Runner, item: Progress) -> None:
    selection = _selection(runner.story)
    if selection.state == SelectionState.CANCELLED:
        return
    result = fire(
        selection,
        SelectionEvent.CANCEL,
        runner.secretariat,
        {"reason": "Dibatalkan untuk demonstrasi."},
    )
    runner.say(f"{selection.state} -> cancelled")
    runner.report(result)
    item.states.append(_selection(runner.story).state)
