"""Actions of the application stage (see openbid.workflow.actions)."""

from __future__ import annotations
