"""The approval stage's records: each gate's letter, which optional gates a selection needs,
and the election windows that require the Home Affairs Minister's permission.

All of it may change only while the plan is prepared or awaits approval, by the agency's
secretariat or admin; publishing the announcement fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from openbid import audit, clock
from openbid.extensions import db
from openbid.i18n import short_date
from openbid.models import Approval, Selection, SelectionState, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.announcement.gates import GateStatus, gate_statuses
from openbid.stages.common import letters
from openbid.workflow import definition_of
from openbid.workflow.access import check_staff, lock, require_state

# Letters are recorded while the plan is prepared or awaits approval, never after publishing.
LETTER_STATES = (SelectionState.DRAFT, SelectionState.APPROVAL)


def _gate_status(selection: Selection, gate: str) -> GateStatus:
    """Return today's status of the selection's gate called gate.

    :raises ValidationFailed: when the selection's definition has no such gate.
    """
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    today = clock.today_jakarta()
    for status in gate_statuses(db.session, selection, definition, params, today):
        if status.code == gate:
            return status
    raise ValidationFailed(
        Reason(
            "approval.unknown_gate",
            N_("The workflow of this selection has no approval gate %(gate)s."),
            {"gate": gate},
        )
    )


def record_gate_letter(
    selection: Selection,
    actor: User,
    *,
    gate: str,
    letter_number: str,
    letter_date: date | None,
    subject: str,
    notes: str = "",
    pdf: bytes | None = None,
    filename: str = "",
    commit: bool = True,
) -> Approval:
    """Record the letter of an approval gate (``Approval(purpose="gate:<code>")``).

    The PDF is required when the gate is required for this selection today. Recording a
    gate again keeps the earlier letter on file; the newest counts.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: after publishing, for an unknown gate, or a bad letter.
    """
    check_staff(actor, selection.agency_id)
    selection = lock(db.session, Selection, selection.id)
    require_state(
        selection,
        LETTER_STATES,
        code="approval.too_late",
        message=N_(
            "Approval letters can be recorded only before the announcement is"
            " published (now: %(state)s)."
        ),
    )
    status = _gate_status(selection, gate)
    letter = letters.Letter(
        letter_number=letter_number,
        letter_date=letter_date,
        subject=subject,
        notes=notes,
        pdf=pdf,
        filename=filename,
        authority=status.authority,
    )
    approval = letters.record_letter(
        selection,
        actor,
        letter,
        rules=letters.ANNOUNCEMENT_RULES,
        purpose=f"gate:{gate}",
        event="approval_recorded",
        details={"filename": filename or None},
        pdf_required=status.required,
    )
    if commit:
        db.session.commit()
    return approval


def _lock_for_gates(selection: Selection, actor: User) -> Selection:
    """Check the actor, lock the selection and refuse once the announcement is published.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: after publishing.
    """
    check_staff(actor, selection.agency_id)
    selection = lock(db.session, Selection, selection.id)
    require_state(
        selection,
        LETTER_STATES,
        code="approval.settings_locked",
        message=N_(
            "The approval gates can be changed only before the announcement is"
            " published (now: %(state)s)."
        ),
    )
    return selection


def _update_gate_parameters(
    selection: Selection, actor: User, key: str, value: Any, event: str, payload: dict
) -> None:
    """Set (or, when value is empty, remove) one of the selection's overrides; audit; commit."""
    parameters = dict(selection.parameters or {})
    if value:
        parameters[key] = value
    else:
        parameters.pop(key, None)
    selection.parameters = parameters
    audit.append(
        db.session,
        event=event,
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload=payload,
    )
    db.session.commit()


def set_required_gates(selection: Selection, actor: User, codes: Sequence[str]) -> None:
    """Mark which optional gates are required for this selection (``required_gates``).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: after publishing, or for a gate that is not optional.
    """
    selection = _lock_for_gates(selection, actor)
    definition = definition_of(selection)
    optional = [str(g["code"]) for g in definition.approval_gates if not g.get("required")]
    unknown = [code for code in codes if code not in optional]
    if unknown:
        raise ValidationFailed(
            Reason(
                "approval.not_optional",
                N_("%(gate)s is not an optional approval gate of this workflow."),
                {"gate": ", ".join(unknown)},
            )
        )
    chosen = [code for code in optional if code in set(codes)]  # definition order
    before = list((selection.parameters or {}).get("required_gates") or [])
    if chosen == before:
        return
    _update_gate_parameters(
        selection,
        actor,
        "required_gates",
        chosen,
        "required_gates_changed",
        {"before": before, "after": chosen},
    )


def _window_reasons(starts_on: date | None, ends_on: date | None, reason: str) -> list[Reason]:
    """Return what is wrong with an election window's dates and description."""
    reasons = []
    if starts_on is None:
        reasons.append(Reason("election.from", N_("Enter the first day of the election window.")))
    if ends_on is None:
        reasons.append(Reason("election.until", N_("Enter the last day of the election window.")))
    if starts_on and ends_on and ends_on < starts_on:
        reasons.append(
            Reason(
                "election.order",
                N_("The election window ends on %(ends)s, before it starts on %(starts)s."),
                {"starts": short_date(starts_on), "ends": short_date(ends_on)},
            )
        )
    if not reason.strip():
        reasons.append(
            Reason(
                "election.reason",
                N_(
                    "Say what the window is, e.g. the regional election of 2018 or an inauguration."
                ),
            )
        )
    elif len(reason.strip()) > 300:
        reasons.append(
            Reason("election.reason_long", N_("The description is longer than 300 characters."))
        )
    return reasons


def add_election_window(
    selection: Selection,
    actor: User,
    *,
    starts_on: date | None,
    ends_on: date | None,
    reason: str,
) -> None:
    """Add an election window in which the Home Affairs Minister's permission is needed.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: after publishing, on missing or reversed dates or no reason.
    """
    selection = _lock_for_gates(selection, actor)
    reasons = _window_reasons(starts_on, ends_on, reason)
    if reasons:
        raise ValidationFailed(reasons)
    windows = list((selection.parameters or {}).get("election_windows") or [])
    item = {"from": starts_on.isoformat(), "until": ends_on.isoformat(), "reason": reason.strip()}
    windows.append(item)
    windows.sort(key=lambda w: (w["from"], w["until"]))
    _update_gate_parameters(
        selection, actor, "election_windows", windows, "election_window_added", item
    )


def remove_election_window(selection: Selection, actor: User, index: int) -> None:
    """Remove the election window at index (0-based, in the stored order).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: after publishing, or when there is no such window.
    """
    selection = _lock_for_gates(selection, actor)
    windows = list((selection.parameters or {}).get("election_windows") or [])
    if not 0 <= index < len(windows):
        raise ValidationFailed(
            Reason("election.missing", N_("That election window no longer exists; reload."))
        )
    removed = windows.pop(index)
    _update_gate_parameters(
        selection, actor, "election_windows", windows, "election_window_removed", removed
    )
