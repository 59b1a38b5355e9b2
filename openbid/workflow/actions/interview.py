"""Actions of the interview stage (see openbid.workflow.actions)."""

from __future__ import annotations
