"""Home pages: each role sees what it can do next."""

from openbid.main.views import bp

__all__ = ["bp"]
