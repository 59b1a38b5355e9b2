"""The candidates of the competency assessment: their results, what is missing, elimination.

The page and the guards list each eligible candidate with the results entered so far and the
components still missing before the stage can close; a candidate who cannot go on (absent,
or unfit) is eliminated with a reason the candidate reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    AssessmentResult,
    CandidateProfile,
    Position,
    Selection,
    User,
)
from openbid.rules.nip import InvalidNip, parse_nip
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow import FireResult, fire


@dataclass
class AssessedCandidate:
    """One candidate of the competency assessment with their results so far."""

    application: Application
    nip: str  # as the profile gives it
    result: AssessmentResult | None

    @property
    def nip_formatted(self) -> str:
        """Return the NIP grouped as ``19860926 201505 1 001`` when it is valid."""
        try:
            return parse_nip(self.nip).formatted
        except InvalidNip:
            return self.nip


def application_nips(applications: Sequence[Application]) -> dict[int, str]:
    """Return each application's NIP as its profile gives it (one query at most).

    The profile as submitted (``profile_snapshot``) when there is one, else the candidate's
    current profile; "" when neither has an NIP.
    """
    without_snapshot = [a.candidate_id for a in applications if not a.profile_snapshot]
    profile_nips: dict[int, str] = {}
    if without_snapshot:
        profile_nips = dict(
            db.session.execute(
                sa.select(CandidateProfile.user_id, CandidateProfile.nip).where(
                    CandidateProfile.user_id.in_(without_snapshot)
                )
            ).all()
        )
    return {
        a.id: str((a.profile_snapshot or {}).get("nip") or profile_nips.get(a.candidate_id) or "")
        for a in applications
    }


def candidates(
    selection: Selection, states: Sequence[str] = (ApplicationState.ELIGIBLE,)
) -> list[AssessedCandidate]:
    """Return the selection's applications in the given states with their results.

    A fixed number of queries, whatever the number of candidates.
    """
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(Position.selection_id == selection.id, Application.state.in_(states))
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.submitted_at, Application.id)
        )
    )
    if not applications:
        return []
    ids = [a.id for a in applications]
    results = {
        r.application_id: r
        for r in db.session.scalars(
            sa.select(AssessmentResult).where(AssessmentResult.application_id.in_(ids))
        )
    }
    nips = application_nips(applications)
    return [
        AssessedCandidate(application=a, nip=nips[a.id], result=results.get(a.id))
        for a in applications
    ]


def missing_components(result: AssessmentResult | None, params: Mapping[str, Any]) -> list[str]:
    """Return the fields still missing before a candidate can go on to the interview.

    The assessment score, category and date, paper and track-record scores are needed for
    each component the selection weighs; health and psychological results always.
    """
    needed = required_components(params)
    return [name for name in needed if result is None or getattr(result, name) in (None, "")]


def required_components(params: Mapping[str, Any]) -> list[str]:
    """Return the result fields every candidate needs before the stage closes."""
    weights = params.get("weights") or {}
    needed: list[str] = []
    if Decimal(str(weights.get("assessment", 0))) > 0:
        needed += ["assessment_score", "assessment_category", "assessed_on"]
    if Decimal(str(weights.get("paper", 0))) > 0:
        needed.append("paper_score")
    if Decimal(str(weights.get("track_record", 0))) > 0:
        needed.append("track_record_score")
    # Fitness decides who may go on to the interview (see eliminate_unfit), so it is
    # needed from everyone before the stage closes.
    needed += ["health_fit", "psych_fit"]
    return needed


def eliminate(
    application: Application,
    actor: User,
    reason: str,
    *,
    expected_version: int | None = None,
    commit: bool = True,
) -> FireResult:
    """Eliminate a candidate from the selection (e.g. absent from the assessment), with reason.

    :raises ValidationFailed: when no reason is written.
    :raises GuardFailed: outside the competency assessment and the interview.
    :raises Forbidden: when the actor may not act on this selection.
    :raises Conflict: when the application is not eligible (any more).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            Reason(
                "assessment.eliminate_reason",
                N_("Write the reason the candidate is eliminated; the candidate will read it."),
            )
        )
    return fire(
        application,
        ApplicationEvent.ELIMINATE,
        actor,
        {"reason": reason[:4000]},
        expected_version=expected_version,
        commit=commit,
    )
