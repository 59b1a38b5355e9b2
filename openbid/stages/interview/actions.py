"""Actions of the interview stage (see openbid.stages)."""

from __future__ import annotations
