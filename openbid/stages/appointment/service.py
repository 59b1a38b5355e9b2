"""Ranking, the three best (tiga besar) per post, their revisions, approvals, and the pick.

When the interviews close, each open post's eligible candidates are ranked on the combined
score (the definition's weights merged with the selection's overrides) and the three best
qualified are frozen as a numbered ShortlistResult. A frozen result never changes: a
correction (e.g. a mistyped assessment-centre score) leads to an audited, reasoned revision
that supersedes it. A post with fewer than three qualified blocks the PPK's pick until an
approval to proceed (override) is on file, and the PPK appoints only after the oversight
body's word on the results (KASN's recommendation, BKN's validation) is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Approval,
    AssessmentResult,
    CandidateProfile,
    Position,
    Role,
    Selection,
    SelectionState,
    ShortlistResult,
    User,
)
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed, percent_text
from openbid.rules.scoring import (
    ASSESSMENT,
    INTERVIEW,
    PAPER,
    TOP_COUNT,
    TRACK_RECORD,
    Candidate,
    InvalidWeights,
    ScoringParams,
    Weights,
    component_label,
    rank,
    top_three,
)
from openbid.stages.common import letters
from openbid.stages.interview import interview_means, parse_score
from openbid.workflow import FireResult, Forbidden, GuardFailed, definition_of, fire

APPOINTMENT_STATE = SelectionState.APPOINTMENT
RESULT_RECOMMENDATION = "result_recommendation"
OVERRIDE_PREFIX = "shortlist_override:"
# Where each weighted component comes from; the interview is the members' mean.
ASSESSMENT_FIELDS = {
    ASSESSMENT: "assessment_score",
    PAPER: "paper_score",
    TRACK_RECORD: "track_record_score",
}
# What the secretariat may correct after the freeze: the assessment stage's figures, which
# are transcribed from outside reports. Interview scores are members' own final judgements.
CORRECTABLE_FIELDS: dict[str, Term] = {
    "assessment_score": Term(N_("assessment-centre score")),
    "paper_score": Term(N_("paper score")),
    "track_record_score": Term(N_("track-record score")),
    "health_fit": Term(N_("health test result")),
    "psych_fit": Term(N_("psychological test result")),
}
# How the oversight body's word on the results is called, per definition.
RESULT_LETTER: dict[str, Term] = {
    "KASN": Term(N_("KASN's recommendation on the results")),
    "BKN": Term(N_("BKN's validation of the results")),
}
MAX_TEXT = 4000


def override_purpose(position_id: int) -> str:
    """Return the Approval purpose of a shortlist override for a post."""
    return f"{OVERRIDE_PREFIX}{position_id}"


def result_letter(selection: Selection) -> Term:
    """Return the name of the oversight body's word on the results for this selection."""
    body = definition_of(selection).oversight_body
    return RESULT_LETTER.get(body, Term(N_("the oversight body's word on the results")))


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
    return int(params.get("shortlist_size", TOP_COUNT))


@dataclass
class PostRanking:
    """A post's ranking as computed now, ready to be frozen."""

    position: Position
    ranking: list[dict[str, Any]]
    shortlist: list[int]
    weights: dict[str, str]
    shortage: Reason | None


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
        apps = [a for a in applications if a.position_id == position.id]
        candidates = []
        for app in apps:
            result = results.get(app.id)
            scores: dict[str, Decimal] = {}
            for name in scoring.weights.components:
                if name == INTERVIEW:
                    value = means.get(app.id)
                elif name in ASSESSMENT_FIELDS and result is not None:
                    value = getattr(result, ASSESSMENT_FIELDS[name])
                else:
                    value = None
                if value is not None:
                    scores[name] = Decimal(value)
            candidates.append(
                Candidate(
                    candidate_id=app.id,
                    name=app.candidate.name,
                    scores=scores,
                    submitted_at=app.submitted_at or app.created_at,
                    health_fit=result.health_fit if result is not None else None,
                    psych_fit=result.psych_fit if result is not None else None,
                )
            )
        ranked = rank(candidates, scoring)
        best = [entry for entry in ranked if entry.qualified][:size]
        entries = [
            {
                "application_id": entry.candidate.candidate_id,
                "name": entry.candidate.name,
                "nip": nips.get(entry.candidate.candidate_id, ""),
                "rank": entry.position,
                "combined": _text(entry.combined),
                "components": {
                    name: _text(entry.candidate.scores.get(name))
                    for name in scoring.weights.components
                },
                "health_fit": entry.candidate.health_fit,
                "psych_fit": entry.candidate.psych_fit,
                "qualified": entry.qualified,
                "reasons": [reason.as_dict() for reason in entry.reasons],
            }
            for entry in ranked
        ]
        out.append(
            PostRanking(
                position=position,
                ranking=entries,
                shortlist=[entry.candidate.candidate_id for entry in best],
                weights=weights,
                shortage=_shortage(ranked, size, position.name),
            )
        )
    return out


