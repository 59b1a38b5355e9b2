"""Schemas of the token routes."""

from __future__ import annotations

from openbid.api.schemas.base import obj

TOKEN_REQUEST = obj(
    {
        "email": {"type": "string", "minLength": 3, "maxLength": 254},
        "password": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    ["email", "password"],
)
TOKEN = {
    "type": "object",
    "required": ["token", "expires_at"],
    "properties": {
        "token": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}
