"""Who may do what to which record: the one place object-level access is decided.

Which *role* may fire an event is written on each transition of the definitions, and fire()
checks it with ``role_reason``. Everything else is decided here, for the engine and for every
stage's service functions alike:

- which agency's records a staff user may touch (``check_staff``),
- which application is a candidate's own, and whether a committee member sits on the
  selection (``access_reasons``, ``check_access``),
- a committee member's seat on a selection (``committee_seat``),
- whether a selection is in a state that allows a change (``require_state``),

and the row a decision is about is locked (``lock``) so the decision holds until the commit.
Stage-specific refusals (a recusal, a post another member scores) stay with their stage but
are built on these.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session

from openbid.models import Application, CommitteeMember, Role, Selection, User
from openbid.models.user import role_term
from openbid.rules.reasons import N_, Reason, Term, Terms, ValidationFailed
from openbid.workflow.errors import Forbidden
from openbid.workflow.installed import Row, definition_of

T = TypeVar("T")

#: The agency's own staff who prepare and run a selection's paperwork.
STAFF_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.SECRETARIAT)

OTHER_AGENCY = Reason("access.other_agency", N_("This selection belongs to another agency."))
NOT_OWN = Reason("access.not_own", N_("You can act only on your own application."))
NOT_SUPERVISED = Reason(
    "access.not_supervised",
    N_("This selection is not under the supervision of your oversight body."),
)
NOT_MEMBER = Reason("access.not_member", N_("You do not sit on the committee of this selection."))
STATE_LOCKED = N_("This can only be changed while the selection is in draft (now: %(state)s).")


def roles_reason(actor: User, allowed: Iterable[str]) -> Reason | None:
    """Return why actor's role is not among allowed (role names), or None."""
    allowed = sorted(str(r) for r in allowed)
    if str(actor.role) in allowed:
        return None
    return Reason(
        "access.role",
        N_("Your role (%(role)s) may not do this; allowed: %(allowed)s."),
        {"role": role_term(actor.role), "allowed": Terms(role_term(r) for r in allowed)},
    )


def role_reason(actor: User, transition) -> Reason | None:
    """Return why actor's role may not fire transition (its definition's roles), or None."""
    return roles_reason(actor, transition.roles)


def committee_seat(session: Session, selection: Selection, user: User) -> CommitteeMember | None:
    """Return the user's seat on the selection's committee, or None.

    Read once per transaction: a write checks the seat where it finds the record (the API's
    visibility) and again in fire(); the second answer is the first one. A flush forgets the
    seats read (it may have written one).
    """
    seats = _seats_read(session)
    key = (selection.id, user.id)
    if key not in seats:
        seat = session.scalar(
            sa.select(CommitteeMember).where(
                CommitteeMember.selection_id == selection.id, CommitteeMember.user_id == user.id
            )
        )
        seats = _seats_read(session)  # the query may have begun the transaction
        seats[key] = seat
    return seats[key]


def seat_read(
    session: Session, selection: Selection, user: User, seat: CommitteeMember | None
) -> None:
    """Note the user's seat on the selection (None: none), read with another query.

    A write that reads its record joined to the caller's seat sends no second query for it:
    ``committee_seat`` answers from this for the rest of the transaction.
    """
    _seats_read(session)[(selection.id, user.id)] = seat


# Session.info key: (the transaction, {(selection id, user id): seat or None}).
_SEATS = "openbid.access.seats"
# Session.info key: (the transaction, {(model, id): None}): rows read under a row lock.
_LOCKED = "openbid.access.locked"


def _this_transaction(session: Session, key: str) -> dict:
    """Return what session.info holds under key for the current transaction (else empty)."""
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    held = session.info.get(key)
    if held is None or transaction is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[key] = held
    return held[1]


def _seats_read(session: Session) -> dict[tuple[int, int], CommitteeMember | None]:
    """Return the seats read in the session's current transaction (empty outside one)."""
    return _this_transaction(session, _SEATS)


@sa.event.listens_for(Session, "after_flush")
def _forget_seats(session: Session, _context: object) -> None:
    """Forget the seats read once a flush may have written one."""
    session.info.pop(_SEATS, None)


def supervises(actor: User, selection: Selection) -> bool:
    """Return whether actor reviews for the oversight body that supervises the selection.

    The body must be the one the selection's definition names (KASN or BKN) and have the
    selection's agency in its scope (its province, or listed).
    """
    body = actor.oversight_body
    if actor.role != Role.OVERSIGHT or body is None:
        return False
    return body.code == definition_of(selection).oversight_body and body.supervises(
        selection.agency
    )


def access_reasons(actor: User, row: Row, selection: Selection, session: Session) -> list[Reason]:
    """Return why actor may not act on row at all (agency, supervision, membership, ownership)."""
    if actor.role == Role.OVERSIGHT:
        return (
            [] if isinstance(row, Selection) and supervises(actor, selection) else [NOT_SUPERVISED]
        )
    if actor.role == Role.CANDIDATE:
        if not isinstance(row, Application) or row.candidate_id != actor.id:
            return [NOT_OWN]
        return []
    if actor.agency_id != selection.agency_id:
        return [OTHER_AGENCY]
    if actor.role == Role.COMMITTEE and committee_seat(session, selection, actor) is None:
        return [NOT_MEMBER]
    return []


