"""The demo drives the 2018 selection to any state with the services the views use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade

from config import TestConfig
from openbid import audit, demo, demo_stories
from openbid.app import create_app
from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import Agency, AuditEvent, IssuedDocument, Selection
from openbid.storage import read
from tests.conftest import _pg_admin_engine, _pg_url_for


# The decrees' text is read: they are rendered with WeasyPrint, the other documents of the
# story strictly, as draft PDFs (tests/pdfs.py), as in the tests below, which read none.
@pytest.mark.real_pdf(only=("decree",))
def test_demo_through_completed_issues_the_decree_and_its_trail_runs_forwards(app, runner) -> None:
    # Two runs (the demo is expensive: one story serves both checks): the second resumes the
    # story after the first one's last event.
    result = runner.invoke(args=["openbid", "demo", "--through", "approval"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["openbid", "demo", "--through", "completed"])
    assert result.exit_code == 0, result.output
    assert "appointment -> completed" in result.output
    assert "Subject:" not in result.output  # email bodies only with --verbose
    assert len(result.output.splitlines()) < 70, result.output
    selection = demo.demo_selection()
    assert selection.state == "completed"
    _each_decree_cites_its_own_formation_law(result.output)
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
    for document in documents:  # one summary line per PDF: kind, number, path
        assert any(
            document.kind in line and document.number in line and document.file.sha256 in line
            for line in result.output.splitlines()
        ), document.kind
    assert audit.verify_all(db.session).ok
    again = runner.invoke(args=["openbid", "demo", "--through", "completed"])
    assert again.exit_code == 0 and "already in completed" in again.output
    _trail_runs_forwards(selection)


def _trail_runs_forwards(selection: Selection) -> None:
    """The selection's chain runs from 2018 to 2019 in order, after its agency was loaded."""
    assert selection.created_at.year == 2018
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq)
    ).all()
    moments = [e.occurred_at for e in events]
    assert moments == sorted(moments)
    assert events[0].event == "selection_created" and moments[0].year == 2018
    assert moments[-1].year == 2019
    agencies_loaded = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "demo_loaded")
    ).all()
    assert len(agencies_loaded) == 2
    [kota_loaded] = [e for e in agencies_loaded if e.payload["agency"] == demo.AGENCY_CODE]
    assert kota_loaded.occurred_at <= moments[0]


def _each_decree_cites_its_own_formation_law(output: str) -> None:
    """Both agencies' selections are completed; each decree's Mengingat opens with its own
    formation law and never the other's; each agency numbers its documents from 1."""
    kota, kabupaten = demo.KOTA, demo_stories.KABUPATEN
    assert f"{kabupaten.agency['region_name']}: demo selection: approval -> announcement" in output
    laws = {
        kota.agency["code"]: ("Nomor 2 Tahun 1993", "WALI KOTA TANGERANG"),
        kabupaten.agency["code"]: ("Nomor 14 Tahun 1950", "BUPATI TANGERANG"),
    }
    decrees = db.session.execute(
        sa.select(IssuedDocument, Selection)
        .join(Selection, Selection.id == IssuedDocument.selection_id)
        .where(IssuedDocument.kind == "decree")
    ).all()
    assert len(decrees) == 2
    for decree, selection in decrees:
        agency = selection.agency
        assert selection.state == "completed"
        text = " ".join(pdf_text(read(decree.file)).split())
        mengingat = text.split("Mengingat", 1)[1].split("MEMUTUSKAN", 1)[0]
        own, head = laws[agency.code]
        other = next(law for code, (law, _h) in laws.items() if code != agency.code)
        assert mengingat.lstrip().startswith(f": 1. Undang-Undang {own} tentang Pembentukan")
        assert other not in text and f"KEPUTUSAN {head}" in text
    # Numbering series are per agency: each issues its first decree of 2019 as number 1.
    numbers = {decree.number for decree, _selection in decrees}
    assert numbers == {"821.2/Kep.1-BKPSDM/2019", "821.2/Kep.1-BKPSDM.Kab/2019"}


