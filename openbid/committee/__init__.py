"""The selection workspace of the agency's staff: secretariat, committee, PPK, admin."""

from openbid.committee.views import bp

__all__ = ["bp"]
