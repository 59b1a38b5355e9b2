"""Factories that bring a selection to a later stage through the workflow engine.

Candidates get a complete CandidateProfile and every required document (a real one-page PDF
stored with ``storage.store``); applications are created with
``stages.common.applications.create_application`` and submitted with ``fire(app, "submit", ...)``
while the registration window is open; the selection is published after its approval letters
are on file, and registration is closed once its window has passed. Time is moved with
``clock_at`` (``openbid.clock.now`` patched for the block), so guards that look at
the clock see a consistent 2018.

Typical use::

    setup = selection_in_screening(make_agency(), candidates=[[{"nip": OLD_NIP}]])
    setup.applications[0]            # the first post's first application, "submitted"
    setup = selection_in_assessment(make_agency())   # every application eligible
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

import openbid.clock as clock
from openbid import storage
from openbid.extensions import db
from openbid.models import (
    Agency,
    Application,
    ApplicationDocument,
    Approval,
    CandidateProfile,
    Role,
    Selection,
    User,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.rules.nip import parse_nip
from openbid.stages import planning as selection_service
from openbid.stages.common.applications import create_application
from openbid.workflow import definition_of, fire
from tests.factories import Numbers, make_selection, make_user
from tests.pdfs import tiny_pdf

if TYPE_CHECKING:
    from openbid.stages.planning import RegistrationInput, ScheduleInput

_serial = Numbers("serials")

# Registration of the default 2018 selection: published on Tuesday 20 November 2018 at
# 09:00 WIB; submissions the next day; registration is closed after its window has passed.
PUBLISH_AT = datetime(2018, 11, 20, 2, 0, tzinfo=UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make ``openbid.clock.now()`` return moment inside the block."""
    original = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = original


def make_nip(
    birth: date = date(1970, 1, 15), cpns: date = date(1995, 3, 1), gender: int = 1
) -> str:
    """Return a valid, unique NIP for a birth date, CPNS start and gender (1 male, 2 female)."""
    serial = next(_serial) % 1000 or 1
    return f"{birth:%Y%m%d}{cpns:%Y%m}{gender}{serial:03d}"


def profile_fields(year: int = 2018, **overrides: Any) -> dict[str, Any]:
    """Return the fields of a complete, eligible CandidateProfile for a selection in year."""
    fields: dict[str, Any] = {
        "nip": make_nip(),
        "rank": "IV/b",
        "education": "S2",
        "education_major": "Administrasi Publik",
        "is_pns": True,
        "birth_place": "Tangerang",
        "phone": "0812-1000-2000",
        "agency_name": "Pemerintah Kota Tangerang",
        "current_position": "Sekretaris Dinas",
        "current_position_since": date(year - 4, 1, 2),
        "related_experience_years": 12.0,
        "admin_years": 4.0,
        "performance_ratings": [
            {"year": year - 1, "rating": "sangat_baik"},
            {"year": year - 2, "rating": "baik"},
        ],
        "sanction_level": "none",
        "sanction_date": None,
        "under_disciplinary_examination": False,
        "lhkpn_lodged": True,
        "own_ppk_approval": True,
    }
    fields.update(overrides)
    return fields


def make_candidate(name: str | None = None, *, year: int = 2018, **profile: Any) -> User:
    """Create a candidate user with a complete profile (overrides in profile)."""
    user = make_user(Role.CANDIDATE, name=name)
    user.email_confirmed_at = datetime(year - 1, 6, 1, tzinfo=UTC)
    fields = profile_fields(year, **profile)
    try:
        nip = parse_nip(str(fields["nip"]))
        birth, gender = nip.birth_date, nip.gender
    except ValueError:  # a deliberately bad NIP: the profile still needs these columns
        birth, gender = date(1970, 1, 1), "M"
    fields.setdefault("birth_date", birth)
    fields.setdefault("gender", gender)
    db.session.add(CandidateProfile(user_id=user.id, **fields))
    db.session.commit()
    return user


def upload_documents(
    application: Application, codes: Sequence[str] | None = None, *, commit: bool = True
) -> list[ApplicationDocument]:
    """Attach a PDF for each document code (every required one by default)."""
    rows = []
    for code in REQUIRED_DOCUMENTS if codes is None else codes:
        stored = storage.store(db.session, tiny_pdf(f"{code} {application.id}"), "application/pdf")
        row = ApplicationDocument(
            application_id=application.id,
            doc_type=code,
            file_id=stored.id,
            original_name=f"{code}.pdf",
            uploaded_by_id=application.candidate_id,
        )
        db.session.add(row)
        rows.append(row)
    if commit:
        db.session.commit()
    return rows


