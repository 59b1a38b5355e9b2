"""Guards of the announcement stage (see openbid.workflow.guards)."""

from __future__ import annotations