def test_demo_through_an_intermediate_state_and_bad_states(app, runner) -> None:
    result = runner.invoke(args=["openbid", "demo", "--through", "administrative_screening"])
    assert result.exit_code == 0, result.output
    states = db.session.scalars(sa.select(Selection.state)).all()
    assert states == ["administrative_screening"] * 2
    backwards = runner.invoke(args=["openbid", "demo", "--through", "approval"])
    assert backwards.exit_code == 2 and "past approval" in backwards.output
    unknown = runner.invoke(args=["openbid", "demo", "--through", "heaven"])
    assert unknown.exit_code == 2 and "unknown state 'heaven'" in unknown.output
    cancelled = runner.invoke(args=["openbid", "demo", "--through", "cancelled"])
    assert cancelled.exit_code == 0
    db.session.expire_all()
    assert db.session.scalars(sa.select(Selection.state)).all() == ["cancelled"] * 2


def test_demo_verbose_prints_each_step_and_email(app, runner) -> None:
    result = runner.invoke(args=["openbid", "demo", "--through", "approval", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "draft -> approval: the plan went to KASN" in result.output
    quiet = runner.invoke(args=["openbid", "demo", "--through", "announcement"])
    assert quiet.exit_code == 0, quiet.output
    assert "KASN's recommendation recorded" not in quiet.output
    assert "Kota Tangerang: demo selection: approval -> announcement." in quiet.output
    assert "Kabupaten Tangerang: demo selection: approval -> announcement." in quiet.output


def _head() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _previous(revision: str) -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def _demo_app(url: str, tmp_path: Path) -> Flask:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    return create_app(TestConfig(url, instance))


def _run_demo(application: Flask, *args: str):
    with application.app_context():
        try:
            return application.test_cli_runner().invoke(args=["openbid", "demo", *args])
        finally:
            db.session.remove()
            db.engine.dispose()


def _assert_upgraded_and_loaded(application: Flask, result) -> None:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    with application.app_context():
        try:
            assert f"Database upgraded to {_head()}." in result.output.splitlines()
            assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 2
        finally:
            db.session.remove()
            db.engine.dispose()


def test_demo_on_an_empty_sqlite_file_upgrades_it_first(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    path.touch()
    application = _demo_app(f"sqlite:///{path}", tmp_path)
    result = _run_demo(application, "--through", "approval")
    _assert_upgraded_and_loaded(application, result)
    assert "Kota Tangerang: demo selection: draft -> approval." in result.output
    again = _run_demo(application)
    assert again.exit_code == 0 and "Database upgraded" not in again.output
    assert "Demo agencies already present." in again.output


def test_demo_on_an_older_schema_upgrades_it(tmp_path: Path) -> None:
    application = _demo_app(f"sqlite:///{tmp_path / 'old.db'}", tmp_path)
    with application.app_context():
        upgrade(revision=_previous(_head()))
        db.engine.dispose()
    _assert_upgraded_and_loaded(application, _run_demo(application))


def test_demo_refuses_a_database_ahead_of_the_code(app, runner) -> None:
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dface'"))
    db.session.commit()
    result = runner.invoke(args=["openbid", "demo"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "The database is at revision f00dface, which this code does not know (newer code "
        "migrated it); update the code, then run `flask --app wsgi db upgrade`."
    ]
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 0


def test_demo_on_an_unreachable_database_says_so_in_one_line(tmp_path: Path) -> None:
    application = _demo_app(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}", tmp_path)
    result = _run_demo(application)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("Cannot read the database's schema revision (")
    assert "flask --app wsgi db upgrade" in line


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """Return the URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"openbid_demo_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield _pg_url_for(name)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_demo_on_an_empty_postgres_database_upgrades_it_first(
    empty_postgres: str, tmp_path: Path
) -> None:
    application = _demo_app(empty_postgres, tmp_path)
    result = _run_demo(application, "--through", "approval")
    _assert_upgraded_and_loaded(application, result)
