"""The final interview: conflict-of-interest declarations, independent scores, the board.

Each committee member scores each eligible candidate once, 0-100, without seeing the others'
scores first: a member sees the other scores for a candidate only after submitting their own
for that candidate (domain.md, stage 6). A member who declared a conflict of interest with a
candidate is recused: they cannot score that candidate, their score (if any) does not count,
and they do not see the others' scores for that candidate while the interview is open.
Declarations and scores are final once made, and each is an audit event.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openbid import audit
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationState,
    CandidateProfile,
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
from openbid.rules.scoring import CENTS, SCORE_MAX, SCORE_MIN, interview_score
from openbid.workflow import Forbidden

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
MAX_REASON = 2000
SCORE_RE = re.compile(r"\d{1,3}(?:\.\d{1,2})?")
MAX_NOTES = 4000


def candidate_label(application: Application) -> str:
    """Return how a candidate is named in messages: their name."""
    return application.candidate.name


def _member_reason() -> Reason:
    return Reason(
        "interview.not_member",
        N_("Only members of this selection's committee can do this."),
    )


def member_seat(session: Session, selection: Selection, user: User) -> CommitteeMember | None:
    """Return the user's seat on the selection's committee, or None."""
    if user.role != Role.COMMITTEE:
        return None
    return session.scalar(
        sa.select(CommitteeMember).where(
            CommitteeMember.selection_id == selection.id, CommitteeMember.user_id == user.id
        )
    )


def _lock_selection(session: Session, selection: Selection) -> Selection:
    """Re-read the selection with a shared row lock, so closing the stage waits for us."""
    return session.scalars(
        sa.select(Selection)
        .where(Selection.id == selection.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()


def _seat_for(session: Session, selection: Selection, user: User) -> CommitteeMember:
    """Return the user's seat, or refuse.

    :raises Forbidden: when the user is not a member of this selection's committee.
    """
    seat = member_seat(session, selection, user)
    if seat is None:
        raise Forbidden(_member_reason())
    return seat


def _check_application(
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
        raise ValidationFailed(
            Reason(
                "interview.not_candidate",
                N_("%(name)s is not a candidate in this selection's interview."),
                {"name": candidate_label(application)},
            )
        )


def _declaration(
    session: Session, seat: CommitteeMember, application: Application
) -> ConflictDeclaration | None:
    return session.scalar(
        sa.select(ConflictDeclaration).where(
            ConflictDeclaration.member_id == seat.id,
            ConflictDeclaration.application_id == application.id,
        )
    )


def _score(
    session: Session, seat: CommitteeMember, application: Application
) -> InterviewScore | None:
    return session.scalar(
        sa.select(InterviewScore).where(
            InterviewScore.member_id == seat.id,
            InterviewScore.application_id == application.id,
        )
    )


def recusal_reason(application: Application) -> Reason:
    """Return the reason a recused member cannot score the candidate of application."""
    return Reason(
        "interview.recused",
        N_("You declared a conflict of interest with %(name)s; you are recused from scoring them."),
        {"name": candidate_label(application)},
    )


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
    selection = _lock_selection(session, application.position.selection)
    seat = _seat_for(session, selection, user)
    if selection.state not in CONFLICT_STATES:
        raise ValidationFailed(
            Reason(
                "interview.conflict_closed",
                N_(
                    "Conflicts of interest can be declared from administrative screening"
                    " until the interview closes."
                ),
            )
        )
    _check_application(selection, application, board_states(selection))
    text = (reason or "").strip()
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
    if _declaration(session, seat, application) is not None:
        reasons.append(
            Reason(
                "interview.conflict_exists",
                N_("You have already declared a conflict of interest with %(name)s."),
                {"name": candidate_label(application)},
            )
        )
    if reasons:
        raise ValidationFailed(reasons)
    had_scored = _score(session, seat, application) is not None
    declaration = ConflictDeclaration(member_id=seat.id, application_id=application.id, reason=text)
    try:
        session.add(declaration)
        session.flush()
    except IntegrityError:  # the same member declared in a parallel request a moment ago
        session.rollback()
        raise ValidationFailed(
            Reason(
                "interview.conflict_exists",
                N_("You have already declared a conflict of interest with %(name)s."),
                {"name": candidate_label(application)},
            )
        ) from None
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


def parse_score(raw: str | int | Decimal | None) -> Decimal:
    """Return a score from 0 to 100 with at most two decimals (comma or point as separator).

    :raises ValidationFailed: for anything else.
    """
    invalid = ValidationFailed(
        Reason(
            "interview.score_invalid",
            N_("Enter the score as a number from 0 to 100, with at most two decimals."),
        )
    )
    if raw is None or isinstance(raw, (bool, float)):
        raise invalid
    text = str(raw).strip().replace(",", ".")
    # Plain digits only: no exponents, signs or spaces, which nobody means in a score.
    if not SCORE_RE.fullmatch(text):
        raise invalid
    value = Decimal(text)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise invalid
    return value.quantize(CENTS)


def submit_score(
    user: User, application: Application, score: str | int | Decimal, notes: str = ""
) -> InterviewScore:
    """Record the member's interview score for a candidate: final once submitted, audited.

    :raises Forbidden: when the user is not a member of the selection's committee.
    :raises ValidationFailed: outside the interview, for an application that is not a
        candidate, when the member is recused or already scored, or for a bad score or notes.
    """
    session = db.session
    selection = _lock_selection(session, application.position.selection)
    seat = _seat_for(session, selection, user)
    if selection.state != INTERVIEW_STATE:
        raise ValidationFailed(
            Reason(
                "interview.not_open",
                N_("Interview scores can be entered only while the interview stage is open."),
            )
        )
    _check_application(selection, application)
    if application.state != ApplicationState.ELIGIBLE:
        raise ValidationFailed(
            Reason(
                "interview.not_candidate",
                N_("%(name)s is not a candidate in this selection's interview."),
                {"name": candidate_label(application)},
            )
        )
    if _declaration(session, seat, application) is not None:
        raise ValidationFailed(recusal_reason(application))
    if _score(session, seat, application) is not None:
        raise ValidationFailed(_already_scored(application))
    value = parse_score(score)
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationFailed(
            Reason(
                "interview.notes_long",
                N_("The notes are longer than %(limit)d characters; shorten them."),
                {"limit": MAX_NOTES},
            )
        )
    row = InterviewScore(member_id=seat.id, application_id=application.id, score=value, notes=notes)
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


def _already_scored(application: Application) -> Reason:
    return Reason(
        "interview.already_scored",
        N_("You have already submitted your score for %(name)s; a submitted score is final."),
        {"name": candidate_label(application)},
    )


# --- What the interview page shows -------------------------------------------------------


@dataclass(frozen=True)
class OtherScore:
    """Another member's score for a candidate, shown once the viewer may see it."""

    member: str
    score: Decimal
    notes: str


