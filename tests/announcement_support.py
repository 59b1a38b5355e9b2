"""Helpers for the approval and announcement tests: a movable clock, letters, applicants."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from openbid import clock
from openbid.extensions import db
from openbid.models import Application, Approval, AuditEvent, Position, Selection, User
from openbid.stages import announcement
from openbid.stages.common.applications import create_application
from openbid.workflow import fire
from tests.stage_factories import make_candidate, tiny_pdf, upload_documents

JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0):
    """Return an aware moment given in Western Indonesian Time (UTC+7)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=JAKARTA)


class MovableClock:
    """What ``openbid.clock.now`` returns while the fixture is active."""

    def __init__(self) -> None:
        self.moment = wib(2018, 11, 20).astimezone(UTC)

    def set(self, moment: datetime) -> None:
        """Move the clock to moment (aware)."""
        self.moment = moment.astimezone(UTC)


def install_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Patch ``clock.now`` for a test; move time with ``.set(wib(...))``."""
    state = MovableClock()
    monkeypatch.setattr(clock, "now", lambda: state.moment)
    return state


def record_kasn(selection: Selection, actor: User, **fields: object) -> Approval:
    """Record the oversight body's letter (the definition's required gate) with a PDF."""
    gate = next(g for g in _gates(selection) if g.get("required"))
    values = {
        "letter_number": "B-2781/KASN/11/2018",
        "letter_date": clock.today_jakarta(),
        "subject": "Rekomendasi Rencana Seleksi Terbuka JPT Pratama",
        "pdf": tiny_pdf("rekomendasi"),
        "filename": "rekomendasi.pdf",
        **fields,
    }
    return announcement.record_gate_letter(selection, actor, gate=str(gate["code"]), **values)


def _gates(selection: Selection) -> tuple:
    from openbid.workflow import definition_of

    return definition_of(selection).approval_gates


def to_approval(selection: Selection, secretariat: User) -> None:
    """Send the draft plan for approval."""
    fire(selection, "submit_for_approval", secretariat)


def published(selection: Selection, secretariat: User, movable: MovableClock, at: datetime) -> None:
    """Send the plan, record the required letter and publish at ``at``."""
    movable.set(at)
    if selection.state == "draft":
        to_approval(selection, secretariat)
    record_kasn(selection, secretariat)
    announcement.publish(selection, secretariat)


def apply(position: Position, *, submitted: int, drafts: int = 0) -> list[Application]:
    """Create applications to a post: ``submitted`` submitted ones and ``drafts`` in draft."""
    rows = []
    for index in range(submitted + drafts):
        candidate = make_candidate(year=position.selection.start_date.year)
        application = create_application(position, candidate)
        if index < submitted:
            upload_documents(application)
            fire(application, "submit", candidate)
        rows.append(application)
    return rows


def extension_letter(**fields: object) -> dict:
    """Return the fields of an extension approval letter for the service."""
    return {
        "letter_number": "B-3012/KASN/12/2018",
        "letter_date": clock.today_jakarta(),
        "subject": "Persetujuan Perpanjangan Pendaftaran Seleksi Terbuka",
        "pdf": tiny_pdf("perpanjangan"),
        "filename": "perpanjangan.pdf",
        **fields,
    }


def counts() -> tuple[int, int]:
    """Return (approvals, audit events): a refused write must change neither."""
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(Approval.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def reasons_of(error: Exception) -> list[str]:
    """Return the English messages of a GuardFailed or ValidationFailed."""
    return [str(reason) for reason in error.reasons]