def current_results(session: Session, selection: Selection) -> dict[int, ShortlistResult]:
    """Return the current (not superseded) frozen result of each post, by position id."""
    rows = session.scalars(
        sa.select(ShortlistResult).where(
            ShortlistResult.selection_id == selection.id, ShortlistResult.superseded_at.is_(None)
        )
    ).all()
    return {row.position_id: row for row in rows}


def current_result(session: Session, position_id: int) -> ShortlistResult | None:
    """Return the current frozen result of one post, or None before the freeze."""
    return session.scalar(
        sa.select(ShortlistResult).where(
            ShortlistResult.position_id == position_id, ShortlistResult.superseded_at.is_(None)
        )
    )


def _open_positions(session: Session, selection: Selection) -> list[Position]:
    return list(
        session.scalars(
            sa.select(Position)
            .where(Position.selection_id == selection.id, Position.dropped_at.is_(None))
            .order_by(Position.id)
        )
    )


def _applications(session: Session, position_ids: list[int], states: tuple[str, ...]):
    return list(
        session.scalars(
            sa.select(Application)
            .where(Application.position_id.in_(position_ids), Application.state.in_(states))
            .options(sa.orm.joinedload(Application.candidate))
            .order_by(Application.id)
        )
    )


def _move(session: Session, result: ShortlistResult, actor: User, data: dict) -> None:
    """Fire shortlist/not_shortlist on each ranked application so states match the result."""
    chosen = set(result.shortlist)
    ids = [entry["application_id"] for entry in result.ranking]
    for app in _applications(
        session,
        [result.position_id],
        (ApplicationState.ELIGIBLE, ApplicationState.SHORTLISTED, ApplicationState.NOT_SHORTLISTED),
    ):
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


def freeze_shortlists(
    session: Session, selection: Selection, actor: User, params: Mapping[str, Any]
) -> list[ShortlistResult]:
    """Rank every open post and freeze its three best; move each candidate's state to match.

    Runs inside the caller's transaction (the close_interview action); writes one
    ShortlistResult per post, an audit event per post, and fires shortlist/not_shortlist.

    :raises GuardFailed: when the weights cannot be used or an application cannot move.
    """
    positions = _open_positions(session, selection)
    applications = _applications(session, [p.id for p in positions], (ApplicationState.ELIGIBLE,))
    frozen = []
    for post in rank_posts(session, positions, applications, params):
        previous = current_result(session, post.position.id)
        revision = 1
        if previous is not None:  # never expected at the freeze; kept consistent anyway
            previous.superseded_at = clock.now()
            revision = previous.revision + 1
        result = ShortlistResult(
            selection_id=selection.id,
            position_id=post.position.id,
            revision=revision,
            ranking=post.ranking,
            shortlist=post.shortlist,
            weights=post.weights,
            reason="",
            frozen_by_id=actor.id,
        )
        session.add(result)
        session.flush()
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
                "ranking": [
                    {k: e[k] for k in ("application_id", "rank", "combined", "qualified")}
                    for e in post.ranking
                ],
                "shortage": post.shortage.as_dict() if post.shortage else None,
            },
        )
        _move(session, result, actor, {"shortlist_revision": revision})
        frozen.append(result)
    return frozen


# --- Access -------------------------------------------------------------------------------


