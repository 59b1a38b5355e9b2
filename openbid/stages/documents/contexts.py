"""Build each document's context (``openbid.documents.contexts``) from the database.

One builder per kind, in a module per document family: ``announcement`` (announcement,
extension notice), ``screening`` (minutes, announcement), ``results`` (results, plenary
minutes, three best), ``decree``, ``report`` (to the oversight body) and ``audit_trail``.
Each reads what its stage recorded (verdicts, frozen rankings, declarations, approvals,
registrations) with a fixed number of queries, and refuses with a reason a person can act
on when something the document must cite is missing: a document never goes out with a
blank where a letter number belongs. Texts are Indonesian, as the documents are (see
``wording``); the few wordings an agency may want to change (notes, tembusan, meeting
place, contact hours) are workflow parameters under ``documents`` with the defaults in
``wording``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from openbid.models import Selection, User
from openbid.stages.documents.announcement import announcement_context, extension_notice_context
from openbid.stages.documents.audit_trail import audit_trail_context
from openbid.stages.documents.decree import decree_context
from openbid.stages.documents.report import oversight_report_context
from openbid.stages.documents.results import (
    plenary_minutes_context,
    results_announcement_context,
    top_three_announcement_context,
)
from openbid.stages.documents.screening import (
    screening_announcement_context,
    screening_minutes_context,
)
from openbid.workflow.installed import definition_of


def build_context(
    session: Session, kind: str, selection: Selection, *, issued_at: datetime, actor: User
) -> dict[str, Any]:
    """Return the context of any kind for a selection (the actions call the builders directly).

    :raises KeyError: for an unknown kind.
    :raises ValidationFailed: when the data the document cites is missing.
    """
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    builders = {
        "announcement": lambda: announcement_context(
            session, selection, definition, params, issued_at
        ),
        "extension_notice": lambda: extension_notice_context(session, selection, params)[0],
        "screening_minutes": lambda: screening_minutes_context(
            session, selection, params, issued_at
        ),
        "screening_announcement": lambda: screening_announcement_context(
            session, selection, params, issued_at
        ),
        "results_announcement": lambda: results_announcement_context(
            session, selection, params, issued_at
        ),
        "plenary_minutes": lambda: plenary_minutes_context(session, selection, params, issued_at),
        "top_three_announcement": lambda: top_three_announcement_context(
            session, selection, params
        ),
        "decree": lambda: decree_context(session, selection, definition, params, issued_at),
        "oversight_report": lambda: oversight_report_context(
            session, selection, definition, issued_at
        ),
        "audit_trail": lambda: audit_trail_context(session, selection, definition, actor),
    }
    return builders[kind]()
