"""The auditor's event log: readable names and details, filters, pages.

Each event is shown by its label (``openbid.audit.labels``, translated) with its machine
name beside it, since auditors cite those; its payload as labelled fields, roles and yes/no
translated, hashes shortened (the full value on hover). The log filters by actor, event type
and a date range in Jakarta days; a filter that cannot be read is named with what to do and
left out, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from openbid import audit, clock
from openbid.audit.labels import (
    COMMITTEE_ROLE_FIELDS,
    FIELD_LABELS,
    ROLE_FIELDS,
    SUBJECT_LABELS,
    event_label,
)
from openbid.extensions import db
from openbid.i18n import committee_role_label, role_label
from openbid.models import AuditEvent

VALUE_LIMIT = 240  # characters of one field's value on the page; the CSV has everything
HASH_FIELDS = frozenset({"sha256", "file_sha256", "chain_hash"})


@dataclass(frozen=True)
class Field:
    """One labelled field of an event's details."""

    key: str
    label: str
    value: str
    full: str = ""  # the whole value, when ``value`` is shortened


@dataclass
class LogFilters:
    """What the auditor asked the log to show, and what could not be read."""

    actor: str = ""
    event: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)  # by field name

    @property
    def active(self) -> bool:
        """Return whether anything narrows the log."""
        return bool(self.actor or self.event or self.since or self.until)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the query-string arguments of these filters (with changes), blanks left out."""
        values = {
            "actor": self.actor,
            "event": self.event,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "page": self.page if self.page > 1 else "",
            **changes,
        }
        return {k: v for k, v in values.items() if v}


def _day(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _(
            "Enter the date as year-month-day, e.g. 2018-12-03 (not “%(raw)s”).", raw=raw[:40]
        )
        return None


def read_filters(args: Mapping[str, str], actors: list[str], events: list[str]) -> LogFilters:
    """Read the log's filters from a query string; name each one that cannot be used."""
    errors: dict[str, str] = {}
    actor = (args.get("actor") or "").strip()
    if actor and actor not in actors:
        errors["actor"] = _(
            "No event of this selection was recorded by “%(actor)s”.", actor=actor[:80]
        )
        actor = ""
    event = (args.get("event") or "").strip()
    if event and event not in events:
        errors["event"] = _(
            "This selection has no event of the type “%(event)s”.", event=event[:80]
        )
        event = ""
    since, until = _day(args, "since", errors), _day(args, "until", errors)
    if since and until and since > until:
        errors["until"] = _(
            "The end of the date range (%(until)s) is before its start (%(since)s).",
            since=since.isoformat(),
            until=until.isoformat(),
        )
        until = None
    page = args.get("page", "")
    number = int(page) if page.isdigit() else 1
    return LogFilters(actor, event, since, until, max(number, 1), errors)


@dataclass
class _Choices:
    """A chain's actors and event types up to the event (seq, hash) they were read to."""

    seq: int
    hash: str
    actors: set[str]
    events: set[str]


# By database and chain. A chain only grows, so a later view reads only the events after the
# last one read: a DISTINCT over a 100k-event chain costs ~100 ms a view on PostgreSQL. The
# (seq, hash) pair names that event, so a chain that is not the one read (another test
# database, a restored backup) is read again from its start.
_CHOICES: dict[tuple[str, str], _Choices] = {}


def chain_choices(chain: str) -> tuple[list[str], list[str]]:
    """Return the actors and the event types recorded in a chain, sorted."""
    key = (db.engine.url.render_as_string(hide_password=True), chain)
    head = audit.head_of(db.session, chain)
    known = _CHOICES.get(key)
    if head is None:
        return [], []
    if known is not None and (known.seq, known.hash) != head:
        at = db.session.scalar(
            sa.select(AuditEvent.hash).where(AuditEvent.chain == chain, AuditEvent.seq == known.seq)
        )
        if at != known.hash:
            known = None  # not the chain that was read: read it from its start
    after = known.seq if known is not None else 0
    if known is None or (known.seq, known.hash) != head:
        rows = db.session.execute(
            sa.select(AuditEvent.actor, AuditEvent.event)
            .where(AuditEvent.chain == chain, AuditEvent.seq > after)
            .distinct()
        ).all()
        actors = (known.actors if known else set()) | {row.actor for row in rows}
        events = (known.events if known else set()) | {row.event for row in rows}
        known = _CHOICES[key] = _Choices(head[0], head[1], actors, events)
    return sorted(known.actors), sorted(known.events)


def _start_of(day: date) -> datetime:
    """Return the UTC moment a Jakarta day starts."""
    return clock.jakarta_moment(day, time(0)).astimezone(timezone.utc)


