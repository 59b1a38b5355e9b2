"""The report to the oversight body: each stage with its dates and documents, each post's
numbers, and every document issued.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.models import (
    Agency,
    Application,
    ApplicationState,
    AuditEvent,
    IssuedDocument,
    Position,
    ScreeningVerdict,
    Selection,
    SelectionState,
)
from openbid.stages.documents.common import (
    current_shortlists,
    load_applications,
    selection_context,
    selection_positions,
)
from openbid.stages.documents.kinds import KIND_TITLES, document_title
from openbid.stages.documents.letters import cited_document, document_letter, oversight_letter
from openbid.stages.documents.wording import (
    ADDRESSEES,
    SHORT_KIND_ID,
    STAGE_DOCUMENTS,
    STAGE_LABELS_ID,
)
from openbid.workflow.definition import WorkflowDefinition


def _state_entries(session: Session, selection: Selection) -> list[tuple[str, date]]:
    """Return (state, WIB day entered) for each state change of the selection, in order."""
    rows = session.execute(
        sa.select(AuditEvent.to_state, AuditEvent.from_state, AuditEvent.occurred_at)
        .where(
            AuditEvent.chain == audit.chain_for(selection.id),
            AuditEvent.subject_type == "selection",
            AuditEvent.to_state.is_not(None),
        )
        .order_by(AuditEvent.seq)
    ).all()
    out: list[tuple[str, date]] = []
    for to_state, from_state, at in rows:
        if to_state == from_state or (out and out[-1][0] == to_state):
            continue
        out.append((to_state, clock.to_jakarta(at).date()))
    return out


def oversight_report_context(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    issued_at: datetime,
) -> dict[str, Any]:
    """Return the ``OversightReportContext`` keys: stages, numbers per post, documents.

    :raises ValidationFailed: without the oversight letter or the decree.
    """
    agency = selection.agency
    oversight = oversight_letter(session, selection, definition)
    decree = cited_document(session, selection, "decree", "report to the oversight body")
    documents = _reported_documents(session, selection)
    today = clock.to_jakarta(issued_at).date()
    addressee, place = ADDRESSEES.get(
        (definition.oversight_body or "").upper(), (oversight["authority"], "Jakarta")
    )
    return {
        "selection": selection_context(selection),
        "addressee": addressee,
        "addressee_place": place,
        "oversight": oversight,
        "stages": _stage_rows(session, selection, documents, oversight, today),
        "posts": _post_rows(session, selection),
        "documents": [
            {
                "kind": document_title(d.kind, agency) if d.kind in KIND_TITLES else d.title,
                "number": d.number,
                "date": clock.to_jakarta(d.issued_at).date(),
            }
            for d in documents
        ],
        "decree": document_letter(decree),
        "signatory": _signatory(agency),
    }


def _reported_documents(session: Session, selection: Selection) -> list[IssuedDocument]:
    """Return the selection's documents the report lists (not itself, not trail exports)."""
    return list(
        session.scalars(
            sa.select(IssuedDocument)
            .where(
                IssuedDocument.selection_id == selection.id,
                IssuedDocument.kind.not_in(("audit_trail", "oversight_report")),
            )
            .order_by(IssuedDocument.issued_at, IssuedDocument.id)
        )
    )


def _stage_rows(
    session: Session,
    selection: Selection,
    documents: list[IssuedDocument],
    oversight: dict[str, Any],
    today: date,
) -> list[dict[str, Any]]:
    """Return the stages the selection went through (``contexts.StageReport``).

    Each has its dates and the documents that concluded it; the stage still running ends today.
    """
    by_kind: dict[str, list[IssuedDocument]] = defaultdict(list)
    for document in documents:
        by_kind[document.kind].append(document)
    entries = _state_entries(session, selection)
    stages = []
    for index, (state, day) in enumerate(entries):
        if state in {SelectionState.DRAFT, SelectionState.COMPLETED, SelectionState.CANCELLED}:
            continue
        end = entries[index + 1][1] if index + 1 < len(entries) else today
        row: dict[str, Any] = {"stage": STAGE_LABELS_ID.get(state, state), "start": day}
        if end != day:
            row["end"] = end
        cited = [
            f"{SHORT_KIND_ID[d.kind]} Nomor {d.number}"
            for kind in STAGE_DOCUMENTS.get(state, ())
            for d in by_kind.get(kind, [])
        ]
        if state == SelectionState.APPROVAL:
            cited = [f"Surat {oversight['authority']} Nomor {oversight['number']}"]
        if cited:
            row["document"] = "; ".join(cited)
        stages.append(row)
    return stages


def _post_rows(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """Return each post's numbers (``contexts.PostReport``), dropped posts included."""
    positions = selection_positions(session, selection, open_only=False)
    applications = load_applications(session, selection=selection)
    verdicts = dict(
        session.execute(
            sa.select(ScreeningVerdict.application_id, ScreeningVerdict.passed)
            .join(Application, Application.id == ScreeningVerdict.application_id)
            .join(Position, Position.id == Application.position_id)
            .where(Position.selection_id == selection.id)
        ).all()
    )
    shortlists = current_shortlists(session, selection)
    names = {a.id: a.candidate.name for a in applications}
    posts = []
    for position in positions:
        apps = [a for a in applications if a.position_id == position.id]
        result = shortlists.get(position.id)
        ranking = result.ranking if result is not None else []
        shortlist = result.shortlist if result is not None else []
        posts.append(
            {
                "name": position.name,
                "unit": position.unit,
                "applicants": sum(1 for a in apps if a.submitted_at is not None),
                "passed_screening": sum(1 for a in apps if verdicts.get(a.id)),
                "qualified": sum(1 for entry in ranking if entry.get("qualified")),
                "top_three": [names[int(i)] for i in shortlist if int(i) in names],
                "appointee": _appointee(position, apps),
            }
        )
    return posts


def _appointee(position: Position, applications: list[Application]) -> str:
    """Return who was appointed to a post, or why the post stays empty."""
    if position.dropped_at is not None:
        return f"Jabatan tidak diisi: {position.drop_reason}".strip()
    return next(
        (a.candidate.name for a in applications if a.state == ApplicationState.APPOINTED), ""
    )


def _signatory(agency: Agency) -> dict[str, str]:
    """Return who signs the report: the head, or the office head on the head's behalf."""
    if agency.office_head_name:
        return {
            "on_behalf_of": agency.head_title,
            "title": f"Kepala {agency.office_name}",
            "name": agency.office_head_name,
        }
    return {"title": agency.head_title, "name": agency.head_name}
