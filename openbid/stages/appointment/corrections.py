"""Correcting an assessment-stage figure after the freeze, with a reason.

What the secretariat may correct are the assessment stage's figures, which are transcribed
from outside reports; interview scores are members' own final judgements. The frozen ranking
is not touched: the secretariat then revises the post's three best (``revise_shortlist``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit
from openbid.extensions import db
from openbid.models import Application, ApplicationState, AssessmentResult, Selection, User
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.rules.scoring import parse_score
from openbid.stages.appointment.checks import lock_for_secretariat, reason_text, require_not_filled

CORRECTABLE_FIELDS: dict[str, Term] = {
    "assessment_score": Term(N_("assessment-centre score")),
    "paper_score": Term(N_("paper score")),
    "track_record_score": Term(N_("track-record score")),
    "health_fit": Term(N_("health test result")),
    "psych_fit": Term(N_("psychological test result")),
}


def _parse_fitness(raw: Any) -> bool:
    text = str(raw if raw is not None else "").strip().lower()
    if text in ("fit", "true", "1", "yes", "ya", "memenuhi syarat"):
        return True
    if text in ("unfit", "false", "0", "no", "tidak", "tidak memenuhi syarat"):
        return False
    raise ValidationFailed(
        Reason("appointment.fitness_invalid", N_("Choose fit or unfit for the test result."))
    )


def _check_correctable(selection: Selection, application: Application, field: str) -> None:
    """Refuse an unknown field, or an application outside the selection's frozen ranking.

    :raises ValidationFailed: with the reason.
    """
    if field not in CORRECTABLE_FIELDS:
        raise ValidationFailed(
            Reason(
                "appointment.field_unknown",
                N_("Choose which figure to correct."),
            )
        )
    if application.position.selection_id != selection.id or application.state not in (
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


def _result_of(session: Session, application: Application) -> AssessmentResult:
    """Return the application's assessment result.

    :raises ValidationFailed: when none is on file.
    """
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
    return result


def _parse_value(field: str, value: Any) -> Decimal | bool:
    """Return the corrected value as the field stores it: fit/unfit, or a score.

    :raises ValidationFailed: for a value that is neither.
    """
    return _parse_fitness(value) if field.endswith("_fit") else parse_score(value)


def _require_change(
    result: AssessmentResult, application: Application, field: str, new: Decimal | bool
) -> Any:
    """Return the field's value now, refusing a correction that would not change it.

    :raises ValidationFailed: when new equals the value now.
    """
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
    return old


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
    selection = lock_for_secretariat(session, position.selection_id, actor)
    require_not_filled(session, position)
    _check_correctable(selection, application, field)
    result = _result_of(session, application)
    new = _parse_value(field, value)
    text = reason_text(reason)
    old = _require_change(result, application, field, new)
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
