"""The approval and announcement stage: its guards and actions, registered on import."""

from openbid.stages.announcement import actions, guards  # noqa: F401 - registers the names
