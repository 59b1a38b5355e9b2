"""Freezing each post's three best when the interviews close, and revising them.

A frozen ShortlistResult never changes: a correction (e.g. a mistyped assessment-centre
score) leads to an audited, reasoned revision that supersedes it. Candidates' states follow
the frozen result through the engine (shortlist / not_shortlist).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Position,
    Selection,
    ShortlistResult,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.appointment.checks import lock_for_secretariat, reason_text, require_not_filled
from openbid.stages.appointment.ranking import (
    PostRanking,
    applications_in,
    open_positions,
    rank_posts,
)
from openbid.stages.common.shortlists import current_result
from openbid.workflow import definition_of, fire

# The states of a candidate in a post's ranking, before anyone is appointed.
RANKED_STATES = (
    ApplicationState.ELIGIBLE,
    ApplicationState.SHORTLISTED,
    ApplicationState.NOT_SHORTLISTED,
)


def _move(session: Session, result: ShortlistResult, actor: User, data: dict) -> None:
    """Fire shortlist/not_shortlist on each ranked application so states match the result."""
    chosen = set(result.shortlist)
    ids = [entry["application_id"] for entry in result.ranking]
    for app in applications_in(session, [result.position_id], RANKED_STATES):
        if app.id not in ids:
            continue
        target = (
            ApplicationState.SHORTLISTED if app.id in chosen else ApplicationState.NOT_SHORTLISTED
        )
        if app.state != target:
            event = (
                ApplicationEvent.SHORTLIST
                if target == ApplicationState.SHORTLISTED
                else ApplicationEvent.NOT_SHORTLIST
            )
            fire(app, event, actor, data, commit=False)


def _store(
    session: Session,
    selection: Selection,
    post: PostRanking,
    actor: User,
    revision: int,
    reason: str,
) -> ShortlistResult:
    """Add the post's ranking as its frozen result of the given revision."""
    result = ShortlistResult(
        selection_id=selection.id,
        position_id=post.position.id,
        revision=revision,
        ranking=post.ranking,
        shortlist=post.shortlist,
        weights=post.weights,
        reason=reason,
        frozen_by_id=actor.id,
    )
    session.add(result)
    session.flush()
    return result


def _summary(post: PostRanking) -> dict[str, Any]:
    """Return the audit event's account of a ranking: places, scores and any shortage."""
    return {
        "ranking": [
            {k: e[k] for k in ("application_id", "rank", "combined", "qualified")}
            for e in post.ranking
        ],
        "shortage": post.shortage.as_dict() if post.shortage else None,
    }


def freeze_shortlists(
    session: Session, selection: Selection, actor: User, params: Mapping[str, Any]
) -> list[ShortlistResult]:
    """Rank every open post and freeze its three best; move each candidate's state to match.

    Runs inside the caller's transaction (the close_interview action); writes one
    ShortlistResult per post, an audit event per post, and fires shortlist/not_shortlist.

    :raises GuardFailed: when the weights cannot be used or an application cannot move.
    """
    positions = open_positions(session, selection)
    applications = applications_in(session, [p.id for p in positions], (ApplicationState.ELIGIBLE,))
    frozen = []
    for post in rank_posts(session, positions, applications, params):
        previous = current_result(session, post.position.id)
        revision = 1
        if previous is not None:  # never expected at the freeze; kept consistent anyway
            previous.superseded_at = clock.now()
            revision = previous.revision + 1
        result = _store(session, selection, post, actor, revision, "")
        audit.append(
            session,
            event="shortlist_frozen",
            actor=actor,
            subject_type="position",
            subject_id=post.position.id,
            selection_id=selection.id,
            payload={
                "post": post.position.name,
                "revision": revision,
                "shortlist": post.shortlist,
                "weights": post.weights,
                **_summary(post),
            },
        )
        _move(session, result, actor, {"shortlist_revision": revision})
        frozen.append(result)
    return frozen


def _check_revisable(session: Session, position: Position) -> ShortlistResult:
    """Lock the post's candidates and return its current result, when it may be revised.

    The lock keeps a pick from slipping in while the revision is made.

    :raises ValidationFailed: when the post is dropped, filled or not frozen yet.
    """
    if not position.is_open:
        raise ValidationFailed(
            Reason("appointment.dropped", N_("%(post)s was dropped."), {"post": position.name})
        )
    session.execute(
        sa.select(Application.id).where(Application.position_id == position.id).with_for_update()
    ).all()
    require_not_filled(session, position)
    previous = current_result(session, position.id)
    if previous is None:
        raise ValidationFailed(
            Reason(
                "appointment.not_frozen",
                N_("The three best of %(post)s have not been frozen yet."),
                {"post": position.name},
            )
        )
    return previous


def _rerank(
    session: Session, selection: Selection, position: Position, previous: ShortlistResult
) -> PostRanking:
    """Rank the candidates of the previous result again on today's data.

    :raises ValidationFailed: when the new ranking is the same as the previous one.
    :raises GuardFailed: when the selection's weights or pass marks cannot be used.
    """
    ranked_ids = [e["application_id"] for e in previous.ranking]
    applications = [
        a for a in applications_in(session, [position.id], RANKED_STATES) if a.id in ranked_ids
    ]
    params = definition_of(selection).params(selection.parameters)
    (post,) = rank_posts(session, [position], applications, params)
    if post.ranking == previous.ranking and post.shortlist == previous.shortlist:
        raise ValidationFailed(
            Reason(
                "appointment.revision_same",
                N_(
                    "Recomputing gives the same ranking as revision %(revision)d of"
                    " %(post)s; correct the figures first."
                ),
                {"revision": previous.revision, "post": position.name},
            )
        )
    return post


def revise_shortlist(position: Position, actor: User, reason: str) -> ShortlistResult:
    """Recompute a post's ranking and freeze it as the next revision, superseding the last.

    Candidates' states follow the new three best through the engine; the revision, its
    reason and the before/after shortlists are audited. Only before anyone is appointed.

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises ValidationFailed: outside the appointment stage, when the post is dropped or
        filled, without a reason, or when the recomputed result is the same as the current.
    """
    session = db.session
    try:
        selection = lock_for_secretariat(session, position.selection_id, actor)
        text = reason_text(reason)
        previous = _check_revisable(session, position)
        post = _rerank(session, selection, position, previous)
        previous.superseded_at = clock.now()
        result = _store(session, selection, post, actor, previous.revision + 1, text)
        audit.append(
            session,
            event="shortlist_revised",
            actor=actor,
            subject_type="position",
            subject_id=position.id,
            selection_id=selection.id,
            payload={
                "post": position.name,
                "revision": result.revision,
                "supersedes": previous.revision,
                "reason": text,
                "shortlist_before": previous.shortlist,
                "shortlist_after": post.shortlist,
                **_summary(post),
            },
        )
        _move(session, result, actor, {"shortlist_revision": result.revision, "reason": text})
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise
