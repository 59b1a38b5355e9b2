"""Guards of the interview stage (see openbid.workflow.guards)."""

from __future__ import annotations
