"""The members' interview scores as the later stages count them.

The interview stage records the scores and recusals; the appointment stage ranks on their
mean. Both read it here, so neither stage imports the other.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import ConflictDeclaration, InterviewScore
from openbid.rules.scoring import interview_score


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
