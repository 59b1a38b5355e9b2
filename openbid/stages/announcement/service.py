"""Approval gates, the registration window, extensions, dropped posts and closing registration.

The approval stage records the oversight body's letter (and the other gates the definition
turns on) before anything is published; the announcement stage opens registration for a
window counted in calendar or working days, extends it for posts short of applicants (each
extension with its approval letter), drops posts still short, and closes it.

Every state change goes through ``openbid.workflow.fire``; letters are written in the same
transaction as the event they allow, so a refused event leaves no letter behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.extensions import db
from openbid.models import (
    AgencyHoliday,
    Application,
    ApplicationState,
    Approval,
    Position,
    RegistrationExtension,
    Role,
    Selection,
    SelectionEvent,
    SelectionState,
    User,
)
from openbid.rules.calendar import WorkCalendar, parse_closing_time
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.stages.common import letters
from openbid.workflow import FireResult, Forbidden, WorkflowDefinition, definition_of, fire

# Who records letters and configures gates; publishing itself follows the definition's roles.
LETTER_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})
# Letters are recorded while the plan is prepared or awaits approval, never after publishing.
LETTER_STATES = (SelectionState.DRAFT, SelectionState.APPROVAL)
DEFAULT_CLOSING_TIME = "23:59"
DEFAULT_REGISTRATION = {"length": 15, "unit": "calendar"}
DEFAULT_EXTENSION = {"length": 7, "unit": "calendar", "max_count": 2}
DEFAULT_MIN_APPLICANTS = 4
ELECTION_WINDOW = "election_window"

# Names of the known gates for messages ("The KASN recommendation letter is not recorded yet.").
GATE_NAMES: dict[str, Term] = {
    "kasn_recommendation": Term(N_("KASN recommendation letter")),
    "bkn_pertek": Term(N_("BKN technical consideration (Pertek) letter")),
    "governor_letter": Term(N_("governor's letter")),
    "kemendagri_permission": Term(N_("Home Affairs Minister's written permission")),
}

# Reasons the closing applications carry in their audit events.
REASON_POST_DROPPED = "post dropped"
REASON_MISSED_DEADLINE = "registration closed before the application was submitted"


def wib_text(moment: datetime) -> str:
    """Format an aware moment as Western Indonesian Time: ``03-12-2018 23:59 WIB``."""
    return clock.to_jakarta(moment).strftime("%d-%m-%Y %H:%M") + " WIB"


def day_text(day: date) -> str:
    """Format a calendar date as the workspace shows it: ``03-12-2018``."""
    return day.strftime("%d-%m-%Y")


def _forbid_unless_staff(selection: Selection, actor: User) -> None:
    """Refuse anyone but the agency's secretariat or admin.

    :raises Forbidden: for another role or another agency.
    """
    if actor.role not in LETTER_ROLES:
        raise Forbidden(
            Reason(
                "access.role",
                N_("Your role (%(role)s) may not do this; allowed: %(allowed)s."),
                {"role": str(actor.role), "allowed": "admin, secretariat"},
            )
        )
    if actor.agency_id != selection.agency_id:
        raise Forbidden(
            Reason("access.other_agency", N_("This selection belongs to another agency."))
        )


def _lock(selection: Selection) -> Selection:
    """Re-read the selection with a row lock so a concurrent event cannot slip in between."""
    return db.session.scalars(
        sa.select(Selection)
        .where(Selection.id == selection.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _state_term(selection: Selection) -> Term:
    return Term(definition_of(selection).machine("selection").state_label(selection.state))


# --- registration window ----------------------------------------------------------------


def agency_calendar(session: Session, agency_id: int) -> WorkCalendar:
    """Return the working-day calendar of an agency: national days plus its own days off."""
    rows = session.execute(
        sa.select(AgencyHoliday.day, AgencyHoliday.name).where(AgencyHoliday.agency_id == agency_id)
    ).all()
    return WorkCalendar(extra_holidays=dict(rows))


@dataclass(frozen=True)
class RegistrationWindow:
    """When registration opens and closes (aware UTC moments) and how it was counted."""

    opens_at: datetime
    closes_at: datetime
    opens_on: date  # Asia/Jakarta dates
    closes_on: date
    length: int
    unit: str
    closing_time: str


def registration_settings(params: Mapping[str, Any]) -> tuple[int, str, str]:
    """Return (length, unit, closing time) of the registration window from the parameters."""
    settings = {**DEFAULT_REGISTRATION, **dict(params.get("registration") or {})}
    return (
        int(settings["length"]),
        str(settings["unit"]),
        str(settings.get("closing_time") or DEFAULT_CLOSING_TIME),
    )


def registration_window(
    session: Session, selection: Selection, params: Mapping[str, Any], opened_at: datetime
) -> RegistrationWindow:
    """Return the window of a registration published at opened_at.

    The window opens on the WIB date of publishing and ends on the last day of the
    definition's length (calendar or working days; working days skip national holidays,
    cuti bersama and the agency's own days off), at the closing time.

    :raises ValueError: when the parameters are unusable (length below 1, unknown unit).
    """
    length, unit, closing = registration_settings(params)
    opens_on = clock.to_jakarta(opened_at).date()
    closes_on = agency_calendar(session, selection.agency_id).window_end(opens_on, length, unit)
    return RegistrationWindow(
        opens_at=opened_at,
        closes_at=clock.jakarta_moment(closes_on, parse_closing_time(closing)),
        opens_on=opens_on,
        closes_on=closes_on,
        length=length,
        unit=unit,
        closing_time=closing,
    )


def extension_settings(params: Mapping[str, Any]) -> tuple[int, str, int]:
    """Return (length, unit, max_count) of registration extensions from the parameters."""
    settings = {**DEFAULT_EXTENSION, **dict(params.get("extension") or {})}
    return int(settings["length"]), str(settings["unit"]), int(settings["max_count"])


def extended_close(
    session: Session, selection: Selection, params: Mapping[str, Any], now: datetime
) -> datetime:
    """Return the new closing moment of an extension decided at now.

    Registration reopens the day after the previous close (or today, if the extension is
    decided later, so applicants never get fewer days than the definition grants) and runs
    for the extension's length in its unit.
    """
    length, unit, _ = extension_settings(params)
    _, _, closing = registration_settings(params)
    previous_day = clock.to_jakarta(selection.registration_closes_at).date()
    reopens_on = max(previous_day + timedelta(days=1), clock.to_jakarta(now).date())
    closes_on = agency_calendar(session, selection.agency_id).window_end(reopens_on, length, unit)
    return clock.jakarta_moment(closes_on, parse_closing_time(closing))


# --- counts per post --------------------------------------------------------------------


def min_applicants(params: Mapping[str, Any]) -> int:
    """Return the minimum of submitted applications a post needs at closing."""
    return int(params.get("min_applicants_per_post", DEFAULT_MIN_APPLICANTS))


def submitted_counts(session: Session, selection_id: int) -> dict[int, int]:
    """Return {position id: submitted applications} for every post, in one query."""
    counted = sa.func.count(Application.id).filter(Application.state == ApplicationState.SUBMITTED)
    rows = session.execute(
        sa.select(Position.id, counted)
        .outerjoin(Application, Application.position_id == Position.id)
        .where(Position.selection_id == selection_id)
        .group_by(Position.id)
    ).all()
    return dict(rows)


def short_positions(
    session: Session, selection: Selection, params: Mapping[str, Any]
) -> list[tuple[Position, int]]:
    """Return the open posts below the minimum of submitted applications, with their count."""
    minimum = min_applicants(params)
    counts = submitted_counts(session, selection.id)
    positions = session.scalars(
        sa.select(Position)
        .where(Position.selection_id == selection.id, Position.dropped_at.is_(None))
        .order_by(Position.id)
    ).all()
    return [(p, counts.get(p.id, 0)) for p in positions if counts.get(p.id, 0) < minimum]


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


# --- approval gates ---------------------------------------------------------------------


@dataclass(frozen=True)
class ElectionWindow:
    """A period in which replacing officials needs the Home Affairs Minister's permission."""

    starts_on: date
    ends_on: date
    reason: str

    def overlaps(self, first: date, last: date) -> bool:
        """Return whether the window shares a day with first..last."""
        return self.starts_on <= last and first <= self.ends_on


