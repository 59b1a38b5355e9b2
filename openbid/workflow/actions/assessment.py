"""Actions of the assessment stage (see openbid.workflow.actions)."""

from __future__ import annotations
