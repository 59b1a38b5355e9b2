"""The selection workspace of the agency's staff: secretariat, committee, PPK, admin.

One module per stage registers its routes on the shared blueprint.
"""

from openbid.committee import (  # noqa: F401 - imported to register the routes
    announcement,
    appointment,
    assessment,
    documents,
    extension_request,
    interview,
    planning,
    screening,
    views,
)
from openbid.committee.blueprint import bp

__all__ = ["bp"]