def _require_secretariat(actor: User, selection: Selection) -> None:
    """Refuse anyone but the selection's agency's secretariat.

    :raises Forbidden: for another role or another agency.
    """
    if actor.role != Role.SECRETARIAT or actor.agency_id != selection.agency_id:
        raise Forbidden(
            Reason(
                "appointment.secretariat_only",
                N_("Only the secretariat of this selection's agency can do this."),
            )
        )


def _require_state(selection: Selection) -> None:
    if selection.state != APPOINTMENT_STATE:
        raise ValidationFailed(
            Reason(
                "appointment.not_open",
                N_("This can be done only at the appointment stage (now: %(state)s)."),
                {"state": selection.state},
            )
        )


def _lock(session: Session, model: type, ident: int):
    return session.scalars(
        sa.select(model)
        .where(model.id == ident)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _appointee(session: Session, position_id: int) -> Application | None:
    return session.scalar(
        sa.select(Application)
        .where(
            Application.position_id == position_id, Application.state == ApplicationState.APPOINTED
        )
        .options(sa.orm.joinedload(Application.candidate))
    )


def _not_filled(session: Session, position: Position) -> None:
    appointee = _appointee(session, position.id)
    if appointee is not None:
        raise ValidationFailed(
            Reason(
                "appointment.already_filled",
                N_(
                    "%(post)s is already filled (%(name)s was appointed); its three best can"
                    " no longer change."
                ),
                {"post": position.name, "name": appointee.candidate.name},
            )
        )


# --- Corrections and revisions ------------------------------------------------------------


def _parse_fitness(raw: Any) -> bool:
    text = str(raw if raw is not None else "").strip().lower()
    if text in ("fit", "true", "1", "yes", "ya", "memenuhi syarat"):
        return True
    if text in ("unfit", "false", "0", "no", "tidak", "tidak memenuhi syarat"):
        return False
    raise ValidationFailed(
        Reason("appointment.fitness_invalid", N_("Choose fit or unfit for the test result."))
    )


def _reason_text(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(
            Reason(
                "appointment.reason_required",
                N_("Give the reason, e.g. the letter or report that shows the correct value."),
            )
        )
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            Reason(
                "appointment.reason_long",
                N_("The reason is longer than %(limit)d characters; shorten it."),
                {"limit": MAX_TEXT},
            )
        )
    return text


def correct_assessment(
    application: Application, actor: User, *, field: str, value: Any, reason: str
) -> AssessmentResult:
    """Correct one assessment-stage figure of a candidate after the freeze, with a reason.

    The frozen ranking is not touched: the secretariat then revises the post's three best
    (revise_shortlist), which recomputes from the corrected data.

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises ValidationFailed: outside the appointment stage, once the post is filled, for an
        unknown field, a bad value, an unchanged value, no result on file, or no reason.
    """
    session = db.session
    position = application.position
    selection = _lock(session, Selection, position.selection_id)
    _require_secretariat(actor, selection)
    _require_state(selection)
    _not_filled(session, position)
    if field not in CORRECTABLE_FIELDS:
        raise ValidationFailed(
            Reason(
                "appointment.field_unknown",
                N_("Choose which figure to correct."),
            )
        )
    if position.selection_id != selection.id or application.state not in (
        ApplicationState.SHORTLISTED,
        ApplicationState.NOT_SHORTLISTED,
    ):
        raise ValidationFailed(
            Reason(
                "appointment.not_ranked",
                N_("%(name)s is not in the frozen ranking of this selection."),
                {"name": application.candidate.name},
            )
        )
    result = session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
    )
    if result is None:
        raise ValidationFailed(
            Reason(
                "appointment.no_assessment",
                N_("No assessment result is on file for %(name)s."),
                {"name": application.candidate.name},
            )
        )
    new = _parse_fitness(value) if field.endswith("_fit") else parse_score(value)
    text = _reason_text(reason)
    old = getattr(result, field)
    if old is not None and not isinstance(old, bool):
        old = Decimal(old)
    if old == new:
        raise ValidationFailed(
            Reason(
                "appointment.correction_same",
                N_("The %(field)s of %(name)s is already %(value)s; nothing to correct."),
                {
                    "field": CORRECTABLE_FIELDS[field],
                    "name": application.candidate.name,
                    "value": str(new),
                },
            )
        )
    setattr(result, field, new)
    result.updated_by_id = actor.id
    result.source = "correction"
    session.flush()
    audit.append(
        session,
        event="assessment_corrected",
        actor=actor,
        subject_type="application",
        subject_id=application.id,
        selection_id=selection.id,
        payload={
            "candidate": application.candidate.name,
            "field": field,
            "before": old,
            "after": new,
            "reason": text,
        },
    )
    session.commit()
    return result


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
        selection = _lock(session, Selection, position.selection_id)
        _require_secretariat(actor, selection)
        _require_state(selection)
        text = _reason_text(reason)
        if not position.is_open:
            raise ValidationFailed(
                Reason("appointment.dropped", N_("%(post)s was dropped."), {"post": position.name})
            )
        # Lock the post's candidates so a pick cannot slip in while the revision is made.
        session.execute(
            sa.select(Application.id)
            .where(Application.position_id == position.id)
            .with_for_update()
        ).all()
        _not_filled(session, position)
        previous = current_result(session, position.id)
        if previous is None:
            raise ValidationFailed(
                Reason(
                    "appointment.not_frozen",
                    N_("The three best of %(post)s have not been frozen yet."),
                    {"post": position.name},
                )
            )
        ranked_ids = [e["application_id"] for e in previous.ranking]
        applications = [
            a
            for a in _applications(
                session,
                [position.id],
                (
                    ApplicationState.ELIGIBLE,
                    ApplicationState.SHORTLISTED,
                    ApplicationState.NOT_SHORTLISTED,
                ),
            )
            if a.id in ranked_ids
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
        previous.superseded_at = clock.now()
        result = ShortlistResult(
            selection_id=selection.id,
            position_id=position.id,
            revision=previous.revision + 1,
            ranking=post.ranking,
            shortlist=post.shortlist,
            weights=post.weights,
            reason=text,
            frozen_by_id=actor.id,
        )
        session.add(result)
        session.flush()
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
                "ranking": [
                    {k: e[k] for k in ("application_id", "rank", "combined", "qualified")}
                    for e in post.ranking
                ],
                "shortage": post.shortage.as_dict() if post.shortage else None,
            },
        )
        _move(session, result, actor, {"shortlist_revision": result.revision, "reason": text})
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise


