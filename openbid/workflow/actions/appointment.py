"""Actions of the appointment stage (see openbid.workflow.actions)."""

from __future__ import annotations