def election_windows(params: Mapping[str, Any]) -> list[ElectionWindow]:
    """Return the selection's election windows (``parameters["election_windows"]``)."""
    windows = []
    for item in params.get("election_windows") or []:
        windows.append(
            ElectionWindow(
                date.fromisoformat(item["from"]),
                date.fromisoformat(item["until"]),
                str(item.get("reason", "")),
            )
        )
    return windows


def selection_span(selection: Selection, on_day: date) -> tuple[date, date]:
    """Return the days the selection still runs: from on_day to its last scheduled day."""
    last = on_day
    for row in selection.schedule or []:
        for key in ("starts_on", "ends_on"):
            if row.get(key):
                last = max(last, date.fromisoformat(row[key]))
    return on_day, last


@dataclass(frozen=True)
class GateStatus:
    """One approval gate of a selection: whether it is required, why, and its letter."""

    code: str
    authority: str
    label: str  # the definition's label, as the regulation names the letter
    name: str  # English name for messages (a Term for the known gates)
    required: bool
    required_by: str  # "definition", "selection", "election_window" or "" (optional)
    condition: str  # the definition's ``when`` ("election_window") or ""
    window: ElectionWindow | None
    approval: Approval | None
    history: tuple[Approval, ...]  # every letter recorded for it, newest first

    @property
    def recorded(self) -> bool:
        """Return whether a letter is on file."""
        return self.approval is not None


