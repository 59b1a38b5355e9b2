"""The audit chain: verify-audit finds an altered byte, a deleted event, a deleted tail."""

from __future__ import annotations

import sqlalchemy as sa

from openbid import audit, demo
from openbid.extensions import db
from openbid.models import AuditEvent, User
from openbid.workflow import fire


def _demo_with_events() -> tuple[int, list[AuditEvent]]:
    demo.load()
    selection = demo.demo_selection()
    secretariat = db.session.scalar(
        sa.select(User).where(User.email == "lutfi@tangerangkota.example")
    )
    fire(selection, "submit_for_approval", secretariat)
    fire(selection, "return_to_draft", secretariat, {"reason": "KASN minta revisi jadwal"})
    fire(selection, "submit_for_approval", secretariat)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq)
    ).all()
    return selection.id, events


def _raw_update(sql: str, **params: object) -> None:
    """Tamper with the database directly, as an attacker with SQL access would."""
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    db.session.expire_all()


def test_canonical_json_is_stable() -> None:
    a = audit.canonical_json({"b": 1, "a": {"y": "é", "x": [1, 2]}})
    assert a == '{"a":{"x":[1,2],"y":"é"},"b":1}'


def test_verify_cli_passes_on_the_demo_after_events(app, runner) -> None:
    _demo_with_events()
    result = runner.invoke(args=["openbid", "verify-audit"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    assert "all hashes match" in result.output


def test_one_changed_byte_of_a_payload_is_named(app, runner) -> None:
    selection_id, events = _demo_with_events()
    target = events[3]
    raw = db.session.execute(
        sa.text("SELECT payload FROM audit_event WHERE id = :id"), {"id": target.id}
    ).scalar_one()
    text = raw if isinstance(raw, str) else __import__("json").dumps(raw)
    assert "Kepala" in text
    _raw_update(
        "UPDATE audit_event SET payload = :p WHERE id = :id",
        p=text.replace("Kepala", "Kepalb", 1),
        id=target.id,
    )
    result = runner.invoke(args=["openbid", "verify-audit"])
    assert result.exit_code == 1
    assert f"selection {selection_id}, event id {target.id}" in result.output
    assert "was altered" in result.output
    assert f"first bad event: id {target.id}" in result.output


def test_a_deleted_event_is_named(app, runner) -> None:
    selection_id, events = _demo_with_events()
    deleted_id, deleted_seq, following_id = events[5].id, events[5].seq, events[6].id
    _raw_update("DELETE FROM audit_event WHERE id = :id", id=deleted_id)
    result = runner.invoke(args=["openbid", "verify-audit"])
    assert result.exit_code == 1
    assert f"selection {selection_id}, event id {following_id}" in result.output
    assert f"event #{deleted_seq} is missing" in result.output


def test_a_deleted_last_event_is_found(app, runner) -> None:
    selection_id, events = _demo_with_events()
    last_id, last_seq = events[-1].id, events[-1].seq
    _raw_update("DELETE FROM audit_event WHERE id = :id", id=last_id)
    result = runner.invoke(args=["openbid", "verify-audit"])
    assert result.exit_code == 1
    assert f"selection {selection_id}, chain tail" in result.output
    assert f"event #{last_seq} onwards was deleted" in result.output


def test_a_relinked_chain_is_still_caught(app, runner) -> None:
    """Changing a state and recomputing only that event's hash breaks the next link."""
    _selection_id, events = _demo_with_events()
    target = events[-2]
    target.to_state = "completed"
    target.hash = audit.compute_hash(target)
    db.session.commit()
    report = audit.verify_all(db.session)
    assert not report.ok
    assert report.problems[0].event_id == events[-1].id
    assert "does not link" in report.problems[0].message


def test_chains_are_per_selection(app) -> None:
    _demo_with_events()
    chains = audit.chains(db.session)
    assert "system" in chains
    assert any(c.startswith("selection:") for c in chains)
