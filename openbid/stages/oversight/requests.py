"""What the agency asked the oversight body beyond the plan and the results: an extension of
registration (its latest ``request_extension`` event: reason, short posts and applicants) and
the final report sent on ``complete``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import (
    Application,
    ApplicationState,
    AuditEvent,
    IssuedDocument,
    Position,
    RegistrationExtension,
    Selection,
    SelectionEvent,
)
from openbid.workflow.installed import definition_of


@dataclass(frozen=True)
class ExtensionRequest:
    """The latest extension the secretariat asked the body for."""

    number: int  # which extension it would be (1, 2)
    reason: str
    posts: list[dict[str, Any]]  # name, applicants: the short posts when it was asked
    sent_at: datetime


def short_posts(session: Session, selection: Selection) -> list[tuple[Position, int]]:
    """Return the open posts below the definition's minimum of submitted applications."""
    minimum = int(definition_of(selection).params(selection.parameters)["min_applicants_per_post"])
    counted = sa.func.count(Application.id).filter(Application.state == ApplicationState.SUBMITTED)
    rows = session.execute(
        sa.select(Position, counted)
        .outerjoin(Application, Application.position_id == Position.id)
        .where(Position.selection_id == selection.id, Position.dropped_at.is_(None))
        .group_by(Position.id)
        .order_by(Position.id)
    ).all()
    return [(post, count) for post, count in rows if count < minimum]


def extensions_done(session: Session, selection_id: int) -> int:
    """Return how many times the selection's registration was extended."""
    return session.scalar(
        sa.select(sa.func.count(RegistrationExtension.id)).where(
            RegistrationExtension.selection_id == selection_id
        )
    )


def extension_request(session: Session, selection: Selection) -> ExtensionRequest | None:
    """Return the latest extension the secretariat asked for in openbid, if any."""
    event = session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.selection_id == selection.id,
            AuditEvent.event == str(SelectionEvent.REQUEST_EXTENSION),
            AuditEvent.subject_type == "selection",
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    data = (event.payload or {}).get("data") or {}
    return ExtensionRequest(
        number=int(data.get("number") or extensions_done(session, selection.id) + 1),
        reason=str(data.get("reason") or ""),
        posts=list(data.get("posts") or []),
        sent_at=event.occurred_at,
    )


def final_report(session: Session, selection: Selection) -> IssuedDocument | None:
    """Return the agency's latest report to the oversight body, issued or still pending."""
    return session.scalars(
        sa.select(IssuedDocument)
        .where(
            IssuedDocument.selection_id == selection.id,
            IssuedDocument.kind == "oversight_report",
        )
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    ).first()
