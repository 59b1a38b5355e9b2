"""Page data for the public board and each role's home: what needs you now, and charts.

Reads only; it decides nothing and changes nothing. It stands beside the other stages and
imports none of them (only documents, common, the engine and the models below).
"""

from openbid.stages.overview.board import (
    BOARD_DOCUMENTS,
    PUBLIC_KINDS,
    Board,
    OpenPost,
    OpenSelection,
    post_requirements,
    public_board,
    public_document,
    public_documents,
    selections_of,
)
from openbid.stages.overview.figures import Figures, selection_figures
from openbid.stages.overview.needs import Need
from openbid.stages.overview.oversight import GateWait, oversight_waits
from openbid.stages.overview.roles import (
    candidate_steps,
    latest_documents,
    member_needs,
    ppk_needs,
    staff_needs,
)
from openbid.stages.overview.selections import (
    CLOSED_STATES,
    UNPUBLISHED_STATES,
    agency_selections,
    focus,
    member_selections,
    running,
)

__all__ = [
    "BOARD_DOCUMENTS",
    "CLOSED_STATES",
    "PUBLIC_KINDS",
    "UNPUBLISHED_STATES",
    "Board",
    "Figures",
    "GateWait",
    "Need",
    "OpenPost",
    "OpenSelection",
    "agency_selections",
    "candidate_steps",
    "focus",
    "latest_documents",
    "member_needs",
    "member_selections",
    "oversight_waits",
    "post_requirements",
    "ppk_needs",
    "public_board",
    "public_document",
    "public_documents",
    "running",
    "selection_figures",
    "selections_of",
    "staff_needs",
]