def filtered(chain: str, filters: LogFilters) -> sa.Select:
    """Return the query of the chain's events the filters keep, in chain order."""
    stmt = sa.select(AuditEvent).where(AuditEvent.chain == chain)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor == filters.actor)
    if filters.event:
        stmt = stmt.where(AuditEvent.event == filters.event)
    if filters.since:
        stmt = stmt.where(AuditEvent.occurred_at >= _start_of(filters.since))
    if filters.until:
        stmt = stmt.where(AuditEvent.occurred_at < _start_of(filters.until + timedelta(days=1)))
    return stmt.order_by(AuditEvent.seq)


def label(event: str) -> str:
    """Return an event's readable name in the current language."""
    return _(event_label(event))


def subject(subject_type: str) -> str:
    """Return what an event is about (a post, a letter...) in the current language."""
    return _(SUBJECT_LABELS[subject_type]) if subject_type in SUBJECT_LABELS else subject_type


def _short(text: str, limit: int = VALUE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar(key: str, value: Any, labels: Labels) -> str:
    """Return one plain value as read: yes/no, roles translated, a dash for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return labels.text("yes") if value else labels.text("no")
    if key in ROLE_FIELDS and isinstance(value, str):
        return labels.role(value)
    if key in COMMITTEE_ROLE_FIELDS and isinstance(value, str):
        return labels.once(("committee_role", value), _safe, committee_role_label, value)
    return str(value)


def _safe(translate, value: str) -> str:
    try:
        return translate(value)
    except ValueError:  # a role name this version no longer knows: shown as stored
        return value


def _value(key: str, value: Any, labels: Labels) -> str:
    """Return a field's value as one line: nested changes as "a → b", lists joined."""
    if isinstance(value, Mapping):
        if set(value) == {"from", "to"}:
            return f"{_value(key, value['from'], labels)} → {_value(key, value['to'], labels)}"
        return "; ".join(f"{labels.field(k)}: {_value(k, v, labels)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if key == "failed_rules":
            return "; ".join(str(item.get("message") or item.get("rule")) for item in value) or "–"
        if value and all(isinstance(item, Mapping) for item in value):
            return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        return ", ".join(_scalar(key, item, labels) for item in value) or "–"
    return _scalar(key, value, labels)


def _field_label(key: str) -> str:
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else key.replace("_", " ")


class Labels:
    """The log's words in the current language, each translated once per page.

    A page of the log repeats a handful of roles, event types, states and field names on
    every row, and each ``gettext`` finds the language through several context locals: at
    50 rows that was most of the page's time. Make one per request (the language is the
    request's); the names are those the page shows.
    """

    def __init__(self, state_name: Callable[[str, str | None], str] | None = None) -> None:
        """Start empty; ``state_name(subject_type, state)`` names states (optional)."""
        self._known: dict[tuple[Any, ...], str] = {}
        self._state_name = state_name

    def once(self, key: tuple[Any, ...], function: Callable[..., str], *args: Any) -> str:
        """Return ``function(*args)``, computed the first time ``key`` is asked for."""
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = function(*args)
        return known

    def text(self, message: str) -> str:
        """Return ``gettext(message)``."""
        return self.once(("text", message), _, message)

    def event(self, event: str) -> str:
        """Return an event's readable name (``label``)."""
        return self.once(("event", event), label, event)

    def subject(self, subject_type: str) -> str:
        """Return what an event is about (``subject``)."""
        return self.once(("subject", subject_type), subject, subject_type)

    def role(self, role: str) -> str:
        """Return an actor's role; a role this version no longer knows stays as stored."""
        return self.once(("role", role), _safe, role_label, role)

    def field(self, key: str) -> str:
        """Return a payload field's label."""
        return self.once(("field", key), _field_label, key)

    def state(self, subject_type: str, state: str | None) -> str:
        """Return a state's label in the machine of ``subject_type``."""
        if self._state_name is None:
            raise TypeError("these labels were made without a state_name")
        return self.once(("state", subject_type, state), self._state_name, subject_type, state)


def describe(payload: Mapping[str, Any] | None, labels: Labels | None = None) -> list[Field]:
    """Return an event's payload as labelled fields (the workflow's ``data`` merged in)."""
    labels = labels or Labels()
    data = dict(payload or {})
    inner = data.pop("data", None)
    data.pop("workflow", None)  # shown with the selection's definition, not per event
    if isinstance(inner, Mapping):
        data = {**inner, **data}
    fields = []
    for key, value in data.items():
        text = _value(key, value, labels)
        if key in HASH_FIELDS and isinstance(value, str):
            fields.append(Field(key, labels.field(key), value[:12] + "…", value))
            continue
        short = _short(text)
        fields.append(Field(key, labels.field(key), short, text if short != text else ""))
    return fields
