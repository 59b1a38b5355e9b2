"""Who the interview's candidates are, who may score them, and what a member already did.

The candidates are the applications that passed administrative screening in the open posts;
before the interview, a member may already know of those still being screened. Only the
selection's committee members score, declare conflicts and see scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import (
    Application,
    ApplicationState,
    CommitteeMember,
    ConflictDeclaration,
    InterviewScore,
    Position,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow import Forbidden
from openbid.workflow.access import committee_seat

# A conflict can surface from the moment the committee sees the applicants until the scores
# are in; after the interview closes the recusal would no longer change anything.
CONFLICT_STATES = (
    SelectionState.ADMINISTRATIVE_SCREENING,
    SelectionState.COMPETENCY_ASSESSMENT,
    SelectionState.INTERVIEW,
)
INTERVIEW_STATE = SelectionState.INTERVIEW
# States of the selection in which the interview is over and every score may be shown.
CLOSED_STATES = (SelectionState.APPOINTMENT, SelectionState.COMPLETED)
# Application states of a candidate who took part in the interview (before and after it).
INTERVIEWED_STATES = (
    ApplicationState.ELIGIBLE,
    ApplicationState.SHORTLISTED,
    ApplicationState.NOT_SHORTLISTED,
    ApplicationState.APPOINTED,
    ApplicationState.NOT_APPOINTED,
)
# Before the interview, the candidates a member may already know of: still being screened, or
# passed.
EARLY_STATES = (ApplicationState.SUBMITTED, ApplicationState.ELIGIBLE)

NOT_MEMBER = Reason(
    "interview.not_member",
    N_("Only members of this selection's committee can do this."),
)


def candidate_label(application: Application) -> str:
    """Return how a candidate is named in messages: their name."""
    return application.candidate.name


def not_candidate(application: Application) -> Reason:
    """Return the reason application is not a candidate of the interview."""
    return Reason(
        "interview.not_candidate",
        N_("%(name)s is not a candidate in this selection's interview."),
        {"name": candidate_label(application)},
    )


def viewer_seat(session: Session, selection: Selection, user: User) -> CommitteeMember | None:
    """Return the seat of a committee user on the selection's committee, or None.

    Anyone whose role is not committee has no seat here, whatever the rows say.
    """
    if user.role != Role.COMMITTEE:
        return None
    return committee_seat(session, selection, user)


def require_seat(session: Session, selection: Selection, user: User) -> CommitteeMember:
    """Return the user's seat, or refuse.

    :raises Forbidden: when the user is not a member of this selection's committee.
    """
    seat = viewer_seat(session, selection, user)
    if seat is None:
        raise Forbidden(NOT_MEMBER)
    return seat


def check_candidate(
    selection: Selection, application: Application, states: tuple[str, ...] = INTERVIEWED_STATES
) -> None:
    """Refuse an application that is not a candidate of this selection's interview.

    :raises ValidationFailed: for another selection's application, a dropped post, or an
        application that did not pass administrative screening (or left the selection).
    """
    position = application.position
    if position.selection_id != selection.id:
        raise ValidationFailed(
            Reason(
                "interview.other_selection",
                N_("This application belongs to another selection."),
            )
        )
    if not position.is_open or application.state not in states:
        raise ValidationFailed(not_candidate(application))


def board_states(selection: Selection) -> tuple[str, ...]:
    """Return the application states of the candidates shown at the selection's stage."""
    if selection.state in {
        SelectionState.ADMINISTRATIVE_SCREENING,
        SelectionState.COMPETENCY_ASSESSMENT,
    }:
        return EARLY_STATES
    return INTERVIEWED_STATES


def interview_candidates(
    session: Session, selection: Selection, states: tuple[str, ...] = INTERVIEWED_STATES
) -> Sequence[Application]:
    """Return the candidates of the interview (open posts, given states), by post then id."""
    return session.scalars(
        sa.select(Application)
        .join(Position)
        .where(
            Position.selection_id == selection.id,
            Position.dropped_at.is_(None),
            Application.state.in_(states),
        )
        .options(sa.orm.joinedload(Application.candidate), sa.orm.joinedload(Application.position))
        .order_by(Position.id, Application.id)
    ).all()


def committee_members(session: Session, selection: Selection) -> Sequence[CommitteeMember]:
    """Return the selection's committee members, with their users, in seating order."""
    return session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.id)
    ).all()


def declaration_of(
    session: Session, seat: CommitteeMember, application: Application
) -> ConflictDeclaration | None:
    """Return the member's conflict declaration about the candidate, if they made one."""
    return session.scalar(
        sa.select(ConflictDeclaration).where(
            ConflictDeclaration.member_id == seat.id,
            ConflictDeclaration.application_id == application.id,
        )
    )


def score_of(
    session: Session, seat: CommitteeMember, application: Application
) -> InterviewScore | None:
    """Return the member's score for the candidate, if they gave one."""
    return session.scalar(
        sa.select(InterviewScore).where(
            InterviewScore.member_id == seat.id,
            InterviewScore.application_id == application.id,
        )
    )