def gate_name(gate: Mapping[str, Any]) -> str:
    """Return the translatable name of a gate, or its definition label."""
    return GATE_NAMES.get(str(gate["code"]), str(gate.get("label") or gate["code"]))


def gate_statuses(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    params: Mapping[str, Any],
    on_day: date,
) -> list[GateStatus]:
    """Return the status of every approval gate of the selection's definition on a day."""
    approvals = session.scalars(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id, Approval.purpose.like("gate:%"))
        .options(sa.orm.joinedload(Approval.file))
        .order_by(Approval.id.desc())
    ).all()
    by_purpose: dict[str, list[Approval]] = {}
    for approval in approvals:
        by_purpose.setdefault(approval.purpose, []).append(approval)
    marked = set(params.get("required_gates") or [])
    first, last = selection_span(selection, on_day)
    windows = [w for w in election_windows(params) if w.overlaps(first, last)]
    statuses = []
    for gate in definition.approval_gates:
        code = str(gate["code"])
        condition = str(gate.get("when") or "")
        window = windows[0] if condition == ELECTION_WINDOW and windows else None
        if gate.get("required"):
            required_by = "definition"
        elif code in marked:
            required_by = "selection"
        elif window is not None:
            required_by = ELECTION_WINDOW
        else:
            required_by = ""
        history = tuple(by_purpose.get(f"gate:{code}", []))
        statuses.append(
            GateStatus(
                code=code,
                authority=str(gate.get("authority", "")),
                label=str(gate.get("label", code)),
                name=gate_name(gate),
                required=bool(required_by),
                required_by=required_by,
                condition=condition,
                window=window,
                approval=history[0] if history else None,
                history=history,
            )
        )
    return statuses


def missing_gate_reasons(statuses: Sequence[GateStatus]) -> list[Reason]:
    """Return one reason per required gate without a letter on file."""
    reasons = []
    for status in statuses:
        if not status.required or status.recorded:
            continue
        if status.required_by == ELECTION_WINDOW and status.window is not None:
            reasons.append(
                Reason(
                    "approval.gate_missing_election",
                    N_(
                        "The %(gate)s is not recorded yet; it is needed because the selection"
                        " runs inside the election window %(starts)s to %(ends)s (%(why)s)."
                    ),
                    {
                        "gate": status.name,
                        "starts": day_text(status.window.starts_on),
                        "ends": day_text(status.window.ends_on),
                        "why": status.window.reason,
                    },
                )
            )
        else:
            reasons.append(
                Reason(
                    "approval.gate_missing",
                    N_("The %(gate)s is not recorded yet."),
                    {"gate": status.name},
                )
            )
    return reasons


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
    _forbid_unless_staff(selection, actor)
    selection = _lock(selection)
    if selection.state not in LETTER_STATES:
        raise ValidationFailed(
            Reason(
                "approval.too_late",
                N_(
                    "Approval letters can be recorded only before the announcement is"
                    " published (now: %(state)s)."
                ),
                {"state": _state_term(selection)},
            )
        )
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    status = next(
        (
            s
            for s in gate_statuses(db.session, selection, definition, params, clock.today_jakarta())
            if s.code == gate
        ),
        None,
    )
    if status is None:
        raise ValidationFailed(
            Reason(
                "approval.unknown_gate",
                N_("The workflow of this selection has no approval gate %(gate)s."),
                {"gate": gate},
            )
        )
    approval = letters.record_letter(
        selection,
        actor,
        letters.Letter(
            letter_number=letter_number,
            letter_date=letter_date,
            subject=subject,
            notes=notes,
            pdf=pdf,
            filename=filename,
            authority=status.authority,
        ),
        rules=letters.ANNOUNCEMENT_RULES,
        purpose=f"gate:{gate}",
        event="approval_recorded",
        details={"filename": filename or None},
        pdf_required=status.required,
    )
    if commit:
        db.session.commit()
    return approval


