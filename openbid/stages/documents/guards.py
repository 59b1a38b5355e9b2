"""Guards of the documents stage (see openbid.stages)."""

from __future__ import annotations
