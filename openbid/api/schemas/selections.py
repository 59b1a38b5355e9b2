"""The request schema of a post that ``api/plan.py`` (still on ``api_route``) edits; the rest
of a selection is declared once in ``api/selection_schemas.py``.
"""

from __future__ import annotations

from openbid.api.schemas.base import column_text, obj
from openbid.models import Position

POSITION_CREATE = obj(
    {
        "name": column_text(Position.name),
        "unit": column_text(Position.unit),
        "level": {"type": "integer", "minimum": 0, "maximum": 4},
        "min_rank": {"type": "string", "pattern": "^(I|II|III|IV)/[a-e]$"},
        "requirements": {"type": "string", "maxLength": 5000},
        "competencies": {"type": "string", "maxLength": 5000},
    },
    ["name", "unit"],
)
