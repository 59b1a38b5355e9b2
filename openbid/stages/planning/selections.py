"""Creating selections and their posts and committee, each write audited."""

from __future__ import annotations

from datetime import date

from openbid import audit
from openbid.extensions import db
from openbid.models import (
    Agency,
    CommitteeMember,
    CommitteeRole,
    Position,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow import WorkflowDefinition, definition_of, workflows
from openbid.workflow.access import committee_seat, require_state


def create_selection(
    agency: Agency,
    actor: User,
    *,
    title: str,
    start_date: date,
    definition: WorkflowDefinition | None = None,
    parameters: dict | None = None,
    commit: bool = True,
) -> Selection:
    """Create a selection in its definition's initial state, pinned to that definition.

    :raises ValidationFailed: on an empty title or when no definition applies to start_date.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(Reason("selection.title", N_("Enter a title for the selection.")))
    if definition is None:
        try:
            definition = workflows().for_date(start_date)
        except LookupError:
            raise ValidationFailed(
                Reason(
                    "selection.no_workflow",
                    N_("No installed workflow applies to a selection starting on %(date)s."),
                    {"date": start_date.isoformat()},
                )
            ) from None
    initial = definition.machine("selection").initial
    selection = Selection(
        agency=agency,
        title=title,
        year=start_date.year,
        start_date=start_date,
        workflow_key=definition.key,
        workflow_version=definition.version,
        # The initial state is set on creation; every later change goes through fire().
        state=initial,
        parameters=parameters or {},
        created_by_id=actor.id,
    )
    db.session.add(selection)
    db.session.flush()
    audit.append(
        db.session,
        event="selection_created",
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        to_state=initial,
        payload={"title": title, "start_date": start_date, "workflow": definition.ident},
    )
    if commit:
        db.session.commit()
    return selection


def general_min_rank(selection: Selection) -> str:
    """Return the selection's general minimum rank (its definition's ``eligibility.min_rank``)."""
    return str(definition_of(selection).params(selection.parameters)["eligibility"]["min_rank"])


def create_position(
    selection: Selection,
    actor: User,
    *,
    name: str,
    unit: str,
    level: int = 2,
    min_rank: str | None = None,
    requirements: str = "",
    competencies: str = "",
    commit: bool = True,
) -> Position:
    """Add a post to a draft selection; min_rank None is the selection's general minimum.

    :raises ValidationFailed: when the selection is past draft or a field is empty.
    """
    require_state(selection, (SelectionState.DRAFT,))
    if min_rank is None:
        min_rank = general_min_rank(selection)
    reasons = []
    if not name.strip():
        reasons.append(Reason("position.name", N_("Enter the name of the post.")))
    if not unit.strip():
        reasons.append(Reason("position.unit", N_("Enter the unit of the post.")))
    if reasons:
        raise ValidationFailed(reasons)
    position = Position(
        selection=selection,
        name=name.strip(),
        unit=unit.strip(),
        level=level,
        min_rank=min_rank,
        requirements=requirements,
        competencies=competencies,
    )
    db.session.add(position)
    db.session.flush()
    audit.append(
        db.session,
        event="position_added",
        actor=actor,
        subject_type="position",
        subject_id=position.id,
        selection_id=selection.id,
        payload={
            "name": position.name,
            "unit": position.unit,
            "level": level,
            "min_rank": min_rank,
        },
    )
    if commit:
        db.session.commit()
    return position


def _check_seatable(selection: Selection, member: User) -> None:
    """Refuse a user without the committee role, or one already on this committee.

    :raises ValidationFailed: naming the user.
    """
    if member.role != Role.COMMITTEE:
        raise ValidationFailed(
            Reason(
                "committee.role",
                N_("%(name)s does not have the committee role."),
                {"name": member.name},
            )
        )
    if committee_seat(db.session, selection, member) is not None:
        raise ValidationFailed(
            Reason(
                "committee.duplicate",
                N_("%(name)s already sits on this committee."),
                {"name": member.name},
            )
        )


def add_committee_member(
    selection: Selection,
    actor: User,
    member: User,
    *,
    committee_role: CommitteeRole,
    is_internal: bool,
    position_title: str,
    position_level: int,
    institution: str = "",
    is_bkn_official: bool = False,
    commit: bool = True,
) -> CommitteeMember:
    """Seat a committee-role user on a draft selection's committee.

    :raises ValidationFailed: past draft, a user without the committee role, or seated twice.
    """
    require_state(selection, (SelectionState.DRAFT,))
    _check_seatable(selection, member)
    seat = CommitteeMember(
        selection=selection,
        user=member,
        committee_role=committee_role,
        is_internal=is_internal,
        position_title=position_title,
        position_level=position_level,
        institution=institution,
        is_bkn_official=is_bkn_official,
    )
    db.session.add(seat)
    db.session.flush()
    audit.append(
        db.session,
        event="committee_member_added",
        actor=actor,
        subject_type="committee_member",
        subject_id=seat.id,
        selection_id=selection.id,
        payload={
            "user_id": member.id,
            "name": member.name,
            "committee_role": committee_role,
            "is_internal": is_internal,
            "position_title": position_title,
            "position_level": position_level,
        },
    )
    if commit:
        db.session.commit()
    return seat
