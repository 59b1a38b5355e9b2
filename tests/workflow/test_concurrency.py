"""Twenty threads fire the same event on one selection: exactly one wins (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import AuditEvent, Selection, User
from openbid.workflow import Conflict, fire
from tests.factories import make_agency, make_selection

pytestmark = pytest.mark.postgres

THREADS = 20


def test_twenty_threads_one_winner(app) -> None:
    selection, secretariat = make_selection(make_agency())
    selection_id, user_id = selection.id, secretariat.id
    before = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.selection_id == selection_id)
    )
    db.session.remove()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with app.app_context():
            try:
                row = db.session.get(Selection, selection_id)
                actor = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                fire(row, "submit_for_approval", actor)
                outcome = "ok"
            except Conflict:
                outcome = "conflict"
            except Exception as exc:
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * (THREADS - 1) + ["ok"], outcomes
    after = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.selection_id == selection_id)
    )
    assert after == before + 1
    assert db.session.get(Selection, selection_id).state == "approval"
    assert audit.verify_all(db.session).ok
