"""The candidate portal: account, profile, open selections, applications and their timeline."""

from openbid.portal import accounts, applications, profile  # noqa: F401 - register views
from openbid.portal.blueprint import bp

__all__ = ["bp"]
