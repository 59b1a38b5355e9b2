"""The bench's data: a migrated app, applications cloned from a stage snapshot, API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench.serving import app_config
from openbid.app import create_app
from openbid.extensions import db


@contextmanager
def built_app(url: str, folder: Path) -> Iterator[Flask]:
    """Yield the app (migrated database) inside its app context."""
    from flask_migrate import upgrade

    import tests.conftest  # noqa: F401 - the tests' cheaper scrypt for the many accounts

    app = create_app(app_config(url, folder))
    with app.app_context():
        upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _copy(row: Any, **changes: Any) -> dict[str, Any]:
    mapper = sa.inspect(type(row))
    values = {c.key: getattr(row, c.key) for c in mapper.column_attrs if c.key != "id"}
    return {**values, **changes}


def clone_applications(setup: Any, total: int, state: str = "submitted") -> list[int]:
    """Add copies of the setup's first application (new candidates) up to total; return ids."""
    from openbid.models import Application, ApplicationDocument, CandidateProfile, User

    template = setup.applications[0]
    profile = db.session.scalar(
        sa.select(CandidateProfile).where(CandidateProfile.user_id == template.candidate_id)
    )
    documents = db.session.scalars(
        sa.select(ApplicationDocument).where(ApplicationDocument.application_id == template.id)
    ).all()
    positions = [p.id for p in setup.selection.positions]
    ids = [a.id for a in setup.applications]
    for n in range(len(ids), total):
        user = User(**_copy(template.candidate, email=f"clone{n}@bench.invalid", name=f"Klon {n}"))
        db.session.add(user)
        db.session.flush()
        birth = date(1970, 1, 1) + timedelta(days=n // 900)
        nip = f"{birth:%Y%m%d}199503{1}{n % 900 + 1:03d}"
        db.session.add(CandidateProfile(**_copy(profile, user_id=user.id, nip=nip)))
        snapshot = {**(template.profile_snapshot or {}), "nip": nip, "name": user.name}
        application = Application(
            **_copy(
                template,
                candidate_id=user.id,
                position_id=positions[n % len(positions)],
                state=state,
                version=1,
                profile_snapshot=snapshot,
            )
        )
        db.session.add(application)
        db.session.flush()
        for doc in documents:
            db.session.add(ApplicationDocument(**_copy(doc, application_id=application.id)))
        ids.append(application.id)
    db.session.commit()
    return ids


def token_for(user: Any) -> str:
    from openbid.stages.accounts.api_tokens import issue_token

    secret, _row = issue_token(user)
    db.session.commit()
    return secret