def record_gates(
    selection: Selection,
    actor: User,
    letters: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Put a letter on file for every approval gate of the selection's definition.

    ``letters[gate code]`` overrides the letter's fields (``letter_number``, ``letter_date``,
    ``authority``, ``subject``).
    """
    letter = storage.store(db.session, tiny_pdf("approval letter"), "application/pdf")
    for gate in definition_of(selection).approval_gates:
        fields = {
            "authority": str(gate.get("authority", "")),
            "letter_number": f"B-{next(_serial)}/{gate['code']}/2018",
            "letter_date": date(selection.start_date.year, 11, 1),
            "subject": str(gate.get("label", "")),
            **dict((letters or {}).get(gate["code"], {})),
        }
        db.session.add(
            Approval(
                selection_id=selection.id,
                purpose=f"gate:{gate['code']}",
                file_id=letter.id,
                recorded_by_id=actor.id,
                **fields,
            )
        )
    db.session.commit()


def publish(
    selection: Selection,
    secretariat: User,
    at: datetime = PUBLISH_AT,
    *,
    letters: Mapping[str, Mapping[str, Any]] | None = None,
    approval_at: datetime | None = None,
) -> None:
    """Send the draft plan for approval, put its letters on file and publish at ``at``.

    ``letters`` overrides the gates' letters (see ``record_gates``); ``approval_at`` is when
    the plan is sent for approval (``at`` by default).
    """
    if selection.state == "draft":
        with clock_at(approval_at or at):
            fire(selection, "submit_for_approval", secretariat)
    with clock_at(at):
        record_gates(selection, secretariat, letters)
        fire(selection, "publish_announcement", secretariat)
        if selection.registration_closes_at is None:
            # Without the announcement stage's action, give the window its default length.
            selection.registration_opens_at = at
            selection.registration_closes_at = at + timedelta(days=15)
            db.session.commit()


def submit(
    selection: Selection,
    position_index: int,
    candidate: User,
    *,
    documents: Sequence[str] | None = None,
    at: datetime | None = None,
) -> Application:
    """Apply and submit while registration is open; keep only ``documents`` (codes) if given.

    ``at`` is the moment of submitting (two hours after registration opens by default).
    """
    position = selection.positions[position_index]
    moment = at or selection.registration_opens_at + timedelta(hours=2)
    with clock_at(moment):
        application = create_application(position, candidate)
        uploaded = upload_documents(application)
        fire(application, "submit", candidate)
        if application.submitted_at is None:
            application.submitted_at = moment
            db.session.commit()
    if documents is not None:
        # The portal refuses to submit without every document; a record missing some (say,
        # data carried over from another system) is made by removing them afterwards.
        for row in uploaded:
            if row.doc_type not in documents:
                db.session.delete(row)
        db.session.commit()
    return application


def close_registration(selection: Selection, secretariat: User, at: datetime | None = None) -> None:
    """Close registration once its window has passed (at ``at``, or an hour after it)."""
    with clock_at(at or selection.registration_closes_at + timedelta(hours=1)):
        fire(selection, "close_registration", secretariat)


def extend(selection: Selection, secretariat: User, at: datetime, **letter: Any) -> Any:
    """Extend the closed registration at ``at`` with the oversight body's letter on file.

    ``letter`` gives ``reason``, ``letter_number``, ``letter_date`` and ``subject`` (defaults
    for any left out); the letter's PDF is a one-page test document.
    """
    from openbid.stages import announcement

    values = {
        "reason": "Pelamar kurang dari 4 orang.",
        "letter_number": f"B-{next(_serial)}/KASN/12/2018",
        "letter_date": clock.to_jakarta(at).date(),
        "subject": "Persetujuan perpanjangan masa pendaftaran",
        "pdf": tiny_pdf("extension letter"),
        "filename": "perpanjangan.pdf",
        **letter,
    }
    with clock_at(at):
        return announcement.extend_registration(selection, secretariat, **values)


@dataclass
class Setup:
    """A selection brought to a stage, with the people and applications around it."""

    agency: Agency
    selection: Selection
    secretariat: User
    applications: list[Application] = field(default_factory=list)
    # The committee's own note on a screening verdict, by application id (see pass_everyone).
    notes: dict[int, str] = field(default_factory=dict)

    @property
    def committee(self) -> list[User]:
        """Return the users seated on the committee (the chair first)."""
        return [m.user for m in self.selection.committee]

    def by_post(self, index: int) -> list[Application]:
        """Return the applications to the index-th post."""
        position_id = self.selection.positions[index].id
        return [a for a in self.applications if a.position_id == position_id]

    def refresh(self) -> None:
        """Expire cached rows so the next read sees what requests wrote."""
        db.session.expire_all()


def selection_in_screening(
    agency: Agency,
    *,
    positions: int = 1,
    candidates: Sequence[Sequence[dict[str, Any]]] | None = None,
    per_post: int | None = None,
    start: date = date(2018, 11, 19),
    posts: Sequence[tuple[str, str]] | None = None,
    schedule: Sequence[ScheduleInput] | None = None,
    registration: RegistrationInput | None = None,
    publish_at: datetime = PUBLISH_AT,
    approval_at: datetime | None = None,
    letters: Mapping[str, Mapping[str, Any]] | None = None,
    extension: Mapping[str, Any] | None = None,
    closed_at: datetime | None = None,
) -> Setup:
    """Return a selection in administrative screening with submitted applications.

    ``candidates[i]`` lists, for post i, one dict per special candidate: profile overrides,
    plus ``name``, ``documents`` (codes to upload; all by default), ``submitted_at`` (the
    moment of submitting) and ``screening_note`` (the committee's note on its verdict, see
    ``pass_everyone``). Each post is topped up with eligible candidates to ``per_post`` (the
    definition's minimum by default).

    ``posts`` names the posts as (name, unit) (``positions`` of them are made by default);
    ``schedule`` and ``registration`` (settings) are saved in draft; the plan is sent for
    approval at ``approval_at``, its letters (``letters``, see ``record_gates``) recorded and
    the announcement published at ``publish_at``. ``extension`` (``at`` plus the arguments of
    ``extend``) extends the registration once it has closed; candidates with a later
    ``submitted_at`` submit after it.
    Registration is closed at ``closed_at`` (an hour after the window by default).
    """
    if posts is not None:
        positions = len(posts)
    selection, secretariat = make_selection(
        agency, start=start, positions=0 if posts is not None else positions
    )
    for name, unit in posts or []:
        selection_service.create_position(selection, secretariat, name=name, unit=unit)
    if schedule is not None or registration is not None:
        from openbid.stages import planning

        if schedule is not None:
            planning.save_schedule(selection, secretariat, schedule)
        if registration is not None:
            planning.save_registration(selection, secretariat, registration)
    params = definition_of(selection).params(selection.parameters)
    minimum = per_post if per_post is not None else int(params.get("min_applicants_per_post", 4))
    publish(selection, secretariat, publish_at, letters=letters, approval_at=approval_at)
    setup = Setup(agency, selection, secretariat)
    specs = list(candidates or [])
    pending = []
    for index in range(positions):
        post_specs = [dict(spec) for spec in (specs[index] if index < len(specs) else [])]
        while len(post_specs) < minimum:
            post_specs.append({})
        for spec in post_specs:
            name = spec.pop("name", None)
            documents = spec.pop("documents", None)
            at = spec.pop("submitted_at", None)
            note = spec.pop("screening_note", None)
            candidate = make_candidate(name, year=start.year, **spec)
            pending.append((index, candidate, documents, at, note))
    extension_at = None if extension is None else extension["at"]

    def late(n: int) -> bool:
        at = pending[n][3]
        return extension_at is not None and at is not None and at > extension_at

    submitted: dict[int, Application] = {}
    extended = extension is None
    # Submit those before the extension first, then extend, then submit the others.
    for n in sorted(range(len(pending)), key=late):
        if late(n) and not extended:
            extend(selection, secretariat, **extension)
            extended = True
        index, candidate, documents, at, note = pending[n]
        submitted[n] = submit(selection, index, candidate, documents=documents, at=at)
        if note is not None:
            setup.notes[submitted[n].id] = note
    if not extended:
        extend(selection, secretariat, **extension)
    setup.applications.extend(submitted[n] for n in range(len(pending)))
    close_registration(selection, secretariat, closed_at)
    return setup


def pass_everyone(setup: Setup, actor: User | None = None) -> None:
    """Give every submitted application a verdict: pass if the rules do, else fail."""
    from openbid.stages import screening

    actor = actor or setup.secretariat
    for application in setup.applications:
        db.session.refresh(application)
        if application.state != "submitted":
            continue
        results = screening.evaluate(application)
        failed = [r for r in results if not r.passed]
        note = setup.notes.get(application.id)
        if note is None:
            note = "; ".join(str(r.reason) for r in failed if r.reason) if failed else ""
        screening.record_verdict(application, actor, not failed, note)


def selection_in_assessment(
    agency: Agency, *, screened_at: datetime | None = None, **kwargs: Any
) -> Setup:
    """Return a selection in competency assessment (verdicts given, screening closed).

    ``screened_at``: the moment the verdicts are given and screening is closed (the real
    clock by default).
    """
    setup = selection_in_screening(agency, **kwargs)
    with clock_at(screened_at) if screened_at is not None else nullcontext():
        pass_everyone(setup)
        fire(setup.selection, "close_screening", setup.secretariat)
    setup.refresh()
    return setup


def application_count(selection: Selection, state: str) -> int:
    """Return how many applications of the selection are in state."""
    from openbid.models import Position

    return db.session.scalar(
        sa.select(sa.func.count(Application.id))
        .join(Position)
        .where(Position.selection_id == selection.id, Application.state == state)
    )
