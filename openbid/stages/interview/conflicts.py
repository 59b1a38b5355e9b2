"""A member's conflict of interest with a candidate: a final, audited recusal.

A recused member cannot score that candidate, their score (if any) does not count, and they
do not see the others' scores for that candidate while the interview is open.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openbid import audit
from openbid.extensions import db
from openbid.models import Application, CommitteeMember, ConflictDeclaration, Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.interview.candidates import (
    CONFLICT_STATES,
    board_states,
    candidate_label,
    check_candidate,
    declaration_of,
    require_seat,
    score_of,
)
from openbid.workflow import access

MAX_REASON = 2000


def recusal_reason(application: Application) -> Reason:
    """Return the reason a recused member cannot score the candidate of application."""
    return Reason(
        "interview.recused",
        N_("You declared a conflict of interest with %(name)s; you are recused from scoring them."),
        {"name": candidate_label(application)},
    )


def _already_declared(application: Application) -> Reason:
    return Reason(
        "interview.conflict_exists",
        N_("You have already declared a conflict of interest with %(name)s."),
        {"name": candidate_label(application)},
    )


def _declaration_problems(
    session: Session, seat: CommitteeMember, application: Application, text: str
) -> list[Reason]:
    """Return what is wrong with the declaration: no or a too long reason, a repeat."""
    reasons = []
    if not text:
        reasons.append(
            Reason(
                "interview.conflict_reason",
                N_("Say what the conflict of interest is (e.g. a family or work relationship)."),
            )
        )
    elif len(text) > MAX_REASON:
        reasons.append(
            Reason(
                "interview.conflict_reason_long",
                N_("The reason is longer than %(limit)d characters; shorten it."),
                {"limit": MAX_REASON},
            )
        )
    if declaration_of(session, seat, application) is not None:
        reasons.append(_already_declared(application))
    return reasons


def declare_conflict(user: User, application: Application, reason: str) -> ConflictDeclaration:
    """Record the member's conflict of interest with a candidate: a final, audited recusal.

    Allowed from administrative screening until the interview closes. A member who already
    scored the candidate may still declare (a conflict must never be hidden); their score
    then no longer counts, and the audit event says so.

    :raises Forbidden: when the user is not a member of the selection's committee.
    :raises ValidationFailed: outside the allowed stages, without a reason, for an
        application that is not a candidate, or when the member already declared.
    """
    session = db.session
    # A shared lock: closing the stage waits for this declaration.
    selection = access.lock(session, Selection, application.position.selection_id, shared=True)
    seat = require_seat(session, selection, user)
    access.require_state(
        selection,
        CONFLICT_STATES,
        code="interview.conflict_closed",
        message=N_(
            "Conflicts of interest can be declared from administrative screening"
            " until the interview closes."
        ),
    )
    check_candidate(selection, application, board_states(selection))
    text = (reason or "").strip()
    problems = _declaration_problems(session, seat, application, text)
    if problems:
        raise ValidationFailed(problems)
    had_scored = score_of(session, seat, application) is not None
    declaration = ConflictDeclaration(member_id=seat.id, application_id=application.id, reason=text)
    try:
        session.add(declaration)
        session.flush()
    except IntegrityError:  # the same member declared in a parallel request a moment ago
        session.rollback()
        raise ValidationFailed(_already_declared(application)) from None
    audit.append(
        session,
        event="conflict_declared",
        actor=user,
        subject_type="application",
        subject_id=application.id,
        selection_id=selection.id,
        payload={
            "member_id": seat.id,
            "member": user.name,
            "candidate": candidate_label(application),
            "reason": text,
            "recused": True,
            "score_excluded": had_scored,
        },
    )
    session.commit()
    return declaration
