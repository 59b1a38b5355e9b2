"""The administrative screening stage: its guards and actions, registered on import."""

from openbid.stages.screening import actions, guards  # noqa: F401 - registers the names
