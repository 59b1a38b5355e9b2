"""The committee-composition exceptions on file, as the plan's page, the dossier and the API
show them (recorded by ``stages.planning.exceptions``), with the oversight body's agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import CommitteeException, OversightReview, Selection
from openbid.rules.committee import OVERRIDABLE_RULES


@dataclass(frozen=True)
class ExceptionView:
    """An exception as the plan's page, the dossier and the API show it."""

    id: int
    rule: str
    rule_label: str
    justification: str
    reasons: list[str]
    recorded_by: str
    recorded_at: datetime
    # When the oversight body approved the plan with this exception on file; None before.
    agreed_at: datetime | None


def committee_exceptions(session: Session, selection: Selection) -> list[ExceptionView]:
    """Return the selection's exceptions, oldest first, with the body's agreement if given."""
    rows = session.scalars(
        sa.select(CommitteeException)
        .where(CommitteeException.selection_id == selection.id)
        .options(sa.orm.joinedload(CommitteeException.recorded_by))
        .order_by(CommitteeException.recorded_at, CommitteeException.id)
    ).all()
    approvals = session.scalars(
        sa.select(OversightReview.created_at)
        .where(
            OversightReview.selection_id == selection.id,
            # oversight.waiting.PLAN: the oversight stage sits above this shared module.
            OversightReview.gate == "plan",
            OversightReview.outcome == "approved",
        )
        .order_by(OversightReview.created_at)
    ).all()
    return [
        ExceptionView(
            id=row.id,
            rule=row.rule,
            rule_label=OVERRIDABLE_RULES.get(row.rule, row.rule),
            justification=row.justification,
            reasons=list(row.reasons or []),
            recorded_by=row.recorded_by.name,
            recorded_at=row.recorded_at,
            agreed_at=next((at for at in approvals if at >= row.recorded_at), None),
        )
        for row in rows
    ]
