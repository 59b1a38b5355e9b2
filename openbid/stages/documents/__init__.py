"""The documents each stage issues on its transitions: registered on import."""

from openbid.stages.documents import actions, guards  # noqa: F401 - registers the names
