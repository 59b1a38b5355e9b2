"""Factories that bring a selection to the interview and appointment stages through the engine.

Built on ``tests.stage_factories`` (complete profiles, real PDF documents, approval letters,
screening verdicts); this module adds complete assessment results, interview scores, and the
steps to close the interviews and put the oversight body's word on file.

Typical use::

    setup = selection_in_interview(make_agency(), per_post=4)
    score_everyone(setup)                       # every member scores every candidate
    close_interview(setup)                      # freezes the three best
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Application,
    AssessmentResult,
    CommitteeMember,
    ConflictDeclaration,
    InterviewScore,
    Role,
    ShortlistResult,
    User,
)
from openbid.rules.scoring import AssessmentCategory, assessment_category
from openbid.stages import appointment, interview
from openbid.workflow import fire
from openbid.workflow.access import committee_seat
from tests.factories import make_user
from tests.stage_factories import Setup, clock_at, selection_in_assessment, tiny_pdf

# Default figures of the i-th candidate of a post: distinct, so the ranking is predictable
# (the first candidate is the best).
DEFAULT_RESULT = {
    "assessment_score": lambda i: Decimal(82 - 3 * i),
    "paper_score": lambda i: Decimal(80 - 2 * i),
    "track_record_score": lambda i: Decimal(78 - 2 * i),
}


def default_score(member_index: int, candidate_index: int) -> Decimal:
    """Return the default interview score of a member for a post's candidate_index-th candidate."""
    return Decimal(85 - 4 * candidate_index + member_index)


def add_result(application: Application, actor: User, **fields: Any) -> AssessmentResult:
    """Put a complete assessment result on file for an application (overrides in fields)."""
    values: dict[str, Any] = {
        "assessment_score": Decimal(80),
        "assessed_on": date(2018, 12, 10),
        "assessment_centre": "UPT Penilaian Kompetensi BKPSDM Provinsi Banten",
        "paper_score": Decimal(80),
        "track_record_score": Decimal(80),
        "health_fit": True,
        "psych_fit": True,
        "source": "form",
        **fields,
    }
    if values.get("assessment_category") is None and values["assessment_score"] is not None:
        values["assessment_category"] = str(assessment_category(values["assessment_score"]))
    values.setdefault("assessment_category", str(AssessmentCategory.MEETS))
    result = db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
    )
    if result is None:
        result = AssessmentResult(application_id=application.id, updated_by_id=actor.id)
        db.session.add(result)
    for name, value in values.items():
        setattr(result, name, value)
    result.updated_by_id = actor.id
    db.session.commit()
    return result


def selection_in_interview(
    agency: Any,
    *,
    positions: int = 1,
    per_post: int = 4,
    results: Sequence[Sequence[Mapping[str, Any]]] | None = None,
    parameters: Mapping[str, Any] | None = None,
    assessed_at: datetime | None = None,
    **kwargs: Any,
) -> Setup:
    """Return a selection in the interview stage, every candidate eligible and assessed.

    ``results[p][i]`` overrides the assessment figures of post p's i-th candidate;
    ``parameters`` are merged into the selection's overrides before the assessment closes
    (as if the plan had set them in draft); ``assessed_at`` is the moment the results are
    entered and the assessment closes (the real clock by default). Other arguments go to
    ``selection_in_assessment`` (and on to ``selection_in_screening``).
    """
    setup = selection_in_assessment(agency, positions=positions, per_post=per_post, **kwargs)
    positions = len(setup.selection.positions)
    if parameters:
        setup.selection.parameters = {**(setup.selection.parameters or {}), **parameters}
        db.session.commit()
    specs = list(results or [])
    with clock_at(assessed_at) if assessed_at is not None else nullcontext():
        for p in range(positions):
            post_specs = list(specs[p]) if p < len(specs) else []
            for i, application in enumerate(setup.by_post(p)):
                fields = {name: make(i) for name, make in DEFAULT_RESULT.items()}
                if i < len(post_specs):
                    fields.update(post_specs[i])
                add_result(application, setup.secretariat, **fields)
        fire(setup.selection, "close_assessment", setup.secretariat)
    setup.refresh()
    return setup


