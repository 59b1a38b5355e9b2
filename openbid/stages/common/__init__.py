"""The guards shared by several stages: registered on import."""

from openbid.stages.common import guards  # noqa: F401 - registers the names
