"""Agency settings for the admin and the secretariat: the agency's days off (cuti bersama)."""

from openbid.admin import commands  # noqa: F401 - registers ``flask admin ...``
from openbid.admin.views import bp

__all__ = ["bp"]