# --- Approvals: override of a short list, the oversight body's word on the results -------


def override_for(session: Session, position_id: int) -> Approval | None:
    """Return the approval to proceed with fewer than three for a post, if on file."""
    return session.scalar(
        sa.select(Approval)
        .where(Approval.purpose == override_purpose(position_id))
        .order_by(Approval.id.desc())
        .limit(1)
    )


def record_override_letter(
    position: Position,
    actor: User,
    *,
    authority: str,
    letter_number: str,
    letter_date: date | None,
    subject: str = "",
    notes: str = "",
    pdf: bytes | None = None,
) -> Approval:
    """Record the approval to proceed with fewer than three qualified in a post; audited.

    For a post where nobody qualified, the approval lets the selection complete with the
    post left vacant (to be filled by a new selection).

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises ValidationFailed: outside the appointment stage, for a post with three qualified
        or an override already on file, or for a bad letter (number, date, PDF).
    """
    session = db.session
    selection = _lock(session, Selection, position.selection_id)
    _require_secretariat(actor, selection)
    _require_state(selection)
    result = current_result(session, position.id)
    params = definition_of(selection).params(selection.parameters)
    size = shortlist_size(params)
    if result is None or len(result.shortlist) >= size or not position.is_open:
        raise ValidationFailed(
            Reason(
                "appointment.override_not_needed",
                N_("%(post)s has its full three best; no override is needed."),
                {"post": position.name},
            )
        )
    existing = override_for(session, position.id)
    if existing is not None:
        raise ValidationFailed(
            Reason(
                "appointment.override_exists",
                N_("An override for %(post)s is already on file (letter %(number)s)."),
                {"post": position.name, "number": existing.letter_number},
            )
        )
    approval = letters.record_letter(
        selection,
        actor,
        letters.Letter(
            letter_number=letter_number,
            letter_date=letter_date,
            subject=subject,
            notes=notes,
            pdf=pdf,
            authority=authority,
        ),
        rules=letters.APPOINTMENT_RULES,
        purpose=override_purpose(position.id),
        event="shortlist_override_recorded",
        details={
            "post": position.name,
            "revision": result.revision,
            "qualified": len(result.shortlist),
            "notes": (notes or "").strip(),
        },
    )
    session.commit()
    return approval


