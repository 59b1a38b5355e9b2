"""The engine's typed errors; views and the API map them to responses."""

from __future__ import annotations

from openbid.rules.reasons import Reason


class WorkflowError(Exception):
    """Base of the engine's typed errors; views map them to responses."""

    status = 400

    def __init__(self, reasons: list[Reason] | Reason) -> None:
        self.reasons = reasons if isinstance(reasons, list) else [reasons]
        super().__init__("; ".join(str(r) for r in self.reasons))


class Forbidden(WorkflowError):
    """The actor may not fire this event on this row."""

    status = 403


class Conflict(WorkflowError):
    """The row changed under the caller: a lost race, or the event is no longer valid."""

    status = 409


class EventNotAvailable(Conflict):
    """The event is not defined from the row's current state."""


class StaleState(Conflict):
    """Someone else changed the row since the caller loaded it."""


class GuardFailed(WorkflowError):
    """One or more guards do not hold; reasons say why."""

    status = 422
