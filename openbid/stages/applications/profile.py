"""The candidate's profile: stored once per candidate, copied into each submitted application."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import CandidateProfile, Role, User
from openbid.rules.eligibility import RANK_NAMES
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.applications.career import RATING_YEARS
from openbid.stages.applications.form_fields import FIELD_LABELS
from openbid.stages.applications.profile_form import parse_profile

REQUIRED_PROFILE_FIELDS = (
    "nip",
    "birth_place",
    "phone",
    "rank",
    "education",
    "agency_name",
    "current_position",
    "current_position_since",
)

_AUDITED_FIELDS = (
    "nip",
    "birth_date",
    "gender",
    "birth_place",
    "phone",
    "rank",
    "education",
    "education_major",
    "is_pns",
    "agency_name",
    "current_position",
    "current_position_since",
    "related_experience_years",
    "admin_years",
    "position_history",
    "performance_ratings",
    "sanction_level",
    "sanction_date",
    "under_disciplinary_examination",
    "lhkpn_lodged",
    "own_ppk_approval",
)


def get_profile(user: User) -> CandidateProfile | None:
    """Return the candidate's profile, if they have saved one."""
    return db.session.scalar(sa.select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def save_profile(user: User, raw: Mapping[str, Any]) -> CandidateProfile:
    """Validate and store the candidate's profile; audit what changed (system chain).

    :raises ProfileInvalid: naming each wrong field; nothing is written.
    :raises ValidationFailed: when the user is not a candidate.
    """
    if user.role != Role.CANDIDATE:
        raise ValidationFailed(
            Reason("profile.role", N_("Only candidates have a candidate profile."))
        )
    values = parse_profile(user, raw)
    profile = get_profile(user)
    created = profile is None
    if profile is None:
        profile = CandidateProfile(user_id=user.id)
        db.session.add(profile)
    changes: dict[str, Any] = {}
    if user.name != values["name"]:
        changes["name"] = {"from": user.name, "to": values["name"]}
        user.name = values["name"]
    for name in _AUDITED_FIELDS:
        old = None if created else getattr(profile, name)
        new = values[name]
        if old != new:
            changes[name] = {"from": old, "to": new}
            setattr(profile, name, new)
    db.session.flush()
    if changes:
        audit.append(
            db.session,
            event="candidate_profile_saved",
            actor=user,
            subject_type="candidate_profile",
            subject_id=profile.id,
            payload={"user_id": user.id, "created": created, "changes": changes},
        )
    db.session.commit()
    return profile


def missing_profile_fields(
    profile: CandidateProfile | None, rating_years: int = RATING_YEARS
) -> list[str]:
    """Return the English labels of the profile fields still missing for an application."""
    if profile is None:
        return [FIELD_LABELS[n] for n in (*REQUIRED_PROFILE_FIELDS, "ratings")]
    missing = [FIELD_LABELS[n] for n in REQUIRED_PROFILE_FIELDS if not getattr(profile, n)]
    if len(profile.performance_ratings or []) < rating_years:
        missing.append(FIELD_LABELS["ratings"])
    return missing


def profile_snapshot(profile: CandidateProfile, user: User) -> dict[str, Any]:
    """Return the profile as JSON, in the shape screening reads, with name and email added."""
    snapshot: dict[str, Any] = {"name": user.name, "email": user.email}
    for name in _AUDITED_FIELDS:
        value = getattr(profile, name)
        snapshot[name] = value.isoformat() if isinstance(value, date) else value
    snapshot["rank_name"] = RANK_NAMES.get(profile.rank, "")
    return snapshot
