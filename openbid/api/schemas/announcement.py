"""Schemas of dropping a post short of applicants (the approval gates and election windows
are declared in ``api.announcement``)."""

from __future__ import annotations

from openbid.api.schemas.base import obj

DROP_REQUEST = obj({"reason": {"type": "string", "maxLength": 2000}}, ["reason"])
