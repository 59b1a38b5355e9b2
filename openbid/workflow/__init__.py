"""The workflow engine and its definitions."""

from openbid.workflow.definition import DefinitionError, WorkflowDefinition
from openbid.workflow.engine import (
    Conflict,
    EventNotAvailable,
    EventOption,
    FireResult,
    Forbidden,
    GuardFailed,
    StaleState,
    WorkflowError,
    after_commit,
    available_events,
    definition_of,
    fire,
    kept_after_commit,
    workflows,
)
from openbid.workflow.installed import init_app, state_label
from openbid.workflow.loading import WorkflowRegistry, load_workflows

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
    "after_commit",
    "available_events",
    "definition_of",
    "fire",
    "init_app",
    "kept_after_commit",
    "load_workflows",
    "state_label",
    "workflows",
]
