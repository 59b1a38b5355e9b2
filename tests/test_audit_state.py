"""The last verification per chain: pages check only newer events, verify-audit everything."""

from __future__ import annotations

import sqlalchemy as sa

from openbid import audit, checkpoints
from openbid.audit import state
from openbid.extensions import db
from openbid.models import AuditEvent, Role
from tests.factories import PASSWORD, make_agency, make_selection, make_user


def _notes(selection, actor, n: int) -> None:
    for i in range(n):
        audit.append(
            db.session,
            event="note",
            actor=actor,
            subject_type="selection",
            subject_id=selection.id,
            selection_id=selection.id,
            payload={"n": i},
        )
    db.session.commit()


def _event(chain: str, seq: int) -> AuditEvent:
    return db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == seq)
    )


def _tamper(event_id: int) -> None:
    """Alter an event directly in the database, as someone with SQL access would."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == event_id).values(actor="x"))
    db.session.expire_all()


def _setup(n: int = 5):
    selection, secretary = make_selection(make_agency())
    _notes(selection, secretary, n)
    chain = audit.chain_for(selection.id)
    return selection, secretary, chain


def test_only_newer_events_are_checked_and_recorded(app) -> None:
    selection, secretary, chain = _setup()
    root = checkpoints.folder()
    first = audit.check_since(db.session, chain, root)
    head = db.session.scalar(
        sa.select(sa.func.max(AuditEvent.seq)).where(AuditEvent.chain == chain)
    )
    assert first.intact and first.verified.seq == head and first.checked == head
    assert state.load(root, chain).mode == state.INCREMENTAL
    _notes(selection, secretary, 3)
    second = audit.check_since(db.session, chain, root)
    assert second.checked == 3 and second.verified.seq == head + 3
    assert second.verified.hash == _event(chain, head + 3).hash
    again = audit.check_since(db.session, chain, root)
    assert again.checked == 0 and again.verified == state.load(root, chain)


def test_the_incremental_check_finds_tampering_in_newer_events(app) -> None:
    selection, secretary, chain = _setup()
    root = checkpoints.folder()
    known = audit.check_since(db.session, chain, root).verified
    _notes(selection, secretary, 5)
    victim = _event(chain, known.seq + 2)
    _tamper(victim.id)
    status = audit.check_since(db.session, chain, root)
    assert not status.intact and status.problem.seq == victim.seq
    assert f"event id {victim.id}" in status.problem.message
    assert state.load(root, chain) == known  # not advanced past a broken event


def test_a_changed_or_deleted_recorded_event_is_found(app) -> None:
    _selection, _secretary, chain = _setup()
    root = checkpoints.folder()
    known = audit.check_since(db.session, chain, root).verified
    anchor = _event(chain, known.seq)
    _tamper(anchor.id)  # content changed, hash kept
    assert audit.check_since(db.session, chain, root).problem.seq == known.seq
    with db.engine.begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == anchor.id).values(hash="f" * 64))
    problem = audit.check_since(db.session, chain, root).problem
    assert "changed after it was verified" in problem.message


def test_tampering_an_already_verified_event_is_found_by_a_full_verify_audit(app, runner) -> None:
    _selection, _secretary, chain = _setup()
    root = checkpoints.folder()
    assert runner.invoke(args=["openbid", "verify-audit"]).exit_code == 0
    recorded = state.load(root, chain)
    assert recorded.mode == state.FULL and recorded.full["seq"] == recorded.seq
    old = _event(chain, 2)
    _tamper(old.id)
    # A page view checks only what is newer than the recorded event: it does not see this...
    assert audit.check_since(db.session, chain, root).intact
    # ...the full check does, and forgets the record so pages check from the start again.
    result = runner.invoke(args=["openbid", "verify-audit"])
    assert result.exit_code == 1 and f"event id {old.id}" in result.output
    assert state.load(root, chain) is None
    assert audit.check_since(db.session, chain, root).problem.seq == 2


def test_an_unreadable_state_is_ignored(app) -> None:
    _selection, _secretary, chain = _setup()
    root = checkpoints.folder()
    path = state.path_for(root, chain)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    status = audit.check_since(db.session, chain, root)
    assert status.intact and status.checked == status.verified.seq
    # The state lives where neither checkpoint readers nor backups look.
    assert checkpoints.read_all(root) == ([], [])


def test_the_page_says_what_its_status_means(app, browser) -> None:
    selection, secretary, chain = _setup()
    auditor = make_user(Role.AUDITOR, selection.agency)
    browser.login(auditor.email, PASSWORD)
    url = f"/audit/selections/{selection.id}"
    head = db.session.scalar(
        sa.select(sa.func.max(AuditEvent.seq)).where(AuditEvent.chain == chain)
    )
    page = browser.client.get(url + "?lang=id").get_data(as_text=True)
    assert f"Terverifikasi sampai peristiwa #{head} pada" in page and "WIB" in page
    assert "flask openbid verify-audit" in page
    _notes(selection, secretary, 3)
    _tamper(_event(chain, head + 2).id)
    page = browser.client.get(url + "?lang=en").get_data(as_text=True)
    assert "Broken" in page and f"The first bad event is number {head + 2}" in page
