"""The selection committee: seating members (creating new accounts) and removing them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from openbid import audit
from openbid.extensions import db
from openbid.models import CommitteeMember, CommitteeRole, Role, Selection, User
from openbid.rules.committee import PositionLevel
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.planning.draft import clean_text, lock_draft, too_long
from openbid.stages.planning.selections import add_committee_member
from openbid.workflow.access import committee_seat

#: A person to create: their name and email.
NewPerson = tuple[str, str]


@dataclass(frozen=True)
class MemberInput:
    """A seat on the committee: an existing committee user, or a new person to create."""

    committee_role: str
    is_internal: bool
    position_title: str
    position_level: int | None
    institution: str = ""
    is_bkn_official: bool = False
    user_id: int | None = None
    new_name: str = ""
    new_email: str = ""


@dataclass(frozen=True)
class SeatResult:
    """The new seat; for a newly created account, the initial password to hand over once."""

    member: CommitteeMember
    initial_password: str | None


def _seat_reasons(data: MemberInput) -> tuple[CommitteeRole | None, list[Reason]]:
    """Check the seat's own fields: role in the committee, position, institution, level."""
    reasons = []
    try:
        role = CommitteeRole(data.committee_role)
    except ValueError:
        role = None
        reasons.append(Reason("committee.role_choice", N_("Choose chair, secretary or member.")))
    title = clean_text(data.position_title)
    if not title:
        reasons.append(Reason("committee.title", N_("Enter the member's position (jabatan).")))
    reasons += too_long("committee.title_long", N_("position"), title, 200)
    reasons += too_long(
        "committee.institution_long", N_("institution"), clean_text(data.institution), 200
    )
    if data.position_level not in {int(level) for level in PositionLevel}:
        reasons.append(Reason("committee.level", N_("Choose the position level of the member.")))
    return role, reasons


def _existing_member(selection: Selection, user_id: int) -> tuple[User | None, list[Reason]]:
    """Return the chosen committee account of the agency, or why it cannot be seated."""
    member = db.session.get(User, user_id)
    if member is None or member.agency_id != selection.agency_id or member.role != Role.COMMITTEE:
        return None, [
            Reason(
                "committee.user",
                N_("Choose a committee account of this agency, or enter a new person."),
            )
        ]
    if committee_seat(db.session, selection, member) is not None:
        return member, [
            Reason(
                "committee.duplicate",
                N_("%(name)s already sits on this committee."),
                {"name": member.name},
            )
        ]
    return member, []


def _new_email(email: str) -> tuple[str, list[Reason]]:
    """Return a new person's email, normalised when valid, and why it cannot be used."""
    if not email:
        return email, [Reason("committee.new_email", N_("Enter the new member's email address."))]
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return email, [
            Reason(
                "committee.email_invalid",
                N_("%(email)s is not a valid email address."),
                {"email": email},
            )
        ]
    taken = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email))
    if taken is None:
        return email, []
    return email, [
        Reason(
            "committee.email_taken",
            N_("%(email)s already has an account; choose it from the list instead."),
            {"email": email},
        )
    ]


def _new_person(data: MemberInput) -> tuple[NewPerson, list[Reason]]:
    """Return a new person's name and email, and what is wrong with them."""
    name = clean_text(data.new_name)
    reasons = []
    if not name:
        reasons.append(
            Reason(
                "committee.new_name",
                N_("Choose an existing account or enter the new member's name."),
            )
        )
    reasons += too_long("committee.name_long", N_("name"), name, 200)
    email, refused = _new_email(clean_text(data.new_email))
    return (name, email), reasons + refused


def _check_member(
    selection: Selection, data: MemberInput
) -> tuple[list[Reason], tuple[CommitteeRole | None, User | NewPerson | None]]:
    role, reasons = _seat_reasons(data)
    member: User | NewPerson | None
    if data.user_id:
        member, refused = _existing_member(selection, data.user_id)
    else:
        member, refused = _new_person(data)
    return reasons + refused, (role, member)


def _create_account(
    selection: Selection, actor: User, person: NewPerson, position_title: str
) -> tuple[User, str]:
    """Create a committee account in the selection's agency; return it and its password."""
    name, email = person
    password = secrets.token_urlsafe(12)
    member = User(
        email=email,
        name=name,
        role=Role.COMMITTEE,
        agency_id=selection.agency_id,
        position_title=position_title,
    )
    member.set_password(password)
    db.session.add(member)
    db.session.flush()
    audit.append(
        db.session,
        event="user_created",
        actor=actor,
        subject_type="user",
        subject_id=member.id,
        selection_id=selection.id,
        payload={"email": email, "name": name, "role": Role.COMMITTEE},
    )
    return member, password


def seat_member(selection: Selection, actor: User, data: MemberInput) -> SeatResult:
    """Seat a committee member on a draft selection, creating their account if new.

    A new account gets the committee role in the selection's agency and a random initial
    password, returned once so the secretariat can hand it over.

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a bad, duplicate or missing field.
    """
    selection = lock_draft(selection, actor)
    reasons, (role, member) = _check_member(selection, data)
    if reasons:
        raise ValidationFailed(reasons)
    password = None
    if not isinstance(member, User):
        member, password = _create_account(
            selection, actor, member, clean_text(data.position_title)
        )
    seat = add_committee_member(
        selection,
        actor,
        member,
        committee_role=role,
        is_internal=data.is_internal,
        position_title=clean_text(data.position_title),
        position_level=int(data.position_level),
        institution=clean_text(data.institution),
        is_bkn_official=data.is_bkn_official,
        commit=False,
    )
    db.session.commit()
    return SeatResult(seat, password)


def remove_member(selection: Selection, actor: User, member_id: int) -> None:
    """Remove a member from a draft selection's committee (their account stays).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: past draft, or a seat that is not on this committee.
    """
    selection = lock_draft(selection, actor)
    seat = db.session.get(CommitteeMember, member_id)
    if seat is None or seat.selection_id != selection.id:
        raise ValidationFailed(
            Reason("committee.missing", N_("That member is not on this committee; reload."))
        )
    payload = {"user_id": seat.user_id, "name": seat.user.name}
    db.session.delete(seat)
    db.session.flush()
    audit.append(
        db.session,
        event="committee_member_removed",
        actor=actor,
        subject_type="committee_member",
        subject_id=member_id,
        selection_id=selection.id,
        payload=payload,
    )
    db.session.commit()
