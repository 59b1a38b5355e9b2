"""The workflow engine and its definitions."""

from openbid.workflow.definition import DefinitionError, WorkflowDefinition, WorkflowRegistry
from openbid.workflow.engine import (
    Conflict,
    EventNotAvailable,
    EventOption,
    FireResult,
    Forbidden,
    GuardFailed,
    StaleState,
    WorkflowError,
    available_events,
    definition_of,
    fire,
    workflows,
)

__all__ = [
    "Conflict",
    "DefinitionError",
    "EventNotAvailable",
    "EventOption",
    "FireResult",
    "Forbidden",
    "GuardFailed",
    "StaleState",
    "WorkflowDefinition",
    "WorkflowError",
    "WorkflowRegistry",
    "available_events",
    "definition_of",
    "fire",
    "workflows",
]


def load_workflows(directory):
    """Load and validate every definition against the registered guards and actions.

    The stages register their names when imported (``import openbid.stages``); create_app
    does that first.
    """
    return WorkflowRegistry.load_dir(directory)