def _update_gate_parameters(
    selection: Selection, actor: User, key: str, value: Any, event: str, payload: dict
) -> None:
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


def _lock_for_gates(selection: Selection, actor: User) -> Selection:
    _forbid_unless_staff(selection, actor)
    selection = _lock(selection)
    if selection.state not in LETTER_STATES:
        raise ValidationFailed(
            Reason(
                "approval.settings_locked",
                N_(
                    "The approval gates can be changed only before the announcement is"
                    " published (now: %(state)s)."
                ),
                {"state": _state_term(selection)},
            )
        )
    return selection


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
                {"starts": day_text(starts_on), "ends": day_text(ends_on)},
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


# --- events of the announcement stage ---------------------------------------------------


def publish(
    selection: Selection, actor: User, *, expected_version: int | None = None
) -> FireResult:
    """Publish the announcement: fire ``publish_announcement``, which opens registration.

    :raises GuardFailed: when a required approval letter is missing (reasons name each).
    :raises Forbidden: when the actor may not publish.
    """
    return fire(
        selection, SelectionEvent.PUBLISH_ANNOUNCEMENT, actor, expected_version=expected_version
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
    _forbid_unless_staff(selection, actor)
    if selection.state != SelectionState.ANNOUNCEMENT:
        raise ValidationFailed(
            Reason(
                "extension.state",
                N_("Registration can be extended only during the announcement (now: %(state)s)."),
                {"state": _state_term(selection)},
            )
        )
    approval = letters.record_letter(
        selection,
        actor,
        letters.Letter(
            letter_number=letter_number,
            letter_date=letter_date,
            subject=subject,
            pdf=pdf,
            filename=filename,
            authority=definition_of(selection).oversight_body,
        ),
        rules=letters.ANNOUNCEMENT_RULES,
        purpose="extension",
        event="approval_recorded",
        details={"filename": filename or None},
        pdf_required=True,
    )
    if commit:
        db.session.commit()
    return approval


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
    problems = []
    if not reason.strip():
        problems.append(Reason("extension.reason", N_("Say why registration is extended.")))
    elif len(reason.strip()) > 2000:
        problems.append(
            Reason("extension.reason_long", N_("The reason is longer than 2000 characters."))
        )
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


def drop_position(
    selection: Selection,
    actor: User,
    *,
    position_id: int | str,
    reason: str,
    expected_version: int | None = None,
) -> FireResult:
    """Drop a post still short of applicants after registration closed (``drop_position``).

    Its unfinished applications are closed in the same transaction.

    :raises ValidationFailed: when no post is chosen or no reason is given.
    :raises GuardFailed: when registration is open or the post is not short.
    :raises Forbidden: when the actor may not drop posts.
    """
    problems = []
    if position_id is None or not str(position_id).strip():
        problems.append(Reason("drop.position", N_("Choose the post to drop.")))
    if not reason.strip():
        problems.append(Reason("drop.reason", N_("Say why the post is dropped.")))
    if problems:
        raise ValidationFailed(problems)
    return fire(
        selection,
        SelectionEvent.DROP_POSITION,
        actor,
        {"position_id": position_id, "reason": reason.strip()[:2000]},
        expected_version=expected_version,
    )


def close_registration(
    selection: Selection, actor: User, *, expected_version: int | None = None
) -> FireResult:
    """Close registration and move to administrative screening (``close_registration``).

    Applications still in draft are closed: they missed the deadline.

    :raises GuardFailed: when registration is open, no post is left, or a post is short.
    :raises Forbidden: when the actor may not close registration.
    """
    return fire(
        selection, SelectionEvent.CLOSE_REGISTRATION, actor, expected_version=expected_version
    )
