"""Each member's independent score for each candidate: final once submitted, audited.

Each committee member scores each eligible candidate once, 0-100; the interview closes only
when every member has scored every candidate they are not recused from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openbid import audit
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationState,
    CommitteeMember,
    ConflictDeclaration,
    InterviewScore,
    Selection,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.rules.score_checks import score_warnings
from openbid.rules.scoring import parse_score
from openbid.stages.interview.candidates import (
    INTERVIEW_STATE,
    candidate_label,
    check_candidate,
    committee_members,
    declaration_of,
    interview_candidates,
    not_candidate,
    require_seat,
    score_of,
)
from openbid.stages.interview.conflicts import recusal_reason
from openbid.workflow import access

MAX_NOTES = 4000


@dataclass(frozen=True)
class ScorePreview:
    """What a score would record, shown for confirmation before it becomes final."""

    application: Application
    candidate: str
    score: Decimal
    notes: str
    warnings: list[Reason]


def _already_scored(application: Application) -> Reason:
    return Reason(
        "interview.already_scored",
        N_("You have already submitted your score for %(name)s; a submitted score is final."),
        {"name": candidate_label(application)},
    )


def _check_scorable(
    session: Session, selection: Selection, seat: CommitteeMember, application: Application
) -> None:
    """Refuse a score outside the interview, for a non-candidate, a recusal or a repeat.

    :raises ValidationFailed: with the first reason found.
    """
    access.require_state(
        selection,
        (INTERVIEW_STATE,),
        code="interview.not_open",
        message=N_("Interview scores can be entered only while the interview stage is open."),
    )
    check_candidate(selection, application)
    if application.state != ApplicationState.ELIGIBLE:
        raise ValidationFailed(not_candidate(application))
    if declaration_of(session, seat, application) is not None:
        raise ValidationFailed(recusal_reason(application))
    if score_of(session, seat, application) is not None:
        raise ValidationFailed(_already_scored(application))


def _notes(notes: str) -> str:
    """Return the notes, trimmed.

    :raises ValidationFailed: when they are too long.
    """
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationFailed(
            Reason(
                "interview.notes_long",
                N_("The notes are longer than %(limit)d characters; shorten them."),
                {"limit": MAX_NOTES},
            )
        )
    return notes


def preview_score(
    user: User, application: Application, score: str | int | Decimal, notes: str = ""
) -> ScorePreview:
    """Check a score as submit_score would, without writing it, and name what looks unusual.

    :raises Forbidden: when the user is not a member of the selection's committee.
    :raises ValidationFailed: for the same reasons as submit_score.
    """
    session = db.session
    selection = application.position.selection
    seat = require_seat(session, selection, user)
    _check_scorable(session, selection, seat, application)
    value = parse_score(score)
    cleaned = _notes(notes)
    others = list(
        session.scalars(
            # A seat belongs to one selection: these are the member's scores in this one.
            sa.select(InterviewScore.score).where(
                InterviewScore.member_id == seat.id,
                InterviewScore.application_id != application.id,
            )
        )
    )
    return ScorePreview(
        application, candidate_label(application), value, cleaned, score_warnings(value, others)
    )


def submit_score(
    user: User, application: Application, score: str | int | Decimal, notes: str = ""
) -> InterviewScore:
    """Record the member's interview score for a candidate: final once submitted, audited.

    :raises Forbidden: when the user is not a member of the selection's committee.
    :raises ValidationFailed: outside the interview, for an application that is not a
        candidate, when the member is recused or already scored, or for a bad score or notes.
    """
    session = db.session
    # A shared lock: closing the stage waits for this score.
    selection = access.lock(session, Selection, application.position.selection_id, shared=True)
    seat = require_seat(session, selection, user)
    _check_scorable(session, selection, seat, application)
    value = parse_score(score)
    row = InterviewScore(
        member_id=seat.id, application_id=application.id, score=value, notes=_notes(notes)
    )
    try:
        session.add(row)
        session.flush()
    except IntegrityError:  # a double click that reached the database twice
        session.rollback()
        raise ValidationFailed(_already_scored(application)) from None
    audit.append(
        session,
        event="interview_scored",
        actor=user,
        subject_type="application",
        subject_id=application.id,
        selection_id=selection.id,
        payload={
            "member_id": seat.id,
            "candidate": candidate_label(application),
            "score": value,
        },
    )
    session.commit()
    return row


def missing_scores(session: Session, selection: Selection) -> list[Reason]:
    """Return, per member, the candidates they still have to score (recusals excepted)."""
    applications = interview_candidates(session, selection, (ApplicationState.ELIGIBLE,))
    members = committee_members(session, selection)
    app_ids = [a.id for a in applications]
    done = set(
        session.execute(
            sa.select(InterviewScore.member_id, InterviewScore.application_id).where(
                InterviewScore.application_id.in_(app_ids)
            )
        ).all()
    )
    done |= set(
        session.execute(
            sa.select(ConflictDeclaration.member_id, ConflictDeclaration.application_id).where(
                ConflictDeclaration.application_id.in_(app_ids)
            )
        ).all()
    )
    reasons = []
    for member in members:
        missing = [candidate_label(a) for a in applications if (member.id, a.id) not in done]
        if missing:
            reasons.append(
                Reason(
                    "interview.score_missing",
                    N_("%(member)s has not yet scored %(candidates)s."),
                    {"member": member.user.name, "candidates": ", ".join(missing)},
                )
            )
    return reasons
