"""Public verification of issued documents: ``/verify/<code>``, no log-in needed."""

from openbid.verify.views import bp

__all__ = ["bp"]
