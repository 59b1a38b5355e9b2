"""The installed definitions of the running app, and the one a row is pinned to."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext

from openbid.models import Application, Selection
from openbid.workflow.definition import WorkflowDefinition
from openbid.workflow.loading import WorkflowRegistry, load_workflows

Row = Selection | Application

# app.extensions key of the app's WorkflowRegistry.
WORKFLOWS = "openbid.workflows"


def init_app(app: Flask, directory: Path) -> None:
    """Install the definitions in directory on app; templates get ``state_label``.

    The stages must be imported first: their guards and actions are checked by name.

    :raises DefinitionError: naming the file and the culprit when a definition is invalid.
    """
    app.extensions[WORKFLOWS] = load_workflows(directory)
    app.add_template_global(state_label)


def workflows() -> WorkflowRegistry:
    """Return the installed definitions of the current app."""
    return current_app.extensions[WORKFLOWS]


def selection_of(row: Row) -> Selection:
    """Return the selection a row belongs to (the row itself for a selection)."""
    return row if isinstance(row, Selection) else row.position.selection


def definition_of(row: Row) -> WorkflowDefinition:
    """Return the definition the row's selection is pinned to."""
    selection = selection_of(row)
    return workflows().get(selection.workflow_key, selection.workflow_version)


def state_label(selection: Selection, state: str | None = None, machine: str = "selection") -> str:
    """Return the label of a state of the selection's pinned definition, translated.

    ``state`` defaults to the selection's own; templates call it as ``state_label(selection)``.
    """
    definition = definition_of(selection)
    name = state if state is not None else selection.state
    return gettext(definition.machine(machine).state_label(name))
