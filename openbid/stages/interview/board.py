"""What the interview page shows to one viewer, and nothing more.

A member sees the other members' scores for a candidate only after submitting their own for
that candidate, and never while recused from that candidate. Anyone else (secretariat, PPK)
sees counts only. Once the interview is closed everyone sees every score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.extensions import db
from openbid.models import (
    Application,
    CandidateProfile,
    CommitteeMember,
    ConflictDeclaration,
    InterviewScore,
    Position,
    Selection,
    User,
)
from openbid.rules.scoring import interview_score
from openbid.stages.common.listing import ListFilters
from openbid.stages.interview.candidates import (
    CLOSED_STATES,
    CONFLICT_STATES,
    INTERVIEW_STATE,
    board_states,
    committee_members,
    viewer_seat,
)
from openbid.stages.interview.listing import CandidatePage, candidate_page, member_counts


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
    listing: CandidatePage | None = None  # the page of candidates shown, and its filters

    @property
    def is_member(self) -> bool:
        """Return whether the viewer sits on this selection's committee."""
        return self.seat is not None


@dataclass
class _Marks:
    """The board's scores and recusals, each by application id, then member id."""

    scores: dict[int, dict[int, InterviewScore]]
    recused: dict[int, dict[int, ConflictDeclaration]]


def _marks(session: Session, applications: Sequence[Application]) -> _Marks:
    app_ids = [a.id for a in applications]
    scores = session.scalars(
        sa.select(InterviewScore).where(InterviewScore.application_id.in_(app_ids))
    ).all()
    conflicts = session.scalars(
        sa.select(ConflictDeclaration).where(ConflictDeclaration.application_id.in_(app_ids))
    ).all()
    marks = _Marks(defaultdict(dict), defaultdict(dict))
    for s in scores:
        marks.scores[s.application_id][s.member_id] = s
    for c in conflicts:
        marks.recused[c.application_id][c.member_id] = c
    return marks


def _profile_nips(session: Session, applications: Sequence[Application]) -> dict[int, str]:
    """Return the NIP in each candidate's profile, by user id."""
    return dict(
        session.execute(
            sa.select(CandidateProfile.user_id, CandidateProfile.nip).where(
                CandidateProfile.user_id.in_({a.candidate_id for a in applications})
            )
        ).all()
    )


def _nip(application: Application, profiles: dict[int, str]) -> str:
    snapshot = application.profile_snapshot or {}
    return str(snapshot.get("nip") or profiles.get(application.candidate_id, ""))


def _row(
    app: Application,
    marks: _Marks,
    names: dict[int, str],
    seat: CommitteeMember | None,
    closed: bool,
    nip: str,
) -> CandidateRow:
    """Return one candidate's row as the viewer (seat, or None) may see it."""
    app_scores = marks.scores[app.id]
    app_recused = marks.recused[app.id]
    counted = {mid: s for mid, s in app_scores.items() if mid not in app_recused}
    row = CandidateRow(
        application=app,
        name=app.candidate.name,
        nip=nip,
        scored=len(counted),
        expected=len(names) - len(app_recused),
        recused_members=[names[mid] for mid in app_recused if mid in names],
    )
    if seat is not None:
        row.my_score = app_scores.get(seat.id)
        row.my_conflict = app_recused.get(seat.id)
    may_see = closed or (seat is not None and row.my_score is not None and row.my_conflict is None)
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
    return row


def _progress(
    session: Session, selection: Selection, members: Sequence[CommitteeMember]
) -> list[MemberProgress]:
    """Return each member's count of candidates scored, to score, and recused from."""
    total, scored, recused = member_counts(session, selection, board_states(selection))
    return [
        MemberProgress(m, scored.get(m.id, 0), total - recused.get(m.id, 0), recused.get(m.id, 0))
        for m in members
    ]


def build_board(
    selection: Selection, viewer: User, filters: ListFilters | None = None
) -> InterviewBoard:
    """Return the interview page's data for viewer, hiding what they may not see yet.

    A member sees the other members' scores for a candidate only after submitting their own
    for that candidate, and never while recused from that candidate. Anyone else (secretariat,
    PPK) sees counts only. Once the interview is closed everyone sees every score. One page
    of the candidates the filters keep (the first page of all by default).
    """
    session = db.session
    seat = viewer_seat(session, selection, viewer)
    closed = selection.state in CLOSED_STATES
    members = committee_members(session, selection)
    listing = candidate_page(
        session,
        selection,
        board_states(selection),
        filters or ListFilters(),
        seat_id=seat.id if seat is not None else None,
        members=len(members),
    )
    applications = listing.applications
    marks = _marks(session, applications)
    profiles = _profile_nips(session, applications)
    names = {m.id: m.user.name for m in members}
    posts: dict[int, tuple[Position, list[CandidateRow]]] = {}
    for app in applications:
        row = _row(app, marks, names, seat, closed, _nip(app, profiles))
        posts.setdefault(app.position_id, (app.position, []))[1].append(row)
    return InterviewBoard(
        selection=selection,
        seat=seat,
        can_score=seat is not None and selection.state == INTERVIEW_STATE,
        can_declare=seat is not None and selection.state in CONFLICT_STATES,
        closed=closed,
        posts=list(posts.values()),
        progress=_progress(session, selection, members),
        listing=listing,
    )
