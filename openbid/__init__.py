"""openbid: open, competitive selections for JPT Pratama posts as auditable workflows."""

from openbid.app import WORKFLOWS_DIR, create_app

__all__ = ["WORKFLOWS_DIR", "create_app"]
