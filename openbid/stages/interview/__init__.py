"""The interview stage: its guards and actions, registered on import."""

from openbid.stages.interview import actions, guards  # noqa: F401 - registers the names
