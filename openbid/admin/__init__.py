"""Agency settings for the admin and the secretariat (days off, the agency's details), and an
oversight body's own administration of its reviewers (``body_bp``)."""

from openbid.admin import commands  # noqa: F401 - registers ``flask admin ...``
from openbid.admin.bodies import body_bp
from openbid.admin.views import bp

__all__ = ["body_bp", "bp"]
