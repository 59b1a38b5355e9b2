"""Guards of the documents stage (see openbid.workflow.guards)."""

from __future__ import annotations
