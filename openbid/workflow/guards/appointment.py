"""Guards of the appointment stage (see openbid.workflow.guards)."""

from __future__ import annotations
