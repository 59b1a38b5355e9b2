"""Applying: which selections take applications now, and opening an application to a post.

Registration runs while the selection is in its announcement and the server's clock (Asia/
Jakarta) is between the registration's opening and closing moments.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from openbid import clock
from openbid.documents.formatting import tanggal_jam
from openbid.extensions import db
from openbid.models import Application, ApplicationState, Position, Selection, SelectionState, User
from openbid.rules.eligibility import REQUIRED_DOCUMENTS, DocumentType
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.common.applications import create_application
from openbid.workflow import definition_of

# The selection state in which registration runs (both definitions name it so).
REGISTRATION_STATE = SelectionState.ANNOUNCEMENT
LIVE_STATES_EXCLUDED = (ApplicationState.WITHDRAWN, ApplicationState.CLOSED)


def registration_open(selection: Selection, now: datetime | None = None) -> bool:
    """Return whether the selection takes applications at this moment (Asia/Jakarta clock)."""
    now = now or clock.now()
    return (
        selection.state == REGISTRATION_STATE
        and selection.registration_opens_at is not None
        and selection.registration_closes_at is not None
        and selection.registration_opens_at <= now < selection.registration_closes_at
    )


def required_documents(selection: Selection) -> list[DocumentType]:
    """Return the documents this selection asks for, in the definition's order."""
    params = definition_of(selection).params(selection.parameters)
    codes = (params.get("eligibility") or {}).get("required_documents") or list(REQUIRED_DOCUMENTS)
    return [REQUIRED_DOCUMENTS[code] for code in codes if code in REQUIRED_DOCUMENTS]


def eligibility_summary(selection: Selection) -> dict[str, Any]:
    """Return the selection's eligibility parameters (definition plus overrides) for display."""
    params = definition_of(selection).params(selection.parameters)
    return dict(params.get("eligibility") or {})


def one_post_only(selection: Selection) -> bool:
    """Return whether a candidate may apply to only one post of this selection."""
    return bool(eligibility_summary(selection).get("one_post_per_selection", True))


def open_selections() -> list[Selection]:
    """Return the selections whose registration is open now, across agencies, closing first."""
    now = clock.now()
    return list(
        db.session.scalars(
            sa.select(Selection)
            .where(
                Selection.state == REGISTRATION_STATE,
                Selection.registration_opens_at <= now,
                Selection.registration_closes_at > now,
            )
            .options(joinedload(Selection.agency), selectinload(Selection.positions))
            .order_by(Selection.registration_closes_at, Selection.id)
        )
    )


def other_applications(
    candidate_id: int, selection_id: int, *, exclude_id: int | None = None
) -> list[Application]:
    """Return the candidate's live (not withdrawn or closed) applications in a selection."""
    stmt = (
        sa.select(Application)
        .join(Position)
        .where(
            Position.selection_id == selection_id,
            Application.candidate_id == candidate_id,
            Application.state.not_in(LIVE_STATES_EXCLUDED),
        )
        .options(joinedload(Application.position))
    )
    if exclude_id is not None:
        stmt = stmt.where(Application.id != exclude_id)
    return list(db.session.scalars(stmt))


def one_post_reason(others: Iterable[Application]) -> Reason | None:
    """Return the refusal for a second post in a one-post selection, or None."""
    names = [a.position.name for a in others]
    if not names:
        return None
    return Reason(
        "application.one_post",
        N_(
            "You already applied to %(posts)s in this selection; each candidate may apply to "
            "one post only. Withdraw that application first if you want to change posts."
        ),
        {"posts": ", ".join(names)},
    )


def registration_reason(selection: Selection, now: datetime | None = None) -> Reason | None:
    """Return why the selection does not take applications at ``now`` (default: this moment,
    with its WIB dates), or None."""
    now = now or clock.now()
    if registration_open(selection, now):
        return None
    closes = selection.registration_closes_at
    if (
        selection.state == REGISTRATION_STATE
        and selection.registration_opens_at
        and (now < selection.registration_opens_at)
    ):
        return Reason(
            "registration.not_yet",
            N_("Registration opens on %(opens)s."),
            {"opens": tanggal_jam(selection.registration_opens_at)},
        )
    if closes is not None and now >= closes:
        return Reason(
            "registration.closed",
            N_("Registration closed on %(deadline)s; applications are no longer accepted."),
            {"deadline": tanggal_jam(closes)},
        )
    return Reason("registration.not_open", N_("This selection is not taking applications."))


def start_application(candidate: User, position: Position) -> Application:
    """Open a draft application to a post whose selection is taking applications.

    :raises ValidationFailed: registration not open, post dropped, already applied, or a
        second post where the definition allows one post per selection.
    """
    selection = position.selection
    reason = registration_reason(selection)
    if reason is not None:
        raise ValidationFailed(reason)
    if not position.is_open:
        raise ValidationFailed(
            Reason("application.post_dropped", N_("This post is no longer being filled."))
        )
    if one_post_only(selection):
        refusal = one_post_reason(other_applications(candidate.id, selection.id))
        if refusal is not None:
            raise ValidationFailed(refusal)
    application = create_application(position, candidate, commit=False)
    db.session.commit()
    return application
