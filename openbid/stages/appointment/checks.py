"""What every change the secretariat makes at the appointment stage checks first.

The selection is locked, the actor must be its agency's secretariat, the selection must be
at the appointment stage, and a post whose appointee is chosen can no longer change.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.models import (
    Application,
    ApplicationState,
    Position,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow import access

APPOINTMENT_STATE = SelectionState.APPOINTMENT
MAX_TEXT = 4000

SECRETARIAT_ONLY = Reason(
    "appointment.secretariat_only",
    N_("Only the secretariat of this selection's agency can do this."),
)


def lock_for_secretariat(session: Session, selection_id: int, actor: User) -> Selection:
    """Lock the selection and return it, when actor may change it at the appointment stage.

    :raises Forbidden: for anyone but the selection's agency's secretariat.
    :raises ValidationFailed: outside the appointment stage.
    """
    selection = access.lock(session, Selection, selection_id)
    access.check_staff(actor, selection.agency_id, (Role.SECRETARIAT,), denied=SECRETARIAT_ONLY)
    access.require_state(
        selection,
        (APPOINTMENT_STATE,),
        code="appointment.not_open",
        message=N_("This can be done only at the appointment stage (now: %(state)s)."),
        label=False,
    )
    return selection


def appointee(session: Session, position_id: int) -> Application | None:
    """Return the candidate appointed to the post, if any."""
    return session.scalar(
        sa.select(Application)
        .where(
            Application.position_id == position_id, Application.state == ApplicationState.APPOINTED
        )
        .options(sa.orm.joinedload(Application.candidate))
    )


def require_not_filled(session: Session, position: Position) -> None:
    """Refuse a change to a post whose appointee is chosen.

    :raises ValidationFailed: naming the appointee.
    """
    chosen = appointee(session, position.id)
    if chosen is not None:
        raise ValidationFailed(
            Reason(
                "appointment.already_filled",
                N_(
                    "%(post)s is already filled (%(name)s was appointed); its three best can"
                    " no longer change."
                ),
                {"post": position.name, "name": chosen.candidate.name},
            )
        )


def reason_text(reason: str) -> str:
    """Return the secretariat's reason for a change, trimmed.

    :raises ValidationFailed: when it is empty or too long.
    """
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(
            Reason(
                "appointment.reason_required",
                N_("Give the reason, e.g. the letter or report that shows the correct value."),
            )
        )
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            Reason(
                "appointment.reason_long",
                N_("The reason is longer than %(limit)d characters; shorten it."),
                {"limit": MAX_TEXT},
            )
        )
    return text
