"""The candidates' applications stage: its guards and actions, registered on import."""

from openbid.stages.applications import actions, guards  # noqa: F401 - registers the names
