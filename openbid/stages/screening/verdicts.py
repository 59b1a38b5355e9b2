"""The committee's verdict on an application: which event records it, and what it must say.

A verdict moves the application through the workflow engine (``pass_screening``,
``fail_screening``, ``revise_screening``); the engine's action then writes the
ScreeningVerdict with the rules' results beside the committee's word.
"""

from __future__ import annotations

from typing import Any

from openbid import clock
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    ScreeningVerdict,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.screening.evaluation import Screened, evaluated, screened
from openbid.stages.screening.results import result_json
from openbid.workflow import FireResult, fire


def verdict_event(state: str, passed: bool) -> str:
    """Return the application event that records a verdict from its current state.

    :raises ValidationFailed: when the application already has that verdict or cannot be
        screened in its state.
    """
    if state == ApplicationState.SUBMITTED:
        return ApplicationEvent.PASS_SCREENING if passed else ApplicationEvent.FAIL_SCREENING
    if state == ApplicationState.INELIGIBLE and passed:
        return ApplicationEvent.REVISE_SCREENING
    if state == ApplicationState.ELIGIBLE and not passed:
        return ApplicationEvent.FAIL_SCREENING
    if state in {ApplicationState.ELIGIBLE, ApplicationState.INELIGIBLE}:
        raise ValidationFailed(
            Reason(
                "screening.same_verdict",
                N_("The application already has this verdict; nothing to change."),
            )
        )
    raise ValidationFailed(
        Reason(
            "screening.not_screenable",
            N_("An application in the state %(state)s cannot be screened."),
            {"state": state},
        )
    )


def verdict_reason_problem(passed: bool, rules_passed: bool, reason: str) -> Reason | None:
    """Return why a verdict needs a written reason it lacks, or None.

    A fail always needs one: it is what the candidate reads. A pass against the rules'
    result needs one too: the committee must say why it overrides them.
    """
    if (reason or "").strip():
        return None
    if not passed:
        return Reason(
            "screening.fail_reason",
            N_("Write the reason this application fails; the candidate will read it."),
        )
    if not rules_passed:
        return Reason(
            "screening.override_reason",
            N_(
                "The rules found this application ineligible; write the reason the committee"
                " passes it anyway."
            ),
        )
    return None


def record_verdict(
    application: Application,
    actor: User,
    passed: bool,
    reason: str = "",
    *,
    expected_version: int | None = None,
) -> FireResult:
    """Record the committee's verdict on one application through the workflow engine.

    Fires ``pass_screening`` / ``fail_screening`` (or ``revise_screening`` from
    ineligible to eligible); the guards check the stage is open and that a fail or an
    override of the rules has a written reason; the action writes the ScreeningVerdict.

    :raises ValidationFailed: when the application cannot take this verdict.
    :raises GuardFailed: when the stage is closed or the reason is missing.
    :raises Forbidden: when the actor may not screen this selection.
    """
    reason = (reason or "").strip()
    event = verdict_event(application.state, passed)
    if application.state != ApplicationState.SUBMITTED and not reason:
        # Changing a verdict already given is a revision: say why, whichever way.
        raise ValidationFailed(
            Reason(
                "screening.revision_reason",
                N_("Write the reason the committee changes its verdict."),
            )
        )
    with evaluated(application) as screening:
        rules_passed = screening.rules_passed
        problem = verdict_reason_problem(passed, rules_passed, reason)
        if problem is not None:
            raise ValidationFailed(problem)
        data = verdict_data(screening, passed, reason)
        return fire(application, event, actor, data, expected_version=expected_version)


def verdict_data(screening: Screened, passed: bool, reason: str = "") -> dict[str, Any]:
    """Return what a verdict's event carries: the committee's word beside the rules' result."""
    rules_passed = screening.rules_passed
    data: dict[str, Any] = {
        "passed": passed,
        "rules_passed": rules_passed,
        "overridden": passed != rules_passed,
        "failed_rules": [
            {"rule": r.rule, "code": r.reason.code, "message": str(r.reason)}
            for r in screening.results
            if not r.passed and r.reason is not None
        ],
    }
    if reason:
        data["reason"] = reason[:4000]
    return data


def write_verdict(
    application: Application, actor: User, passed: bool, reason: str
) -> ScreeningVerdict:
    """Create or update the application's ScreeningVerdict in the current transaction.

    Uses the evaluation the verdict was decided on (see ``evaluated``) and the verdict row it
    loaded; flushes only to give a new verdict its id.
    """
    screening = screened(application)
    verdict = screening.verdict
    if verdict is None:
        verdict = ScreeningVerdict(application_id=application.id)
        db.session.add(verdict)
    rules_passed = screening.rules_passed
    verdict.rule_results = [result_json(r) for r in screening.results]
    verdict.rules_passed = rules_passed
    verdict.passed = passed
    verdict.overridden = passed != rules_passed
    verdict.reason = reason
    verdict.decided_by_id = actor.id
    verdict.decided_at = clock.now()
    if verdict.id is None:
        db.session.flush()
    return verdict
