"""The auditor's read-only area: every selection's events, chain status and documents."""

from openbid.auditor.views import bp

__all__ = ["bp"]
