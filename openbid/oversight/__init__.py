"""The oversight body's area (``/oversight``): its queue, dossiers, decisions and monitoring."""

from openbid.oversight import commands  # noqa: F401 - registers ``flask oversight ...``
from openbid.oversight.views import bp

__all__ = ["bp"]