def record_result_letter(
    selection: Selection,
    actor: User,
    *,
    letter_number: str,
    letter_date: date | None,
    subject: str = "",
    notes: str = "",
    pdf: bytes | None = None,
) -> Approval:
    """Record the oversight body's word on the results (KASN recommendation, BKN validation).

    The authority is the definition's oversight body. A newer letter may be recorded, e.g.
    after a revision of the three best; the latest one counts.

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises ValidationFailed: outside the appointment stage or for a bad letter.
    """
    session = db.session
    selection = _lock(session, Selection, selection.id)
    _require_secretariat(actor, selection)
    _require_state(selection)
    approval = letters.record_letter(
        selection,
        actor,
        letters.Letter(
            letter_number=letter_number,
            letter_date=letter_date,
            subject=subject,
            notes=notes,
            pdf=pdf,
            authority=definition_of(selection).oversight_body,
        ),
        rules=letters.APPOINTMENT_RULES,
        purpose=RESULT_RECOMMENDATION,
        event="result_recommendation_recorded",
        details={
            "revisions": {
                str(pid): r.revision for pid, r in current_results(session, selection).items()
            },
            "notes": (notes or "").strip(),
        },
    )
    session.commit()
    return approval


def latest_recommendation(session: Session, selection: Selection) -> Approval | None:
    """Return the latest recorded word of the oversight body on the results, if any."""
    return session.scalar(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id, Approval.purpose == RESULT_RECOMMENDATION)
        .order_by(Approval.recorded_at.desc(), Approval.id.desc())
        .limit(1)
    )


# --- Conditions shared by the guards and the page -----------------------------------------


def shortage_reasons(
    session: Session,
    selection: Selection,
    params: Mapping[str, Any],
    position_ids: list[int] | None = None,
) -> list[Reason]:
    """Return why the PPK may not pick yet because a post's three best are short, unapproved."""
    results = current_results(session, selection)
    size = shortlist_size(params)
    positions = _open_positions(session, selection)
    overrides = {
        a.purpose
        for a in session.scalars(
            sa.select(Approval).where(
                Approval.selection_id == selection.id,
                Approval.purpose.like(f"{OVERRIDE_PREFIX}%"),
            )
        )
    }
    reasons = []
    for position in positions:
        if position_ids is not None and position.id not in position_ids:
            continue
        result = results.get(position.id)
        if result is None or len(result.shortlist) >= size:
            continue
        if override_purpose(position.id) in overrides:
            continue
        reasons.append(_short_reason(position, len(result.shortlist), size))
    return reasons


def vacant_by_approval(session: Session, selection: Selection) -> set[int]:
    """Return the open posts where nobody qualified and an override lets them stay vacant."""
    results = current_results(session, selection)
    empty = {pid for pid, result in results.items() if not result.shortlist}
    if not empty:
        return set()
    approved = set(
        session.scalars(
            sa.select(Approval.purpose).where(
                Approval.selection_id == selection.id,
                Approval.purpose.in_([override_purpose(pid) for pid in empty]),
            )
        )
    )
    return {pid for pid in empty if override_purpose(pid) in approved}


def _short_reason(position: Position, count: int, size: int) -> Reason:
    return Reason(
        "appointment.shortlist_short",
        N_(
            "Qualified candidates for %(post)s: %(count)d of the %(size)d needed;"
            " record the approval to proceed with fewer first."
        ),
        {"post": position.name, "count": count, "size": size},
    )


