"""Schemas of the appointment route (the approval letters are declared in ``api.approvals``)."""

from __future__ import annotations

from openbid.api.schemas.base import ID, obj

APPOINTMENT_REQUEST = obj(
    {
        "application_id": {**ID, "maximum": 2**31 - 1},
        "expected_version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    },
    ["application_id"],
)
