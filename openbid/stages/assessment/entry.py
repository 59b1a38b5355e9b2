"""Entering assessment results: who may, when, and the audited change of a candidate's result.

Results are entered by the secretariat or a committee member of the selection's agency
(seated on its committee) while the selection is in the competency assessment, for an
eligible candidate only. Every value is validated before anything is written; each save is
audited with the values before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from openbid import audit, clock
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationState,
    AssessmentResult,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.rules.scoring import AssessmentCategory, assessment_category
from openbid.stages.assessment.fields import FIELDS
from openbid.stages.assessment.validity import AssessmentRules, assessment_rules, parse_fields
from openbid.workflow import Forbidden, StaleState, definition_of
from openbid.workflow.access import check_access, require_state, roles_reason

ASSESSMENT_STAGE = SelectionState.COMPETENCY_ASSESSMENT
EDIT_ROLES = (Role.SECRETARIAT, Role.COMMITTEE)

ROLE_REFUSED = Reason(
    "assessment.role", N_("Only the secretariat and the committee enter assessment results.")
)
CLOSED = N_("Assessment results can be entered only during the competency assessment.")


# --- Who may enter results, and when ----------------------------------------------------------


def check_entry(selection: Selection, actor: User) -> None:
    """Refuse an actor who may not enter results for this selection now.

    :raises Forbidden: for another role, another agency, or a committee member not seated.
    :raises ValidationFailed: outside the competency assessment.
    """
    if roles_reason(actor, EDIT_ROLES) is not None:
        raise Forbidden(ROLE_REFUSED)
    check_access(actor, selection, selection, db.session)
    require_state(selection, (ASSESSMENT_STAGE,), code="assessment.closed", message=CLOSED)


def state_term(selection: Selection, state: str) -> Term:
    """Return an application state's label as a term that translates in messages."""
    return Term(definition_of(selection).machine("application").state_label(state))


def _check_eligible(application: Application) -> None:
    if application.state != ApplicationState.ELIGIBLE:
        raise ValidationFailed(
            Reason(
                "assessment.not_eligible",
                N_(
                    "%(name)s is not a candidate in the competency assessment (the"
                    " application is %(state)s)."
                ),
                {
                    "name": application.candidate.name,
                    "state": state_term(application.position.selection, application.state),
                },
            )
        )


# --- Saving ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _current(result: AssessmentResult | None) -> dict[str, Any]:
    if result is None:
        return dict.fromkeys(FIELDS)
    return {name: getattr(result, name) for name in FIELDS}


def apply_values(
    application: Application,
    result: AssessmentResult | None,
    values: Mapping[str, Any],
    actor: User,
    rules: AssessmentRules,
    source: str,
) -> tuple[AssessmentResult | None, dict[str, Any], dict[str, Any]]:
    """Set the values on the application's result; return it and the changed before/after."""
    values = dict(values)
    before = _current(result)
    final = {**before, **values}
    if final["assessment_score"] is not None and final["assessment_category"] in (None, ""):
        # A score without a category: suggest the category its thresholds give.
        values["assessment_category"] = assessment_category(
            final["assessment_score"], rules.thresholds
        )
    if isinstance(values.get("assessment_category"), AssessmentCategory):
        values["assessment_category"] = values["assessment_category"].value
    if "assessment_centre" in values and values["assessment_centre"] is None:
        values["assessment_centre"] = ""
    changed = {
        name: value
        for name, value in values.items()
        if before[name] != value and not (before[name] in (None, "") and value in (None, ""))
    }
    if not changed:
        return result, {}, {}
    if result is None:
        result = AssessmentResult(application_id=application.id, updated_by_id=actor.id)
        db.session.add(result)
    for name, value in changed.items():
        setattr(result, name, value)
    result.updated_by_id = actor.id
    result.updated_at = clock.now()
    result.source = source[:200]
    return (
        result,
        {name: _jsonable(before[name]) for name in changed},
        {name: _jsonable(value) for name, value in changed.items()},
    )


def reused_result(after: Mapping[str, Any], selection: Selection) -> bool:
    """Return whether a newly entered assessment date predates the selection (a reuse)."""
    day = after.get("assessed_on")
    return bool(day) and date.fromisoformat(day) < selection.start_date


def flush_results() -> None:
    """Flush the results written; a first result two people created at once is a conflict.

    :raises StaleState: when another transaction created the same result first.
    """
    try:
        db.session.flush()
    except IntegrityError:
        # Two people created the same candidate's first result at once; one must reload.
        db.session.rollback()
        raise StaleState(
            Reason(
                "conflict.stale",
                N_("Someone else changed this record a moment ago; reload and try again."),
            )
        ) from None


def save_result(
    application: Application,
    actor: User,
    *,
    commit: bool = True,
    **fields: object,
) -> AssessmentResult | None:
    """Enter or change some of an eligible candidate's assessment results.

    Only the given fields change; a blank or None value clears one. Values may be typed
    (Decimal, date, bool, AssessmentCategory) or text as typed in a form ("78,5", "MS",
    "10-12-2018"). A score without a category gets the category its thresholds suggest.
    Returns the result row (None when nothing was ever entered and nothing is given).

    :raises TypeError: for an unknown field name.
    :raises Forbidden: when the actor may not enter results for this selection.
    :raises ValidationFailed: outside the competency assessment, for a candidate who is not
        eligible, or for any bad value (every problem listed; nothing is written).
    """
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise TypeError(f"unknown assessment fields: {', '.join(unknown)}")
    selection = application.position.selection
    check_entry(selection, actor)
    _check_eligible(application)
    rules = assessment_rules(selection)
    values, problems = parse_fields(fields, rules)
    if problems:
        raise ValidationFailed(problems)
    result = db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
    )
    result, before, after = apply_values(application, result, values, actor, rules, "form")
    if not after:
        return result
    flush_results()
    audit.append(
        db.session,
        event="assessment_result_saved",
        actor=actor,
        subject_type="application",
        subject_id=application.id,
        selection_id=selection.id,
        payload={
            "candidate": application.candidate.name,
            "position": application.position.name,
            "source": "form",
            "reused_result": reused_result(after, selection),
            "before": before,
            "after": after,
        },
    )
    if commit:
        db.session.commit()
    return result
