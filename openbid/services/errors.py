"""Typed errors of service functions; views map them to responses."""

from __future__ import annotations

from openbid.rules.reasons import Reason


class ValidationFailed(Exception):
    """Input was rejected; nothing was written. Reasons say what to fix."""

    status = 422

    def __init__(self, reasons: list[Reason] | Reason) -> None:
        self.reasons = reasons if isinstance(reasons, list) else [reasons]
        super().__init__("; ".join(str(r) for r in self.reasons))
