"""Build a stage once per test session, then copy it into every test that asks for it.

``stage(key, build)`` runs ``build()`` (which creates its own agency, people and selection
through the real services and the workflow engine) the first time a key is asked for in
this test session, by whichever xdist process asks first (tests/shared_build.py), saves
the resulting database and instance folder, and hands the test a ``Setup`` re-loaded from
the database. Later tests asking for the same key, in any process, get a copy: SQLite
copies the file; PostgreSQL copies the rows into a schema of the process's own database
once, then puts them back (empty every table, ``INSERT … SELECT`` the saved rows, set each
sequence where it was) in one transaction. Both paths re-load the setup the same way, so
a test cannot tell a first build from a copy.
"""

from __future__ import annotations

import json
import pickle
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

from config import TestConfig
from openbid import demo, demo_flow
from openbid.app import create_app
from openbid.documents import render
from openbid.extensions import db
from openbid.models import Agency, Application, Selection, SelectionState, User
from tests import pg_rows, shared_build
from tests.documents import scenario
from tests.factories import make_agency, numbers_used, skip_numbers
from tests.interview_factories import selection_in_appointment, selection_in_interview
from tests.pdfs import draft_renderer
from tests.stage_factories import Setup, selection_in_assessment, selection_in_screening

# The one builder chain, by stage: each brings a new agency's selection there through the
# real services and the engine (screening -> assessment -> interview -> appointment).
BUILDERS: dict[str, Callable[..., Setup]] = {
    "screening": selection_in_screening,
    "assessment": selection_in_assessment,
    "interview": selection_in_interview,
    "appointment": selection_in_appointment,
}


@dataclass(frozen=True)
class _Saved:
    """A saved stage: where its database and instance folder are, and how to re-load it."""

    database: Any  # SQLite file path, or PostgreSQL's saved rows (tests/pg_rows.py)
    instance: Path
    ids: Any  # what ``load`` needs to find the built rows again (None: nothing to hand back)
    load: Callable[[Any], Any]


def _setup_ids(setup: Setup) -> tuple:
    return (
        setup.agency.id,
        setup.selection.id,
        setup.secretariat.id,
        tuple(a.id for a in setup.applications),
    )


def _load_setup(ids: tuple) -> Setup:
    """Re-load a saved stage's rows in the test's session."""
    agency_id, selection_id, secretariat_id, application_ids = ids
    applications = db.session.scalars(
        sa.select(Application).where(Application.id.in_(application_ids))
    ).all()
    by_id = {application.id: application for application in applications}
    return Setup(
        agency=db.session.get(Agency, agency_id),
        selection=db.session.get(Selection, selection_id),
        secretariat=db.session.get(User, secretariat_id),
        applications=[by_id[i] for i in application_ids],
    )


def _scenario_ids(built: scenario.Scenario) -> tuple:
    return (
        built.agency.id,
        built.selection.id,
        built.secretariat.id,
        built.auditor.id,
        built.ppk.id,
        built.failed_application_id,
    )


def _load_scenario(ids: tuple) -> scenario.Scenario:
    agency_id, selection_id, secretariat_id, auditor_id, ppk_id, failed_id = ids
    return scenario.Scenario(
        agency=db.session.get(Agency, agency_id),
        selection=db.session.get(Selection, selection_id),
        secretariat=db.session.get(User, secretariat_id),
        auditor=db.session.get(User, auditor_id),
        ppk=db.session.get(User, ppk_id),
        failed_application_id=failed_id,
    )