def recommendation_reasons(session: Session, selection: Selection) -> list[Reason]:
    """Return why the oversight body's word on the results is not (or no longer) on file."""
    letter = result_letter(selection)
    latest = latest_recommendation(session, selection)
    if latest is None:
        return [
            Reason(
                "appointment.no_recommendation",
                N_(
                    "%(letter)s is not on file yet; the appointing official appoints after"
                    " the oversight body's word."
                ),
                {"letter": letter},
            )
        ]
    positions = {p.id: p for p in _open_positions(session, selection)}
    reasons = []
    for position_id, result in sorted(current_results(session, selection).items()):
        if position_id in positions and result.frozen_at > latest.recorded_at:
            reasons.append(
                Reason(
                    "appointment.recommendation_stale",
                    N_(
                        "The three best of %(post)s were revised after %(letter)s (letter"
                        " %(number)s) was recorded; record its word on the revised results."
                    ),
                    {
                        "post": positions[position_id].name,
                        "letter": letter,
                        "number": latest.letter_number,
                    },
                )
            )
    return reasons


def stored_reason(data: Mapping[str, Any]) -> Reason:
    """Return a Reason saved with a frozen result, its component name translatable again."""
    params = dict(data.get("params") or {})
    if isinstance(params.get("component"), str):
        # Saved as the English label, which is the label's msgid.
        params["component"] = Term(params["component"])
    return Reason(str(data.get("code", "")), str(data.get("template", "")), params)


# --- The PPK's pick ---------------------------------------------------------------------


def appoint(
    application: Application, ppk_user: User, *, expected_version: int | None = None
) -> FireResult:
    """Appoint a candidate among a post's three best, as the PPK, through the engine.

    :raises Forbidden: for anyone but the agency's PPK.
    :raises GuardFailed: outside the three best, a post already filled, a short list without
        its override, or without the oversight body's word on the results.
    :raises Conflict: when the application changed meanwhile or cannot be appointed from its
        state.
    """
    # Two picks in one post at the same moment must not both pass post_not_yet_filled: the
    # second waits on the post's row until the first commits, then its guard sees it.
    db.session.execute(
        sa.select(Position.id).where(Position.id == application.position_id).with_for_update()
    ).all()
    return fire(
        application,
        ApplicationEvent.APPOINT,
        ppk_user,
        {"position_id": application.position_id},
        expected_version=expected_version,
    )


# --- What the appointment page shows -------------------------------------------------------


@dataclass
class RankedRow:
    """One row of a frozen ranking, with the candidate's current state."""

    entry: dict[str, Any]
    application: Application | None
    reasons: list[Reason]
    in_shortlist: bool

    @property
    def state(self) -> str:
        """Return the application's current state ('' if it is gone)."""
        return self.application.state if self.application is not None else ""


@dataclass
class PostBoard:
    """One post on the appointment page."""

    position: Position
    result: ShortlistResult | None
    rows: list[RankedRow]
    shortlist: list[RankedRow]
    short: bool
    override: Approval | None
    appointee: Application | None
    history: list[ShortlistResult]
    # Why the PPK cannot pick in this post now (empty: the buttons work).
    pick_reasons: list[Reason]
    # The data changed since the freeze: a revision would give another ranking.
    stale: bool


@dataclass
class AppointmentBoard:
    """Everything the appointment page shows."""

    selection: Selection
    posts: list[PostBoard]
    # (component code, label, weight in percent, pass mark or None), in the weights' order.
    weights: list[tuple[str, Term, str, Decimal | None]]
    tie_break: list[Term]
    size: int
    recommendations: list[Approval]
    recommendation_reasons: list[Reason]
    letter: Term
    oversight_body: str
    frozen: bool = field(default=False)


