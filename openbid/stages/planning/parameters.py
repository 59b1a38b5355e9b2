"""A selection's parameters, stored as overrides of its definition's defaults.

A value equal to the default is not stored, so ``Selection.parameters`` says exactly what
this selection changed; each save writes the changed keys in one audit event and commits.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from openbid import audit
from openbid.extensions import db
from openbid.models import Selection, User


def set_override(
    overrides: dict[str, Any], defaults: Mapping[str, Any], key: str, value: Any
) -> None:
    """Store value as an override of defaults[key] unless it equals the default."""
    if value is None or value == defaults.get(key):
        overrides.pop(key, None)
    else:
        overrides[key] = value


def set_nested(
    parameters: dict[str, Any],
    defaults: Mapping[str, Any],
    group: str,
    key: str,
    value: Any,
) -> None:
    """Store value as parameters[group][key] unless it equals the definition default."""
    section = dict(parameters.get(group) or {})
    set_override(section, dict(defaults.get(group) or {}), key, value)
    if section:
        parameters[group] = section
    else:
        parameters.pop(group, None)


def commit_parameters(
    selection: Selection, actor: User, parameters: dict[str, Any], event: str
) -> bool:
    """Store the selection's new overrides with an audit event of the changed keys; commit.

    Returns whether anything changed (nothing is written when nothing did).
    """
    before = copy.deepcopy(selection.parameters or {})
    if parameters == before:
        return False
    selection.parameters = parameters
    changed = sorted(
        key for key in set(before) | set(parameters) if before.get(key) != parameters.get(key)
    )
    audit.append(
        db.session,
        event=event,
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={
            "before": {key: before.get(key) for key in changed},
            "after": {key: parameters.get(key) for key in changed},
        },
    )
    db.session.commit()
    return True
