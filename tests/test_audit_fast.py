"""The fast verifier (plain rows, runs in worker processes) names what the exact one names."""

from __future__ import annotations

import sqlalchemy as sa

from openbid import audit
from openbid.audit import verify
from openbid.extensions import db
from openbid.models import AuditEvent, Role
from tests.factories import make_agency, make_selection, make_user


def _chain_of(n: int) -> tuple[int, list[AuditEvent]]:
    agency = make_agency()
    selection, _ = make_selection(agency)
    staff = make_user(Role.SECRETARIAT, agency)
    for i in range(n):
        audit.append(
            db.session,
            event="note",
            actor=staff,
            subject_type="selection",
            subject_id=selection.id,
            selection_id=selection.id,
            payload={"n": i, "text": 'é "quoted"\n\ttab \\ back'},
        )
    db.session.commit()
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_for(selection.id))
        .order_by(AuditEvent.seq)
    ).all()
    return selection.id, [event for event in events if event.event == "note"]


def _raw(sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    db.session.expire_all()


def _both(monkeypatch) -> list[tuple]:
    """Return (events, problems) of the exact check and of the fast one in 1 and 2 processes."""
    monkeypatch.setattr(verify, "MIN_RUN", 7)
    monkeypatch.setattr(verify, "MAX_RUN", 7)
    found = []
    for workers in (1, 2):
        report = audit.verify_all(db.session, workers=workers)
        found.append([(p.chain, p.event_id, p.seq, p.message) for p in report.problems])
    exact = []
    for chain in audit.chains(db.session):
        _, problem, _ = audit.verify_chain_exact(db.session, chain)
        if problem is not None:
            exact.append((problem.chain, problem.event_id, problem.seq, problem.message))
    return [exact, *found]


def test_intact_chains_verify_in_runs_and_processes(app, monkeypatch) -> None:
    _chain_of(30)
    exact, one, two = _both(monkeypatch)
    assert exact == one == two == []
    report = audit.verify_all(db.session, workers=2)
    assert report.ok and report.events == sum(seq for seq, _ in report.heads.values())


def test_payloads_stored_canonical() -> None:
    assert audit.canonical_json({"b": [1, 2], "a": "é"}) == '{"a":"é","b":[1,2]}'


def test_every_tampering_is_named_alike(app, monkeypatch) -> None:
    _, events = _chain_of(30)
    # an altered field in the middle of a run, at a cut, and a deleted event later
    _raw("UPDATE audit_event SET actor = 'x' WHERE id = :id", id=events[9].id)
    exact, one, two = _both(monkeypatch)
    assert exact == one == two and exact[0][1] == events[9].id and "altered" in exact[0][3]
    _raw("UPDATE audit_event SET actor = :a WHERE id = :id", a=events[9].actor, id=events[9].id)
    deleted = events[7].seq
    _raw("DELETE FROM audit_event WHERE id = :id", id=events[7].id)
    exact, one, two = _both(monkeypatch)
    assert exact == one == two and f"#{deleted} is missing" in exact[0][3]


def test_an_old_layout_payload_is_still_verified(app, monkeypatch) -> None:
    _, events = _chain_of(10)
    # what openbid wrote before payloads were stored canonical: json.dumps with spaces
    _raw(
        "UPDATE audit_event SET payload = :p WHERE id = :id",
        p='{"n": 3, "text": "\\u00e9 \\"quoted\\"\\n\\ttab \\\\ back"}',
        id=events[3].id,
    )
    exact, one, two = _both(monkeypatch)
    assert exact == one == two == []