def build_board(selection: Selection) -> AppointmentBoard:
    """Return the appointment page's data in a fixed number of queries."""
    session = db.session
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    size = shortlist_size(params)
    positions = _open_positions(session, selection)
    all_results = session.scalars(
        sa.select(ShortlistResult)
        .where(ShortlistResult.selection_id == selection.id)
        .order_by(ShortlistResult.position_id, ShortlistResult.revision.desc())
    ).all()
    applications = _applications(
        session,
        [p.id for p in positions],
        (
            ApplicationState.ELIGIBLE,
            ApplicationState.SHORTLISTED,
            ApplicationState.NOT_SHORTLISTED,
            ApplicationState.APPOINTED,
            ApplicationState.NOT_APPOINTED,
        ),
    )
    apps = {a.id: a for a in applications}
    approvals = session.scalars(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id)
        .where(
            sa.or_(
                Approval.purpose == RESULT_RECOMMENDATION,
                Approval.purpose.like(f"{OVERRIDE_PREFIX}%"),
            )
        )
        .order_by(Approval.recorded_at, Approval.id)
    ).all()
    overrides = {a.purpose: a for a in approvals if a.purpose.startswith(OVERRIDE_PREFIX)}
    recommendations = [a for a in approvals if a.purpose == RESULT_RECOMMENDATION]
    rec_reasons = recommendation_reasons(session, selection) if all_results else []
    # Today's data, to tell whether a revision would change anything.
    try:
        ranked_now = {
            p.position.id: p
            for p in rank_posts(
                session,
                positions,
                [
                    a
                    for a in applications
                    if a.state
                    in {
                        ApplicationState.ELIGIBLE,
                        ApplicationState.SHORTLISTED,
                        ApplicationState.NOT_SHORTLISTED,
                    }
                ],
                params,
            )
        }
    except GuardFailed:
        ranked_now = {}
    scoring = None
    try:
        scoring = scoring_params(params)
    except GuardFailed:
        pass
    posts = []
    for position in positions:
        history = [r for r in all_results if r.position_id == position.id]
        current = next((r for r in history if r.superseded_at is None), None)
        rows = []
        if current is not None:
            chosen = set(current.shortlist)
            for entry in current.ranking:
                rows.append(
                    RankedRow(
                        entry=entry,
                        application=apps.get(entry["application_id"]),
                        reasons=[stored_reason(r) for r in entry.get("reasons", [])],
                        in_shortlist=entry["application_id"] in chosen,
                    )
                )
        shortlist = [row for row in rows if row.in_shortlist]
        appointee = next(
            (
                a
                for a in applications
                if a.position_id == position.id and a.state == ApplicationState.APPOINTED
            ),
            None,
        )
        short = current is not None and len(current.shortlist) < size
        override = overrides.get(override_purpose(position.id))
        pick_reasons: list[Reason] = []
        if appointee is not None:
            pick_reasons.append(
                Reason(
                    "appointment.filled",
                    N_("%(post)s is filled: %(name)s was appointed."),
                    {"post": position.name, "name": appointee.candidate.name},
                )
            )
        elif selection.state == APPOINTMENT_STATE:
            if short and override is None:
                pick_reasons.append(_short_reason(position, len(current.shortlist), size))
            pick_reasons.extend(rec_reasons)
        now = ranked_now.get(position.id)
        stale = bool(
            current is not None
            and now is not None
            and ids_in(current.ranking) == ids_in(now.ranking)
            and (now.ranking != current.ranking or now.shortlist != current.shortlist)
        )
        posts.append(
            PostBoard(
                position=position,
                result=current,
                rows=rows,
                shortlist=shortlist,
                short=short,
                override=override,
                appointee=appointee,
                history=[r for r in history if r.superseded_at is not None],
                pick_reasons=pick_reasons,
                stale=stale,
            )
        )
    weights = []
    tie_break: list[Term] = []
    if scoring is not None:
        weights = [
            (name, component_label(name), percent_text(w), scoring.pass_marks.get(name))
            for name, w in scoring.weights.values.items()
        ]
        tie_break = [component_label(name) for name in scoring.tie_break_components]
    return AppointmentBoard(
        selection=selection,
        posts=posts,
        weights=weights,
        tie_break=tie_break,
        size=size,
        recommendations=recommendations,
        recommendation_reasons=rec_reasons,
        letter=result_letter(selection),
        oversight_body=definition.oversight_body,
        frozen=bool(all_results),
    )


def ids_in(ranking: list[dict[str, Any]]) -> list[int]:
    """Return the application ids of a ranking, sorted."""
    return sorted(e["application_id"] for e in ranking)
