"""The competency assessment stage: its guards and actions, registered on import."""

from openbid.stages.assessment import actions, guards  # noqa: F401 - registers the names
