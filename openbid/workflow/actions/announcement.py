"""Actions of the announcement stage (see openbid.workflow.actions)."""

from __future__ import annotations
