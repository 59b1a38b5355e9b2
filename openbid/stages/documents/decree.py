"""The appointment decree of the appointed candidates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from openbid import clock
from openbid.models import Agency, Application, ApplicationState, Position, Selection
from openbid.rules.reasons import N_
from openbid.stages.documents.common import (
    People,
    document_params,
    fill_texts,
    formation_law_required,
    legal_basis,
    missing_data,
    selection_context,
)
from openbid.stages.documents.letters import result_letter
from openbid.stages.documents.wording import DEFAULT_DECREE_COPIES
from openbid.workflow.definition import WorkflowDefinition


def _appointed(session: Session, selection: Selection) -> list[Application]:
    return list(
        session.scalars(
            sa.select(Application)
            .join(Position, Position.id == Application.position_id)
            .where(
                Position.selection_id == selection.id,
                Application.state == ApplicationState.APPOINTED,
            )
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.id)
        )
    )


def _new_position(position: Position, agency: Agency) -> str:
    if agency.region_name and agency.region_name.lower() in position.name.lower():
        return position.name
    return f"{position.name} {agency.region_name}".strip()


def decree_context(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    params: Mapping[str, Any],
    issued_at: datetime,
) -> dict[str, Any]:
    """Return the ``DecreeContext`` keys: the appointees, the letter, the legal basis.

    :raises ValidationFailed: when nobody is appointed, or no oversight letter or formation
        law is recorded.
    """
    agency = selection.agency
    appointed = _appointed(session, selection)
    if not appointed:
        raise missing_data(
            "no_appointee", N_("Nobody is appointed yet; the decree has no one to appoint.")
        )
    formation_law_required(agency)
    people = People(session, appointed)
    own = document_params(params)
    return {
        "selection": selection_context(selection),
        "oversight": result_letter(session, selection, definition),
        "legal_basis": legal_basis(definition, clock.to_jakarta(issued_at).date(), agency),
        "appointees": [
            {
                "name": application.candidate.name,
                "nip": people.candidate(application)["nip"],
                "rank": people.rank(application),
                "old_position": people.candidate(application)["current_position"],
                "new_position": _new_position(application.position, agency),
            }
            for application in appointed
        ],
        "signatory": {"title": agency.head_title, "name": agency.head_name},
        "copies": fill_texts(own.get("decree_copies") or DEFAULT_DECREE_COPIES, agency),
    }
