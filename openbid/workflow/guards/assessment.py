"""Guards of the assessment stage (see openbid.workflow.guards)."""

from __future__ import annotations
