"""The demo drives the 2018 selection to any state with the services the views use."""

from __future__ import annotations

import sqlalchemy as sa

from openbid import audit
from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import IssuedDocument, Selection
from openbid.storage import read


def test_demo_through_completed_issues_the_decree(app, runner) -> None:
    result = runner.invoke(args=["openbid", "demo", "--through", "completed"])
    assert result.exit_code == 0, result.output
    assert "appointment -> completed" in result.output
    selection = db.session.scalars(sa.select(Selection)).one()
    assert selection.state == "completed"
    documents = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.selection_id == selection.id)
    ).all()
    kinds = {d.kind for d in documents}
    assert {
        "announcement",
        "extension_notice",
        "screening_minutes",
        "screening_announcement",
        "results_announcement",
        "plenary_minutes",
        "top_three_announcement",
        "decree",
        "oversight_report",
    } <= kinds
    decree = next(d for d in documents if d.kind == "decree")
    assert decree.file.sha256 in result.output  # the printed path names the stored file
    text = pdf_text(read(decree.file))
    for expected in (
        "KEPUTUSAN WALI KOTA TANGERANG",
        "PENGANGKATAN DALAM JABATAN PIMPINAN TINGGI PRATAMA",
        "Drs. Ahmad Fauzi, M.Pd.",
        "19690512 199403 1 004",
        "Kepala Dinas Pendidikan",
        decree.number,
        "14 Januari 2019",
        decree.verification_code,
    ):
        assert expected in text, expected
    assert audit.verify_all(db.session).ok
    again = runner.invoke(args=["openbid", "demo", "--through", "completed"])
    assert again.exit_code == 0 and "already in completed" in again.output


def test_demo_through_an_intermediate_state_and_bad_states(app, runner) -> None:
    result = runner.invoke(args=["openbid", "demo", "--through", "administrative_screening"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(Selection.state)).one() == "administrative_screening"
    backwards = runner.invoke(args=["openbid", "demo", "--through", "approval"])
    assert backwards.exit_code == 2 and "past approval" in backwards.output
    unknown = runner.invoke(args=["openbid", "demo", "--through", "heaven"])
    assert unknown.exit_code == 2 and "unknown state 'heaven'" in unknown.output
    cancelled = runner.invoke(args=["openbid", "demo", "--through", "cancelled"])
    assert cancelled.exit_code == 0
    db.session.expire_all()
    assert db.session.scalars(sa.select(Selection.state)).one() == "cancelled"
