"""Guards of the screening stage (see openbid.workflow.guards)."""

from __future__ import annotations