class Snapshots:
    """The stages this test process has used, by key; built by whichever process came first."""

    def __init__(self, root: Path, on_postgres: bool) -> None:
        self.root = root  # shared by the session's test processes (tests/shared_build.py)
        self.on_postgres = on_postgres
        self.saved: dict[str, _Saved] = {}

    def stage(
        self,
        key: str,
        build: Callable[[], Any],
        *,
        ids: Callable[[Any], Any] = _setup_ids,
        load: Callable[[Any], Any] = _load_setup,
    ) -> Any:
        """Return the stage named key in this test's database, building it the first time.

        ``build`` returns what to hand back (a Setup by default; None for a stage with
        nothing to hand back, e.g. the demo at some state); ``ids`` turns it into plain ids
        and ``load`` re-loads it from them in the test's session.
        """
        # Documents issued while building are part of the stage: a test examining real PDFs
        # must not be handed a stage built with the test renderer, nor the other way round.
        key = f"{key}:{'weasyprint' if render.weasyprint_in_use() else 'draft'}"
        saved = self.saved.get(key)
        if saved is not None:
            self._restore(saved)
        else:
            with shared_build.locked(self.root, key) as entry:
                if entry.done:  # built by another test process of this session
                    saved = self._adopt(entry, load)
                    self._restore(saved)
                else:
                    shutil.rmtree(entry.folder)  # what a failed build may have left
                    built = build()
                    db.session.commit()
                    saved = self._save(entry, None if built is None else ids(built), load)
            self.saved[key] = saved
        return None if saved.ids is None else saved.load(saved.ids)

    def scenario(self, patterns: dict | None = None) -> scenario.Scenario:
        """Return the document tests' scenario run through the engine to its decree."""
        return self.stage(
            f"scenario:{patterns!r}",
            lambda: scenario.build_with_engine(patterns=patterns),
            ids=_scenario_ids,
            load=_load_scenario,
        )

    def at(self, name: str, **options: object) -> Setup:
        """Return a new agency's selection at stage name (``BUILDERS``), built with options."""
        key = f"{name}:{sorted(options.items())!r}"
        return self.stage(key, lambda: BUILDERS[name](make_agency(), **options))

    def demo(self, through: str | None = None) -> None:
        """Load the demo agency and, with through, drive its selection to that state."""

        def build() -> None:
            demo.load()
            if through is not None:
                demo_flow.advance(through, echo=lambda *args, **kwargs: None)

        self.stage(f"demo:{through}", build)  # the key demo_folder shares on SQLite

    def _save(self, entry: shared_build.Entry, ids: Any, load: Callable[[Any], Any]) -> _Saved:
        db.session.remove()
        shutil.copytree(current_app.instance_path, entry.folder / "instance")
        (entry.folder / "ids.pickle").write_bytes(pickle.dumps(ids))
        (entry.folder / "numbers.json").write_text(json.dumps(numbers_used()))
        if self.on_postgres:
            database = pg_rows.save(db.engine, f"snap_{uuid.uuid4().hex[:16]}")
            pg_rows.dump(db.engine, database, entry.folder / "rows")
        else:
            database = str(entry.folder / "stage.db")
            db.engine.dispose()  # SQLite: nothing may hold the file while it is copied
            shutil.copyfile(db.engine.url.database, database)
        entry.finish()
        return _Saved(database, entry.folder / "instance", ids, load)

    def _adopt(self, entry: shared_build.Entry, load: Callable[[Any], Any]) -> _Saved:
        """Take a stage another test process saved in entry."""
        # Written by this session's own processes, just before (shared_build's folder).
        ids = pickle.loads((entry.folder / "ids.pickle").read_bytes())  # noqa: S301
        # Its rows took that process's e-mails, NIPs, letter numbers: this one skips them.
        skip_numbers(json.loads((entry.folder / "numbers.json").read_text()))
        if self.on_postgres:
            db.session.remove()
            schema = f"snap_{uuid.uuid4().hex[:16]}"
            database = pg_rows.load(db.engine, entry.folder / "rows", schema)
        else:
            database = str(entry.folder / "stage.db")
        return _Saved(database, entry.folder / "instance", ids, load)

    def _restore(self, saved: _Saved) -> None:
        db.session.remove()
        instance = Path(current_app.instance_path)
        shutil.rmtree(instance)
        shutil.copytree(saved.instance, instance)
        if self.on_postgres:
            pg_rows.restore(db.engine, saved.database)
            return
        db.engine.dispose()
        shutil.copyfile(saved.database, db.engine.url.database)


# A demo state built outside a test (demo_folder) starts from a copy of this earlier state's
# build, which the API tests and the screening browser tests use themselves, rather than
# from an empty database: the story up to it is told once per session.
DEMO_BUILT_FROM = {SelectionState.APPOINTMENT: SelectionState.ADMINISTRATIVE_SCREENING}


def demo_folder(root: Path, through: str) -> Path:
    """Return the session's saved demo at through (``stage.db``, ``instance/``), built once.

    For a database of its own outside any test (the browser tests serve it). It is the same
    entry ``Snapshots.demo(through)`` saves on SQLite: whichever asks first builds it, the
    other copies it. Its documents are issued with the draft renderer, as in every test not
    marked ``real_pdf``.

    :raises RuntimeError: when the entry was saved as PostgreSQL rows (no SQLite file).
    """
    through = SelectionState(through)
    # The key Snapshots.stage gives ``demo(through)`` with the draft renderer.
    with shared_build.locked(root, f"demo:{through}:draft") as entry:
        if not entry.done:
            shutil.rmtree(entry.folder)
            earlier = DEMO_BUILT_FROM.get(through)
            if earlier is None:
                (entry.folder / "instance").mkdir(parents=True)
            else:
                shutil.copytree(
                    demo_folder(root, earlier),
                    entry.folder,
                    ignore=shutil.ignore_patterns(".done"),
                )
            _advance_demo(entry.folder, through, load=earlier is None)
            (entry.folder / "ids.pickle").write_bytes(pickle.dumps(None))
            entry.finish()
        elif not (entry.folder / "stage.db").exists():
            raise RuntimeError(f"the demo at {through} was saved as PostgreSQL rows")
    return entry.folder


def _advance_demo(folder: Path, through: str, *, load: bool) -> None:
    """Drive the demo in folder's ``stage.db`` to through (first loading it, with load)."""
    app = create_app(TestConfig(f"sqlite:///{folder / 'stage.db'}", folder / "instance"))
    with app.app_context(), render.use_renderer(draft_renderer):
        if load:
            upgrade()
            demo.load()
        demo_flow.advance(through, echo=lambda *args, **kwargs: None)
        db.session.remove()
        db.engine.dispose()


def snapshots_for_session(root: Path, on_postgres: bool) -> Iterator:
    """Yield the session's Snapshots (a fixture body; the saved rows go with the database)."""
    yield Snapshots(root, on_postgres)
