"""Guards of the application stage (see openbid.workflow.guards)."""

from __future__ import annotations
