"""The posts a selection fills: adding, editing and removing them while in draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import Application, Position, Selection, User
from openbid.rules.committee import PositionLevel
from openbid.rules.eligibility import InvalidRank, normalize_rank
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.planning.draft import clean_text, lock_draft, too_long
from openbid.stages.planning.selections import create_position, general_min_rank

# Posts filled by open selection are JPT posts; lower levels are for committee members.
POST_LEVELS = (PositionLevel.JPT_PRATAMA, PositionLevel.JPT_MADYA, PositionLevel.JPT_UTAMA)


@dataclass(frozen=True)
class PositionInput:
    """What a planner enters for a post; min_rank None is the selection's general minimum."""

    name: str
    unit: str
    level: int | None = int(PositionLevel.JPT_PRATAMA)
    min_rank: str | None = None
    requirements: str = ""
    competencies: str = ""


def _field_reasons(name: str, unit: str, level: int | None) -> list[Reason]:
    reasons = []
    if not name:
        reasons.append(Reason("position.name", N_("Enter the name of the post.")))
    if not unit:
        reasons.append(Reason("position.unit", N_("Enter the unit of the post.")))
    reasons += too_long("position.name_long", N_("name of the post"), name, 200)
    reasons += too_long("position.unit_long", N_("unit"), unit, 200)
    if level not in {int(post_level) for post_level in POST_LEVELS}:
        reasons.append(
            Reason(
                "position.level",
                N_("Choose the level of the post: JPT Pratama, JPT Madya or JPT Utama."),
            )
        )
    return reasons


def _duplicate_reasons(selection: Selection, name: str, editing: Position | None) -> list[Reason]:
    if not name:
        return []
    clash = db.session.scalar(
        sa.select(Position.id).where(
            Position.selection_id == selection.id,
            sa.func.lower(Position.name) == name.lower(),
            Position.id != (editing.id if editing else -1),
        )
    )
    if clash is None:
        return []
    return [
        Reason(
            "position.duplicate",
            N_("This selection already has a post named %(name)s."),
            {"name": name},
        )
    ]


def _check_position(
    selection: Selection, data: PositionInput, editing: Position | None
) -> tuple[list[Reason], dict[str, Any]]:
    name, unit = clean_text(data.name), clean_text(data.unit)
    reasons = _field_reasons(name, unit, data.level)
    rank = ""
    typed_rank = general_min_rank(selection) if data.min_rank is None else data.min_rank
    try:
        rank = normalize_rank(clean_text(typed_rank))
    except InvalidRank as error:
        reasons.append(error.reason)
    requirements, competencies = clean_text(data.requirements), clean_text(data.competencies)
    reasons += too_long(
        "position.requirements_long", N_("list of requirements"), requirements, 5000
    )
    reasons += too_long(
        "position.competencies_long", N_("list of competencies"), competencies, 5000
    )
    reasons += _duplicate_reasons(selection, name, editing)
    values = {
        "name": name,
        "unit": unit,
        "level": data.level,
        "min_rank": rank,
        "requirements": requirements,
        "competencies": competencies,
    }
    return reasons, values


def _position_of(selection: Selection, position_id: int) -> Position:
    position = db.session.get(Position, position_id)
    if position is None or position.selection_id != selection.id:
        raise ValidationFailed(
            Reason("position.missing", N_("That post is not part of this selection; reload."))
        )
    return position


def add_position(selection: Selection, actor: User, data: PositionInput) -> Position:
    """Add a post to a draft selection.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or an empty, long, duplicate or unknown field.
    """
    selection = lock_draft(selection, actor)
    reasons, values = _check_position(selection, data, None)
    if reasons:
        raise ValidationFailed(reasons)
    position = create_position(selection, actor, commit=False, **values)
    db.session.commit()
    return position


def update_position(
    selection: Selection, actor: User, position_id: int, data: PositionInput
) -> Position:
    """Change a post of a draft selection; audit the fields that changed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, an unknown post, or a bad field.
    """
    selection = lock_draft(selection, actor)
    position = _position_of(selection, position_id)
    reasons, values = _check_position(selection, data, position)
    if reasons:
        raise ValidationFailed(reasons)
    changes = {
        field: [getattr(position, field), value]
        for field, value in values.items()
        if getattr(position, field) != value
    }
    if not changes:
        return position
    for field, (_old, new) in changes.items():
        setattr(position, field, new)
    audit.append(
        db.session,
        event="position_updated",
        actor=actor,
        subject_type="position",
        subject_id=position.id,
        selection_id=selection.id,
        payload={"name": position.name, "changes": changes},
    )
    db.session.commit()
    return position


def remove_position(selection: Selection, actor: User, position_id: int) -> None:
    """Remove a post from a draft selection (only while nobody has applied to it).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, an unknown post, or a post with applications.
    """
    selection = lock_draft(selection, actor)
    position = _position_of(selection, position_id)
    applications = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.position_id == position.id)
    )
    if applications:
        raise ValidationFailed(
            Reason(
                "position.has_applications",
                N_("%(post)s already has applications; it cannot be removed."),
                {"post": position.name},
            )
        )
    payload = {"name": position.name, "unit": position.unit}
    db.session.delete(position)
    db.session.flush()
    audit.append(
        db.session,
        event="position_removed",
        actor=actor,
        subject_type="position",
        subject_id=position_id,
        selection_id=selection.id,
        payload=payload,
    )
    db.session.commit()
