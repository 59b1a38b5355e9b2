"""Actions of the documents stage (see openbid.workflow.actions)."""

from __future__ import annotations
