"""The committee as documents print it: members, the chair who signs, declared conflicts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from openbid.models import (
    Agency,
    Application,
    CommitteeMember,
    CommitteeRole,
    ConflictDeclaration,
    Position,
    Selection,
    User,
)
from openbid.rules.reasons import N_
from openbid.stages.documents.common import missing_data
from openbid.stages.documents.wording import COMMITTEE_ROLES_ID


def _members(session: Session, selection: Selection) -> list[CommitteeMember]:
    order = sa.case(
        (CommitteeMember.committee_role == CommitteeRole.CHAIR, 0),
        (CommitteeMember.committee_role == CommitteeRole.SECRETARY, 1),
        else_=2,
    )
    return list(
        session.scalars(
            sa.select(CommitteeMember)
            .where(CommitteeMember.selection_id == selection.id)
            .options(joinedload(CommitteeMember.user))
            .order_by(order, CommitteeMember.id)
        )
    )


def _member_position(member: CommitteeMember, agency: Agency) -> str:
    title = member.position_title or ""
    institution = member.institution or ""
    if institution and institution != agency.name and institution not in title:
        return f"{title}, {institution}" if title else institution
    return title


def committee_context(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """Return the committee as ``contexts.Member`` rows: chair, secretary, then members."""
    return [
        {
            "name": member.user.name,
            "role": COMMITTEE_ROLES_ID[CommitteeRole(member.committee_role)],
            "position": _member_position(member, selection.agency),
            "present": True,
        }
        for member in _members(session, selection)
    ]


def chair_signatory(session: Session, selection: Selection, document: str) -> dict[str, str]:
    """Return the committee chair as the signatory of a pansel document.

    :raises ValidationFailed: when the committee has no chair.
    """
    chair = next(
        (m for m in _members(session, selection) if m.committee_role == CommitteeRole.CHAIR),
        None,
    )
    if chair is None:
        raise missing_data(
            "no_chair",
            N_("The committee has no chair to sign the %(document)s; seat a chair first."),
            document=document,
        )
    return {"title": "Ketua Panitia Seleksi", "name": chair.user.name}


def recusals_context(session: Session, selection: Selection) -> list[dict[str, str]]:
    """Return every declared conflict of interest (``contexts.Recusal``)."""
    rows = session.execute(
        sa.select(ConflictDeclaration, User.name, Application, Position.name)
        .join(CommitteeMember, CommitteeMember.id == ConflictDeclaration.member_id)
        .join(User, User.id == CommitteeMember.user_id)
        .join(Application, Application.id == ConflictDeclaration.application_id)
        .join(Position, Position.id == Application.position_id)
        .where(Position.selection_id == selection.id)
        .options(joinedload(Application.candidate))
        .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)
    ).all()
    return [
        {
            "member": member,
            "candidate": application.candidate.name,
            "post": post,
            "reason": declaration.reason,
        }
        for declaration, member, application, post in rows
    ]
