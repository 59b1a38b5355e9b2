"""Extending registration for posts short of applicants, each extension with its approval letter.

The oversight body's letter (``Approval(purpose="extension")``) and the ``extend_registration``
event are written in one transaction, so a refused extension leaves no letter behind; the
event's action links the newest letter not used yet to the extension it allows.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.extensions import db
from openbid.models import (
    Approval,
    RegistrationExtension,
    Selection,
    SelectionEvent,
    SelectionState,
    User,
)
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.common import letters
from openbid.workflow import FireResult, definition_of, fire
from openbid.workflow.access import check_staff, require_state


def unlinked_extension_approval(session: Session, selection_id: int) -> Approval | None:
    """Return the newest extension approval not yet used by an extension, if any."""
    used = sa.select(RegistrationExtension.approval_id).where(
        RegistrationExtension.approval_id.is_not(None)
    )
    return session.scalars(
        sa.select(Approval)
        .where(
            Approval.selection_id == selection_id,
            Approval.purpose == "extension",
            Approval.id.not_in(used),
        )
        .order_by(Approval.id.desc())
    ).first()


def registration_extensions(session: Session, selection_id: int) -> list[RegistrationExtension]:
    """Return the selection's extensions in order, each with its approval letter loaded."""
    return list(
        session.scalars(
            sa.select(RegistrationExtension)
            .where(RegistrationExtension.selection_id == selection_id)
            .options(sa.orm.joinedload(RegistrationExtension.approval))
            .order_by(RegistrationExtension.number)
        ).all()
    )


def record_extension_letter(
    selection: Selection,
    actor: User,
    *,
    letter_number: str,
    letter_date: date | None,
    subject: str,
    pdf: bytes | None,
    filename: str = "",
    commit: bool = True,
) -> Approval:
    """Record the oversight body's approval of a registration extension (purpose "extension").

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: outside the announcement stage, or a bad letter.
    """
    check_staff(actor, selection.agency_id)
    require_state(
        selection,
        (SelectionState.ANNOUNCEMENT,),
        code="extension.state",
        message=N_("Registration can be extended only during the announcement (now: %(state)s)."),
    )
    letter = letters.Letter(
        letter_number=letter_number,
        letter_date=letter_date,
        subject=subject,
        pdf=pdf,
        filename=filename,
        authority=definition_of(selection).oversight_body,
    )
    approval = letters.record_letter(
        selection,
        actor,
        letter,
        rules=letters.ANNOUNCEMENT_RULES,
        purpose="extension",
        event="approval_recorded",
        details={"filename": filename or None},
        pdf_required=True,
    )
    if commit:
        db.session.commit()
    return approval


def _reason_problems(reason: str) -> list[Reason]:
    """Return what is wrong with the reason given for an extension."""
    if not reason.strip():
        return [Reason("extension.reason", N_("Say why registration is extended."))]
    if len(reason.strip()) > 2000:
        return [Reason("extension.reason_long", N_("The reason is longer than 2000 characters."))]
    return []


def extend_registration(
    selection: Selection,
    actor: User,
    *,
    reason: str,
    letter_number: str,
    letter_date: date | None,
    subject: str,
    pdf: bytes | None,
    filename: str = "",
    expected_version: int | None = None,
) -> FireResult:
    """Record the extension's approval letter and fire ``extend_registration``, atomically.

    :raises Forbidden: when the actor may not extend registration.
    :raises ValidationFailed: on a bad letter or no reason (nothing written).
    :raises GuardFailed: when registration is still open, no post is short, or the
        extensions are used up (nothing written, not even the letter).
    """
    problems = _reason_problems(reason)
    try:
        try:
            record_extension_letter(
                selection,
                actor,
                letter_number=letter_number,
                letter_date=letter_date,
                subject=subject,
                pdf=pdf,
                filename=filename,
                commit=False,
            )
        except ValidationFailed as error:
            raise ValidationFailed(problems + error.reasons) from None
        if problems:
            raise ValidationFailed(problems)
        result = fire(
            selection,
            SelectionEvent.EXTEND_REGISTRATION,
            actor,
            {"reason": reason.strip()},
            expected_version=expected_version,
            commit=False,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result
