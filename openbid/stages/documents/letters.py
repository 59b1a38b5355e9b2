"""The letters documents cite: the oversight body's, and documents issued before."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import Agency, Approval, IssuedDocument, Selection
from openbid.rules.reasons import N_
from openbid.stages.documents.common import missing_data
from openbid.stages.documents.kinds import KIND_TITLES
from openbid.stages.documents.wording import AUTHORITY_NAMES, GATE_SUBJECTS, RESULT_SUBJECT
from openbid.workflow.definition import WorkflowDefinition


def authority_name(approval: Approval, agency: Agency) -> str:
    name = (approval.authority or "").strip()
    if name.upper() == "GUBERNUR":
        return f"Gubernur {agency.province}"
    return AUTHORITY_NAMES.get(name.upper(), name)


def approval_letter(approval: Approval, agency: Agency, default_subject: str) -> dict[str, Any]:
    return {
        "number": approval.letter_number,
        "date": approval.letter_date,
        "authority": authority_name(approval, agency),
        "subject": (approval.subject or "").strip() or default_subject,
    }


def oversight_letter(
    session: Session, selection: Selection, definition: WorkflowDefinition
) -> dict[str, Any]:
    """Return the oversight body's letter allowing the selection (its required gate).

    :raises ValidationFailed: when that letter is not recorded.
    """
    gates = [g for g in definition.approval_gates if g.get("required")]
    gates = gates or list(definition.approval_gates)
    purposes = [f"gate:{g['code']}" for g in gates]
    approvals = {
        a.purpose: a
        for a in session.scalars(
            sa.select(Approval)
            .where(Approval.selection_id == selection.id, Approval.purpose.in_(purposes))
            .order_by(Approval.id)  # the newest letter recorded for a gate wins
        )
    }
    for gate in gates:
        approval = approvals.get(f"gate:{gate['code']}")
        if approval is not None:
            subject = GATE_SUBJECTS.get(gate["code"]) or str(gate.get("label", ""))
            return approval_letter(approval, selection.agency, subject)
    raise missing_data(
        "no_oversight_letter",
        N_(
            "The %(authority)s letter approving the selection plan is not recorded; record "
            "it before issuing documents that cite it."
        ),
        authority=definition.oversight_body or "oversight body",
    )


def result_letter(
    session: Session, selection: Selection, definition: WorkflowDefinition
) -> dict[str, Any]:
    """Return the oversight body's word on the results, else the letter allowing the plan."""
    approval = session.scalar(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id, Approval.purpose == "result_recommendation")
        .order_by(Approval.letter_date.desc(), Approval.id.desc())
        .limit(1)
    )
    if approval is not None:
        return approval_letter(approval, selection.agency, RESULT_SUBJECT)
    return oversight_letter(session, selection, definition)


def cited_document(
    session: Session, selection: Selection, kind: str, cited_by: str
) -> IssuedDocument:
    """Return the latest document of a kind for the selection, which another one cites.

    :raises ValidationFailed: when it was never issued.
    """
    document = session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == selection.id, IssuedDocument.kind == kind)
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )
    if document is None:
        raise missing_data(
            "cited_missing",
            N_("The %(cited)s has not been issued, and the %(document)s must cite it."),
            cited=KIND_TITLES[kind].format(head_title=selection.agency.head_title),
            document=cited_by,
        )
    return document


def document_letter(document: IssuedDocument) -> dict[str, Any]:
    return {"number": document.number, "date": clock.to_jakarta(document.issued_at).date()}
