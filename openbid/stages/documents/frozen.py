"""A document's render context frozen as JSON, and thawed back to the same values.

A pending document is rendered by a job, possibly in another process and after a restart,
from exactly the values its transition saw. JSON keeps dicts, lists, strings, numbers and
booleans; dates, datetimes (with their zone) and decimals are tagged so they come back as
the same types, and a tuple comes back as a list (templates only iterate over them).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

TAG = "__frozen__"


def freeze(value: Any) -> Any:
    """Return ``value`` as JSON-safe data that ``thaw`` turns back into the same values.

    :raises TypeError: for a value of another type (add it here rather than lose it).
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        if TAG in value:
            raise TypeError(f"a context key may not be named {TAG!r}")
        return {str(key): freeze(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [freeze(item) for item in value]
    if isinstance(value, datetime):
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        return {TAG: "datetime", "value": value.isoformat(), "zone": zone}
    if isinstance(value, date):
        return {TAG: "date", "value": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "time", "value": value.isoformat()}
    if isinstance(value, Decimal):
        return {TAG: "decimal", "value": str(value)}
    raise TypeError(f"cannot freeze a {type(value).__name__} in a document context")


def thaw(value: Any) -> Any:
    """Return the values ``freeze`` froze."""
    if isinstance(value, list):
        return [thaw(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {key: thaw(item) for key, item in value.items()}
    if tag == "datetime":
        moment = datetime.fromisoformat(value["value"])
        return moment.astimezone(ZoneInfo(value["zone"])) if value.get("zone") else moment
    if tag == "date":
        return date.fromisoformat(value["value"])
    if tag == "time":
        return time.fromisoformat(value["value"])
    return Decimal(value["value"])
