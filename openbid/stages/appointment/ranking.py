"""Ranking each open post on today's data, with the selection's scoring rules.

Each post's candidates are ranked on the combined score (the definition's weights merged with
the selection's overrides, see ``rules.scoring``); the best qualified, as many as the
definition's ``shortlist_size``, are the post's shortlist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import (
    Application,
    AssessmentResult,
    CandidateProfile,
    Position,
    Selection,
)
from openbid.rules.reasons import N_, Reason
from openbid.rules.scoring import (
    ASSESSMENT,
    INTERVIEW,
    PAPER,
    TOP_COUNT,
    TRACK_RECORD,
    Candidate,
    InvalidWeights,
    Ranked,
    ScoringParams,
    Weights,
    rank,
    top_three,
)
from openbid.stages.common.scores import interview_means
from openbid.workflow import GuardFailed

# Where each weighted component comes from; the interview is the members' mean.
ASSESSMENT_FIELDS = {
    ASSESSMENT: "assessment_score",
    PAPER: "paper_score",
    TRACK_RECORD: "track_record_score",
}


def _decimal(value: Any) -> Decimal:
    # YAML gives floats (0.35); str() keeps the written digits exact.
    return Decimal(str(value))


def scoring_params(params: Mapping[str, Any]) -> ScoringParams:
    """Return the scoring rules of a selection from its merged definition parameters.

    ``weights`` and ``pass_marks`` come from the definition (overridable per selection); an
    optional ``scoring`` mapping may set ``require_fitness_results`` and ``tie_break``.
    Components weighted 0 are left out, with their pass marks.

    :raises GuardFailed: when the weights or pass marks cannot be used, with the reasons.
    """
    extra = params.get("scoring") or {}
    # A component weighted 0 does not count: it is neither needed nor held to a pass mark
    # (the assessment stage does not ask for it either).
    values = {k: _decimal(v) for k, v in (params.get("weights") or {}).items()}
    weights = Weights({k: v for k, v in values.items() if v != 0} or values)
    marks = {
        k: _decimal(v)
        for k, v in (params.get("pass_marks") or {}).items()
        if v is not None and k in weights.values
    }
    kwargs: dict[str, Any] = {"weights": weights, "pass_marks": marks}
    if "require_fitness_results" in extra:
        kwargs["require_fitness_results"] = bool(extra["require_fitness_results"])
    if extra.get("tie_break"):
        kwargs["tie_break_components"] = tuple(extra["tie_break"])
    try:
        return ScoringParams(**kwargs)
    except InvalidWeights as error:
        raise GuardFailed(error.reasons) from None
    except ValueError as error:
        raise GuardFailed(
            Reason(
                "appointment.bad_pass_marks",
                N_("The pass marks cannot be used: %(problem)s."),
                {"problem": str(error)},
            )
        ) from None


def shortlist_size(params: Mapping[str, Any]) -> int:
    """Return how many candidates per post go to the PPK (the definition's shortlist_size)."""
    return int(params["shortlist_size"])


@dataclass
class PostRanking:
    """A post's ranking as computed now, ready to be frozen."""

    position: Position
    ranking: list[dict[str, Any]]
    shortlist: list[int]
    weights: dict[str, str]
    shortage: Reason | None


def open_positions(session: Session, selection: Selection) -> list[Position]:
    """Return the selection's posts that were not dropped, in order."""
    return list(
        session.scalars(
            sa.select(Position)
            .where(Position.selection_id == selection.id, Position.dropped_at.is_(None))
            .order_by(Position.id)
        )
    )


def applications_in(
    session: Session, position_ids: list[int], states: tuple[str, ...]
) -> list[Application]:
    """Return the applications to the posts in the given states, with their candidates."""
    return list(
        session.scalars(
            sa.select(Application)
            .where(Application.position_id.in_(position_ids), Application.state.in_(states))
            .options(sa.orm.joinedload(Application.candidate))
            .order_by(Application.id)
        )
    )


def _nips(session: Session, applications: list[Application]) -> dict[int, str]:
    profiles = dict(
        session.execute(
            sa.select(CandidateProfile.user_id, CandidateProfile.nip).where(
                CandidateProfile.user_id.in_({a.candidate_id for a in applications})
            )
        ).all()
    )
    return {
        a.id: str((a.profile_snapshot or {}).get("nip") or profiles.get(a.candidate_id, ""))
        for a in applications
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _shortage(ranked: list, size: int, post: str) -> Reason | None:
    """Return why fewer than size qualified for post, or None (rules.scoring's reason for 3)."""
    count = sum(1 for entry in ranked if entry.qualified)
    if count >= size:
        return None
    if size == TOP_COUNT:
        return top_three(ranked, post)[1]
    return Reason(
        "scoring.fewer_than_needed",
        N_("Only %(count)d of the %(size)d candidates needed qualified for %(post)s."),
        {"count": count, "size": size, "post": post},
    )


def _candidate(
    app: Application,
    components: Sequence[str],
    result: AssessmentResult | None,
    mean: Decimal | None,
) -> Candidate:
    """Return an application as the ranking sees it: its weighted scores and fitness."""
    scores: dict[str, Decimal] = {}
    for name in components:
        if name == INTERVIEW:
            value = mean
        elif name in ASSESSMENT_FIELDS and result is not None:
            value = getattr(result, ASSESSMENT_FIELDS[name])
        else:
            value = None
        if value is not None:
            scores[name] = Decimal(value)
    return Candidate(
        candidate_id=app.id,
        name=app.candidate.name,
        scores=scores,
        submitted_at=app.submitted_at or app.created_at,
        health_fit=result.health_fit if result is not None else None,
        psych_fit=result.psych_fit if result is not None else None,
    )


def _entry(entry: Ranked, components: Sequence[str], nips: dict[int, str]) -> dict[str, Any]:
    """Return a ranked candidate as the frozen result stores it."""
    return {
        "application_id": entry.candidate.candidate_id,
        "name": entry.candidate.name,
        "nip": nips.get(entry.candidate.candidate_id, ""),
        "rank": entry.position,
        "combined": _text(entry.combined),
        "components": {name: _text(entry.candidate.scores.get(name)) for name in components},
        "health_fit": entry.candidate.health_fit,
        "psych_fit": entry.candidate.psych_fit,
        "qualified": entry.qualified,
        "reasons": [reason.as_dict() for reason in entry.reasons],
    }


def rank_posts(
    session: Session,
    positions: list[Position],
    applications: list[Application],
    params: Mapping[str, Any],
) -> list[PostRanking]:
    """Rank each post's applications on today's data (assessment results, interview means).

    Queries do not grow with the number of candidates or posts.

    :raises GuardFailed: when the selection's weights or pass marks cannot be used.
    """
    scoring = scoring_params(params)
    size = shortlist_size(params)
    components = scoring.weights.components
    ids = [a.id for a in applications]
    results = {
        r.application_id: r
        for r in session.scalars(
            sa.select(AssessmentResult).where(AssessmentResult.application_id.in_(ids))
        )
    }
    means = interview_means(session, ids)
    nips = _nips(session, applications)
    weights = {name: str(w) for name, w in scoring.weights.values.items()}
    out = []
    for position in positions:
        candidates = [
            _candidate(app, components, results.get(app.id), means.get(app.id))
            for app in applications
            if app.position_id == position.id
        ]
        ranked = rank(candidates, scoring)
        best = [entry for entry in ranked if entry.qualified][:size]
        out.append(
            PostRanking(
                position=position,
                ranking=[_entry(entry, components, nips) for entry in ranked],
                shortlist=[entry.candidate.candidate_id for entry in best],
                weights=weights,
                shortage=_shortage(ranked, size, position.name),
            )
        )
    return out