@dataclass
class CandidateRow:
    """One candidate on the interview page, as the viewer may see it."""

    application: Application
    name: str
    nip: str
    my_score: InterviewScore | None = None
    my_conflict: ConflictDeclaration | None = None
    # None while the viewer may not see the other members' scores.
    others: list[OtherScore] | None = None
    scored: int = 0  # members who scored (not recused)
    expected: int = 0  # members who must score (not recused)
    recused_members: list[str] = field(default_factory=list)
    mean: Decimal | None = None  # shown once the interview is closed


@dataclass
class MemberProgress:
    """How many of their candidates one member has scored."""

    seat: CommitteeMember
    scored: int
    expected: int
    recused: int


@dataclass
class InterviewBoard:
    """Everything the interview page shows to one viewer, and nothing more."""

    selection: Selection
    seat: CommitteeMember | None
    can_score: bool
    can_declare: bool
    closed: bool
    posts: list[tuple[Position, list[CandidateRow]]]
    progress: list[MemberProgress]

    @property
    def is_member(self) -> bool:
        """Return whether the viewer sits on this selection's committee."""
        return self.seat is not None


def _nip(application: Application, profiles: dict[int, str]) -> str:
    snapshot = application.profile_snapshot or {}
    return str(snapshot.get("nip") or profiles.get(application.candidate_id, ""))


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


def build_board(selection: Selection, viewer: User) -> InterviewBoard:
    """Return the interview page's data for viewer, hiding what they may not see yet.

    A member sees the other members' scores for a candidate only after submitting their own
    for that candidate, and never while recused from that candidate. Anyone else (secretariat,
    PPK) sees counts only. Once the interview is closed everyone sees every score.
    """
    session = db.session
    seat = member_seat(session, selection, viewer)
    closed = selection.state in CLOSED_STATES
    applications = interview_candidates(session, selection, board_states(selection))
    members = session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.id)
    ).all()
    app_ids = [a.id for a in applications]
    scores = session.scalars(
        sa.select(InterviewScore).where(InterviewScore.application_id.in_(app_ids))
    ).all()
    conflicts = session.scalars(
        sa.select(ConflictDeclaration).where(ConflictDeclaration.application_id.in_(app_ids))
    ).all()
    profiles = dict(
        session.execute(
            sa.select(CandidateProfile.user_id, CandidateProfile.nip).where(
                CandidateProfile.user_id.in_({a.candidate_id for a in applications})
            )
        ).all()
    )
    names = {m.id: m.user.name for m in members}
    by_app: dict[int, dict[int, InterviewScore]] = defaultdict(dict)
    for s in scores:
        by_app[s.application_id][s.member_id] = s
    recused: dict[int, dict[int, ConflictDeclaration]] = defaultdict(dict)
    for c in conflicts:
        recused[c.application_id][c.member_id] = c

    rows_by_post: dict[int, list[CandidateRow]] = defaultdict(list)
    positions: dict[int, Position] = {}
    per_member = {m.id: [0, 0, 0] for m in members}  # scored, expected, recused
    for app in applications:
        positions[app.position_id] = app.position
        app_scores = by_app[app.id]
        app_recused = recused[app.id]
        counted = {mid: s for mid, s in app_scores.items() if mid not in app_recused}
        row = CandidateRow(
            application=app,
            name=app.candidate.name,
            nip=_nip(app, profiles),
            scored=len(counted),
            expected=len(members) - len(app_recused),
            recused_members=[names[mid] for mid in app_recused if mid in names],
        )
        for m in members:
            if m.id in app_recused:
                per_member[m.id][2] += 1
            else:
                per_member[m.id][1] += 1
                if m.id in app_scores:
                    per_member[m.id][0] += 1
        if seat is not None:
            row.my_score = app_scores.get(seat.id)
            row.my_conflict = app_recused.get(seat.id)
        may_see = closed or (
            seat is not None and row.my_score is not None and row.my_conflict is None
        )
        if may_see:
            row.others = [
                OtherScore(names.get(mid, ""), s.score, s.notes)
                for mid, s in sorted(counted.items())
                if seat is None or mid != seat.id
            ]
        if closed:
            row.mean = interview_score(
                {str(mid): s.score for mid, s in app_scores.items()},
                {str(mid) for mid in app_recused},
            )
        rows_by_post[app.position_id].append(row)
    progress = [
        MemberProgress(m, per_member[m.id][0], per_member[m.id][1], per_member[m.id][2])
        for m in members
    ]
    return InterviewBoard(
        selection=selection,
        seat=seat,
        can_score=seat is not None and selection.state == INTERVIEW_STATE,
        can_declare=seat is not None and selection.state in CONFLICT_STATES,
        closed=closed,
        posts=[(positions[pid], rows) for pid, rows in rows_by_post.items()],
        progress=progress,
    )


def missing_scores(session: Session, selection: Selection) -> list[Reason]:
    """Return, per member, the candidates they still have to score (recusals excepted)."""
    applications = interview_candidates(session, selection, (ApplicationState.ELIGIBLE,))
    members = session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.id)
    ).all()
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


def interview_means(session: Session, application_ids: list[int]) -> dict[int, Decimal | None]:
    """Return each application's interview score: the mean of its non-recused members' scores."""
    scores: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for member_id, app_id, score in session.execute(
        sa.select(
            InterviewScore.member_id, InterviewScore.application_id, InterviewScore.score
        ).where(InterviewScore.application_id.in_(application_ids))
    ):
        scores[app_id][str(member_id)] = score
    recused: dict[int, set[str]] = defaultdict(set)
    for member_id, app_id in session.execute(
        sa.select(ConflictDeclaration.member_id, ConflictDeclaration.application_id).where(
            ConflictDeclaration.application_id.in_(application_ids)
        )
    ):
        recused[app_id].add(str(member_id))
    return {
        app_id: interview_score(scores.get(app_id, {}), recused.get(app_id, set()))
        for app_id in application_ids
    }
