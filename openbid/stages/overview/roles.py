"""Each role's "what needs you now", built from the grouped counts of ``needs``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from openbid.models import (
    Application,
    ApplicationState,
    CommitteeMember,
    ConflictDeclaration,
    InterviewScore,
    IssuedDocument,
    Position,
    Selection,
    SelectionState,
)
from openbid.stages.overview.needs import (
    Need,
    ids_in,
    letters_on_file,
    missing_letters,
    missing_scores,
    open_posts,
    stage_due,
    state_counts,
    without_results,
)
from openbid.stages.overview.selections import CLOSED_STATES

S = SelectionState
A = ApplicationState


def _approval_needs(selection: Selection, letters: set[tuple[int, str]]) -> list[Need]:
    missing = missing_letters(selection, letters)
    if not missing:
        return [Need("publish", selection)]
    return [Need("record_letter", selection, {"letter": label}) for label in missing]


def _registration_need(selection: Selection, counts, now: datetime) -> Need:
    applicants = sum(
        n for (sid, state), n in counts.items() if sid == selection.id and state != A.DRAFT
    )
    closes = selection.registration_closes_at
    if closes is not None and closes > now:
        return Need("registration_open", selection, {"count": applicants}, closes)
    return Need("close_registration", selection, {"count": applicants})


def staff_needs(session: Session, selections: Sequence[Selection], now: datetime) -> list[Need]:
    """Return the secretariat's next step in each running selection, in one pass of queries."""
    live = [s for s in selections if s.state not in CLOSED_STATES]
    counts = state_counts(
        session, ids_in(live, S.ANNOUNCEMENT, S.ADMINISTRATIVE_SCREENING, S.INTERVIEW)
    )
    letters = letters_on_file(session, ids_in(live, S.APPROVAL))
    unassessed = without_results(session, ids_in(live, S.COMPETENCY_ASSESSMENT))
    missing = missing_scores(session, ids_in(live, S.INTERVIEW), counts)
    posts = open_posts(session, ids_in(live, S.APPOINTMENT))
    needs: list[Need] = []
    for s in live:
        due = stage_due(s)
        if s.state == S.DRAFT:
            needs.append(Need("plan", s, due=due))
        elif s.state == S.APPROVAL:
            needs += _approval_needs(s, letters)
        elif s.state == S.ANNOUNCEMENT:
            needs.append(_registration_need(s, counts, now))
        elif s.state == S.ADMINISTRATIVE_SCREENING:
            pending = counts[(s.id, A.SUBMITTED)]
            needs.append(
                Need("screen", s, {"count": pending}, due)
                if pending
                else Need("close_screening", s)
            )
        elif s.state == S.COMPETENCY_ASSESSMENT:
            pending = unassessed[s.id]
            needs.append(
                Need("assess", s, {"count": pending}, due)
                if pending
                else Need("close_assessment", s)
            )
        elif s.state == S.INTERVIEW:
            pending = max(missing.get(s.id, 0), 0)
            needs.append(
                Need("scores_missing", s, {"count": pending}, due)
                if pending
                else Need("close_interview", s)
            )
        elif s.state == S.APPOINTMENT:
            waiting = [p for p in posts if p.selection_id == s.id]
            needs += [Need("awaiting_pick", s, {"post": p.name}) for p in waiting]
            if not waiting:
                needs.append(Need("complete", s))
    return needs


def ppk_needs(session: Session, selections: Sequence[Selection]) -> list[Need]:
    """Return the posts whose appointee the PPK is to pick, one need per post."""
    ids = ids_in(selections, S.APPOINTMENT)
    by_id = {s.id: s for s in selections}
    return [Need("pick", by_id[p.selection_id], {"post": p.name}) for p in open_posts(session, ids)]


def _mine(session: Session, model, seat_ids: list[int]) -> set[int]:
    """Return the applications the member's seats scored (or were recused from)."""
    if not seat_ids:
        return set()
    return set(
        session.scalars(sa.select(model.application_id).where(model.member_id.in_(seat_ids)))
    )


def member_needs(session: Session, selections: Sequence[Selection], user_id: int) -> list[Need]:
    """Return a committee member's applications to screen and candidates to score."""
    screening = ids_in(selections, S.ADMINISTRATIVE_SCREENING)
    interview = ids_in(selections, S.INTERVIEW)
    counts = state_counts(session, screening)
    needs = [
        Need("screen", s, {"count": counts[(s.id, A.SUBMITTED)]}, stage_due(s))
        for s in selections
        if s.id in screening and counts[(s.id, A.SUBMITTED)]
    ]
    if not interview:
        return needs
    seats = list(
        session.execute(
            sa.select(CommitteeMember.id).where(
                CommitteeMember.user_id == user_id, CommitteeMember.selection_id.in_(interview)
            )
        ).scalars()
    )
    done = _mine(session, InterviewScore, seats) | _mine(session, ConflictDeclaration, seats)
    candidates = session.execute(
        sa.select(Position.selection_id, Application.id)
        .join(Position, Position.id == Application.position_id)
        .where(
            Position.selection_id.in_(interview),
            Position.dropped_at.is_(None),
            Application.state == A.ELIGIBLE,
        )
    ).all()
    for s in selections:
        if s.id in interview:
            left = sum(1 for sid, aid in candidates if sid == s.id and aid not in done)
            if left:
                needs.append(Need("score", s, {"count": left}, stage_due(s)))
    return needs


def latest_documents(session: Session, agency_id: int, limit: int = 5) -> list[IssuedDocument]:
    """Return the agency's newest issued documents (each with its verification code)."""
    return list(
        session.scalars(
            sa.select(IssuedDocument)
            .where(IssuedDocument.agency_id == agency_id)
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
            .limit(limit)
        )
    )


def candidate_steps(session: Session, candidate_id: int, now: datetime) -> list[Application]:
    """Return the candidate's unsubmitted applications whose registration is still open."""
    return list(
        session.scalars(
            sa.select(Application)
            .join(Position, Position.id == Application.position_id)
            .join(Selection, Selection.id == Position.selection_id)
            .where(
                Application.candidate_id == candidate_id,
                Application.state == A.DRAFT,
                Selection.state == S.ANNOUNCEMENT,
                Selection.registration_closes_at > now,
            )
            .options(joinedload(Application.position).joinedload(Position.selection))
            .order_by(Selection.registration_closes_at)
        )
    )
