"""Actions of the screening stage (see openbid.workflow.actions)."""

from __future__ import annotations