def members(setup: Setup) -> list[User]:
    """Return the committee's users in seat order (the chair first)."""
    seats = db.session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == setup.selection.id)
        .order_by(CommitteeMember.id)
    ).all()
    return [seat.user for seat in seats]


def score_everyone(
    setup: Setup,
    score: Callable[[int, int], Decimal | int | str] = default_score,
    *,
    skip: Callable[[int, Application], bool] | None = None,
    at: datetime | None = None,
) -> None:
    """Have every member score every eligible candidate (except where skip(member, app) holds).

    ``score(member_index, candidate_index)``: the candidate index counts within its post.
    Recused members and scores already given are left alone. ``at``: the moment the scores
    are given (the real clock by default).
    """
    with clock_at(at) if at is not None else nullcontext():
        _score_everyone(setup, score, skip)


def _score_everyone(
    setup: Setup,
    score: Callable[[int, int], Decimal | int | str],
    skip: Callable[[int, Application], bool] | None,
) -> None:
    users = members(setup)
    for p in range(len(setup.selection.positions)):
        for i, application in enumerate(setup.by_post(p)):
            db.session.refresh(application)
            if application.state != "eligible":
                continue
            for m, user in enumerate(users):
                if skip is not None and skip(m, application):
                    continue
                seat = committee_seat(db.session, setup.selection, user)
                done = db.session.scalar(
                    sa.select(InterviewScore.id).where(
                        InterviewScore.member_id == seat.id,
                        InterviewScore.application_id == application.id,
                    )
                )
                recused = _recused(seat.id, application.id)
                if done is None and not recused:
                    interview.submit_score(user, application, score(m, i))


def _recused(member_id: int, application_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(ConflictDeclaration.id).where(
                ConflictDeclaration.member_id == member_id,
                ConflictDeclaration.application_id == application_id,
            )
        )
        is not None
    )


def close_interview(setup: Setup, actor: User | None = None, at: datetime | None = None) -> None:
    """Close the interviews (freezes the three best of every open post), at ``at`` if given."""
    with clock_at(at) if at is not None else nullcontext():
        fire(setup.selection, "close_interview", actor or setup.secretariat)
    setup.refresh()


def selection_in_appointment(agency: Any, **kwargs: Any) -> Setup:
    """Return a selection at the appointment stage: everyone scored, the three best frozen."""
    score = kwargs.pop("score", default_score)
    setup = selection_in_interview(agency, **kwargs)
    score_everyone(setup, score)
    close_interview(setup)
    return setup


def record_recommendation(setup: Setup, **fields: Any) -> Any:
    """Put the oversight body's word on the results on file (with a PDF)."""
    values = {
        "letter_number": "B-3561/KASN/12/2018",
        "letter_date": date(2018, 12, 20),
        "subject": "Rekomendasi hasil seleksi terbuka JPT Pratama",
        "pdf": tiny_pdf("rekomendasi hasil"),
        **fields,
    }
    return appointment.record_result_letter(setup.selection, setup.secretariat, **values)


def make_ppk(setup: Setup, name: str = "Arief R. Wismansyah") -> User:
    """Create the agency's appointing official (PPK)."""
    return make_user(Role.PPK, setup.agency, name=name)


def current(position_id: int) -> ShortlistResult:
    """Return the current frozen result of a post."""
    db.session.expire_all()
    result = appointment.current_result(db.session, position_id)
    assert result is not None
    return result


def ranked_ids(position_id: int) -> list[int]:
    """Return the application ids of a post's current frozen ranking, best first."""
    return [entry["application_id"] for entry in current(position_id).ranking]
