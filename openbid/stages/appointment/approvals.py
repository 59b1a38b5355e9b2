"""Letters at the appointment stage: an override of a short list, the word on the results.

A post with fewer qualified than the shortlist size blocks the PPK's pick until an approval
to proceed (override) is on file; the PPK appoints only after the oversight body's word on
the results (KASN's recommendation, BKN's validation) is recorded. Both are recorded through
``stages.common.letters``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid.extensions import db
from openbid.models import Approval, Position, Selection, ShortlistResult, User
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.stages.appointment.checks import lock_for_secretariat
from openbid.stages.appointment.ranking import shortlist_size
from openbid.stages.common import letters
from openbid.stages.common.shortlists import current_result, current_results, override_purpose
from openbid.workflow import definition_of

RESULT_RECOMMENDATION = "result_recommendation"
# How the oversight body's word on the results is called, per definition.
RESULT_LETTER: dict[str, Term] = {
    "KASN": Term(N_("KASN's recommendation on the results")),
    "BKN": Term(N_("BKN's validation of the results")),
}


def result_letter(selection: Selection) -> Term:
    """Return the name of the oversight body's word on the results for this selection."""
    body = definition_of(selection).oversight_body
    return RESULT_LETTER.get(body, Term(N_("the oversight body's word on the results")))


def override_for(session: Session, position_id: int) -> Approval | None:
    """Return the approval to proceed with fewer than three for a post, if on file."""
    return session.scalar(
        sa.select(Approval)
        .where(Approval.purpose == override_purpose(position_id))
        .order_by(Approval.id.desc())
        .limit(1)
    )


def _short_result(session: Session, selection: Selection, position: Position) -> ShortlistResult:
    """Return the post's current result, when it is short and has no override yet.

    :raises ValidationFailed: for a post with its full three best (or not frozen, or
        dropped), or with an override already on file.
    """
    result = current_result(session, position.id)
    params = definition_of(selection).params(selection.parameters)
    size = shortlist_size(params)
    if result is None or len(result.shortlist) >= size or not position.is_open:
        raise ValidationFailed(
            Reason(
                "appointment.override_not_needed",
                N_("%(post)s has its full three best; no override is needed."),
                {"post": position.name},
            )
        )
    existing = override_for(session, position.id)
    if existing is not None:
        raise ValidationFailed(
            Reason(
                "appointment.override_exists",
                N_("An override for %(post)s is already on file (letter %(number)s)."),
                {"post": position.name, "number": existing.letter_number},
            )
        )
    return result


def record_override_letter(
    position: Position,
    actor: User,
    *,
    authority: str,
    letter_number: str,
    letter_date: date | None,
    subject: str = "",
    notes: str = "",
    pdf: bytes | None = None,
) -> Approval:
    """Record the approval to proceed with fewer than three qualified in a post; audited.

    For a post where nobody qualified, the approval lets the selection complete with the
    post left vacant (to be filled by a new selection).

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises ValidationFailed: outside the appointment stage, for a post with three qualified
        or an override already on file, or for a bad letter (number, date, PDF).
    """
    session = db.session
    selection = lock_for_secretariat(session, position.selection_id, actor)
    result = _short_result(session, selection, position)
    letter = letters.Letter(
        letter_number=letter_number,
        letter_date=letter_date,
        subject=subject,
        notes=notes,
        pdf=pdf,
        authority=authority,
    )
    approval = letters.record_letter(
        selection,
        actor,
        letter,
        rules=letters.APPOINTMENT_RULES,
        purpose=override_purpose(position.id),
        event="shortlist_override_recorded",
        details={
            "post": position.name,
            "revision": result.revision,
            "qualified": len(result.shortlist),
            "notes": (notes or "").strip(),
        },
    )
    session.commit()
    return approval


def record_result_letter(
    selection: Selection,
    actor: User,
    *,
    letter_number: str,
    letter_date: date | None,
    subject: str = "",
    notes: str = "",
    pdf: bytes | None = None,
) -> Approval:
    """Record the oversight body's word on the results (KASN recommendation, BKN validation).

    The authority is the definition's oversight body. A newer letter may be recorded, e.g.
    after a revision of the three best; the latest one counts.

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises ValidationFailed: outside the appointment stage or for a bad letter.
    """
    session = db.session
    selection = lock_for_secretariat(session, selection.id, actor)
    approval = letters.record_letter(
        selection,
        actor,
        letters.Letter(
            letter_number=letter_number,
            letter_date=letter_date,
            subject=subject,
            notes=notes,
            pdf=pdf,
            authority=definition_of(selection).oversight_body,
        ),
        rules=letters.APPOINTMENT_RULES,
        purpose=RESULT_RECOMMENDATION,
        event="result_recommendation_recorded",
        details={
            "revisions": {
                str(pid): r.revision for pid, r in current_results(session, selection).items()
            },
            "notes": (notes or "").strip(),
        },
    )
    session.commit()
    return approval


def latest_recommendation(session: Session, selection: Selection) -> Approval | None:
    """Return the latest recorded word of the oversight body on the results, if any."""
    return session.scalar(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id, Approval.purpose == RESULT_RECOMMENDATION)
        .order_by(Approval.recorded_at.desc(), Approval.id.desc())
        .limit(1)
    )
