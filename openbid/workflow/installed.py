"""The installed definitions of the running app, and the one a row is pinned to."""

from __future__ import annotations

from flask import current_app

from openbid.models import Application, Selection
from openbid.workflow.definition import WorkflowDefinition, WorkflowRegistry

Row = Selection | Application


def workflows() -> WorkflowRegistry:
    """Return the installed definitions of the current app."""
    return current_app.extensions["openbid.workflows"]


def selection_of(row: Row) -> Selection:
    """Return the selection a row belongs to (the row itself for a selection)."""
    return row if isinstance(row, Selection) else row.position.selection


def definition_of(row: Row) -> WorkflowDefinition:
    """Return the definition the row's selection is pinned to."""
    selection = selection_of(row)
    return workflows().get(selection.workflow_key, selection.workflow_version)
