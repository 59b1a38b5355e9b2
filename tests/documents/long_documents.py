"""Long documents for the chunked renderer's tests and ``make bench``."""

from __future__ import annotations

import copy
from typing import Any

from tests.documents.samples import sample_context

TEMPLATE = "documents/screening_announcement.html"


def long_announcement(rows: int) -> dict[str, Any]:
    """The administrative-result announcement with ``rows`` candidates for one post."""
    context = sample_context("screening_announcement")
    post = copy.deepcopy(context["posts"][0])
    template = post["candidates"][0]
    post["candidates"] = [
        {
            **template,
            "name": f"Peserta Nomor {i:04d}, S.E., M.Si.",
            "nip": f"1970{(i % 12) + 1:02d}{(i % 28) + 1:02d}199503{1 + i % 2}{i % 1000:03d}",
        }
        for i in range(rows)
    ]
    context["posts"] = [post]
    return context
