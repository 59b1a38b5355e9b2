"""The appointment stage: its guards and actions, registered on import."""

from openbid.stages.appointment import actions, guards  # noqa: F401 - registers the names