def check_access(actor: User, row: Row, selection: Selection, session: Session) -> None:
    """Refuse an actor who may not act on row (see ``access_reasons``).

    :raises Forbidden: with the reasons.
    """
    denied = access_reasons(actor, row, selection, session)
    if denied:
        raise Forbidden(denied)


def check_staff(
    actor: User,
    agency_id: int,
    roles: Collection[Role] = STAFF_ROLES,
    *,
    denied: Reason | None = None,
) -> None:
    """Refuse anyone whose role is not in roles, or who works for another agency.

    ``denied`` is the one reason given for both refusals where a stage words it its own way
    (e.g. "only the secretariat of this selection's agency").

    :raises Forbidden: for another role or another agency.
    """
    wrong_role = roles_reason(actor, roles)
    if wrong_role is not None:
        raise Forbidden(denied or wrong_role)
    if actor.agency_id != agency_id:
        raise Forbidden(denied or OTHER_AGENCY)


def state_term(selection: Selection) -> Term:
    """The selection's state as its definition names it, for a reason's text."""
    return Term(definition_of(selection).machine("selection").state_label(selection.state))


def require_state(
    selection: Selection,
    states: Collection[str],
    *,
    code: str = "selection.locked",
    message: str = STATE_LOCKED,
    label: bool = True,
) -> None:
    """Refuse a change unless the selection is in one of states.

    ``message`` may use ``%(state)s``: the current state's label, or its name when ``label``
    is False (for a stage whose message has always named the state that way).

    :raises ValidationFailed: naming the current state.
    """
    if selection.state not in states:
        state = state_term(selection) if label else selection.state
        raise ValidationFailed(Reason(code, message, {"state": state}))


def lock(session: Session, model: type[T], ident: int, *, shared: bool = False) -> T:
    """Re-read a row with a row lock (``SELECT … FOR UPDATE``; ``FOR SHARE`` when shared).

    The decision taken on the row then holds until the transaction ends: a concurrent event on
    it waits. SQLite has no row locks; its writes are serialised by the database lock.

    A row this session already holds, unchanged and loaded, is locked by reading its version
    alone: every change to a versioned row (its ``version_id_col``) raises the version, so an
    equal version proves the loaded row is the stored one, and its relationships stay loaded
    (re-reading it whole would reset them, and the next read of each would query again).
    """
    held, version = _held(session, model, ident)
    if held is not None and (model, ident) in _this_transaction(session, _LOCKED):
        return held  # read under its lock in this transaction (load_locked) and unchanged
    if held is not None:
        stored = session.execute(
            sa.select(sa.inspect(model).version_id_col)
            .where(model.id == ident)
            .with_for_update(read=shared)
        ).scalar_one()
        if stored == version:
            return held
    return session.scalars(
        sa.select(model)
        .where(model.id == ident)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).one()


def load_locked(session: Session, model: type[T], ident: int, *options: object) -> T | None:
    """Read a row by id with its row lock and the options' relations in one query, or None.

    See ``read_locked``.
    """
    return read_locked(session, sa.select(model).where(model.id == ident).options(*options))


def read_locked(session: Session, stmt: sa.Select) -> T | None:
    """Read one row of stmt's entity with its row lock (``FOR UPDATE OF`` its table), or None.

    A write that must read the row anyway takes its lock with that first read; ``lock``
    then sends nothing for it in this transaction while the row stays unchanged. SQLite
    has no row locks (see ``lock``).
    """
    model, locking = _for_update(stmt)
    row = session.scalars(locking).one_or_none()
    if row is not None:
        _this_transaction(session, _LOCKED)[(model, row.id)] = None
    return row


def read_locked_rows(session: Session, stmt: sa.Select, params: dict | None = None) -> list[sa.Row]:
    """Read stmt's rows with a row lock on its first entity (``FOR UPDATE OF`` its table).

    ``read_locked`` for a statement built once (its parameters in params) that also reads
    other entities beside the row (outer joins, one row each); the first entity of every
    row is the one row locked.
    """
    model, locking = _locking(stmt)
    rows = session.execute(locking, params).all()
    if rows:
        _this_transaction(session, _LOCKED)[(model, rows[0][0].id)] = None
    return rows


def _for_update(stmt: sa.Select) -> tuple[type, sa.Select]:
    """Return stmt's first entity and stmt reading it under its row lock."""
    model = stmt.column_descriptions[0]["entity"]
    return model, stmt.with_for_update(of=model).execution_options(populate_existing=True)


# The same for a statement built once (``read_locked_rows``): made once too.
_locking = functools.lru_cache(maxsize=64)(_for_update)


def _held(session: Session, model: type[T], ident: int) -> tuple[T | None, object]:
    """Return the session's unchanged, loaded copy of a versioned row and its version.

    (None, None) when the model has no version, or the session holds no such copy.
    """
    mapper = sa.inspect(model)
    if mapper.version_id_col is None:
        return None, None
    row = session.identity_map.get(mapper.identity_key_from_primary_key((ident,)))
    if row is None:
        return None, None
    state = sa.inspect(row)
    key = mapper.get_property_by_column(mapper.version_id_col).key
    if state.modified or key in state.unloaded:
        return None, None
    return row, state.dict.get(key)
