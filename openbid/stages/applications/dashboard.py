"""The candidate's home: what is missing before applying, and each application's status."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from openbid.extensions import db
from openbid.models import Application, CandidateProfile, Position, Selection, User
from openbid.stages.applications.profile import get_profile, missing_profile_fields
from openbid.stages.applications.registration import open_selections
from openbid.stages.applications.timeline import Timeline, timelines


def own_applications(candidate: User) -> list[Application]:
    """Return the candidate's applications with their posts and selections, newest first."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.candidate_id == candidate.id)
            .options(
                joinedload(Application.position)
                .joinedload(Position.selection)
                .joinedload(Selection.agency)
            )
            .order_by(Application.id.desc())
        )
    )


@dataclass(frozen=True)
class Dashboard:
    """The candidate's home: what is missing before applying, and each application's status."""

    profile: CandidateProfile | None
    missing_profile: list[str]
    email_confirmed: bool
    applications: list[Application]
    timelines: dict[int, Timeline]
    open_count: int


def dashboard(candidate: User) -> Dashboard:
    """Return what the candidate's home page shows."""
    profile = get_profile(candidate)
    applications = own_applications(candidate)
    return Dashboard(
        profile=profile,
        missing_profile=missing_profile_fields(profile),
        email_confirmed=candidate.email_confirmed_at is not None,
        applications=applications,
        timelines=timelines(applications),
        open_count=len(open_selections()),
    )
