"""Oversight bodies and their reviewers: created by the command line (``flask oversight``)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from openbid import audit
from openbid.documents import numbering
from openbid.extensions import db
from openbid.models import OversightBody, Role, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.documents import ensure_oversight_signing


def _body_reasons(code: str, name: str, pattern: str) -> list[Reason]:
    reasons = []
    if not code.strip() or not name.strip():
        reasons.append(Reason("oversight.body_name", N_("Give the body's code and name.")))
    try:
        numbering.validate_pattern(pattern)
    except ValueError as error:
        reasons.append(
            Reason(
                "oversight.body_pattern",
                N_("The numbering pattern cannot be used: %(problem)s"),
                {"problem": str(error)},
            )
        )
    if db.session.scalar(sa.select(OversightBody.id).where(OversightBody.code == code)):
        reasons.append(
            Reason("oversight.body_exists", N_("There is already a body %(code)s."), {"code": code})
        )
    return reasons


def create_body(
    *,
    code: str,
    name: str,
    numbering_pattern: str,
    provinces: Sequence[str] = (),
    agency_ids: Sequence[int] = (),
    seat: str = "Jakarta",
    address: str = "",
    head_title: str = "",
    head_name: str = "",
    service_level_days: int = 10,
    commit: bool = True,
) -> OversightBody:
    """Create an oversight body with its demo signing key; audit; commit.

    :raises ValidationFailed: for a missing name, an unusable pattern or a taken code.
    """
    code = code.strip().upper()
    reasons = _body_reasons(code, name, numbering_pattern)
    if reasons:
        raise ValidationFailed(reasons)
    body = OversightBody(
        code=code,
        name=name.strip(),
        numbering_pattern=numbering_pattern,
        provinces=list(provinces),
        agency_ids=list(agency_ids),
        seat=seat,
        address=address,
        head_title=head_title,
        head_name=head_name,
        service_level_days=service_level_days,
    )
    db.session.add(body)
    db.session.flush()
    ensure_oversight_signing(code, name.strip(), name.strip())
    audit.append(
        db.session,
        event="oversight_body_created",
        actor=None,
        subject_type="oversight_body",
        subject_id=body.id,
        payload={"code": code, "provinces": list(provinces), "agency_ids": list(agency_ids)},
    )
    if commit:
        db.session.commit()
    return body


def create_reviewer(
    body: OversightBody,
    *,
    email: str,
    name: str,
    password: str,
    title: str = "",
    admin: bool = False,
    commit: bool = True,
) -> User:
    """Create a reviewer account (role ``oversight``) of body; audit; commit.

    ``admin`` makes it the body's administrator, who manages its reviewers (admin/body).
    """
    user = User(
        email=email.lower(),
        name=name.strip(),
        role=Role.OVERSIGHT,
        oversight_body=body,
        position_title=title,
        body_admin=admin,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.append(
        db.session,
        event="user_created",
        actor=None,
        subject_type="user",
        subject_id=user.id,
        payload={
            "email": user.email,
            "role": Role.OVERSIGHT.value,
            "body": body.code,
            "body_admin": admin,
        },
    )
    if commit:
        db.session.commit()
    return user


def set_scope(
    body: OversightBody,
    *,
    provinces: Sequence[str],
    agency_ids: Sequence[int],
    service_level_days: int | None = None,
) -> OversightBody:
    """Replace the body's scope (the platform operator's, by command line); audit; commit.

    :raises ValidationFailed: for a scope with nothing in it or a service level below 1.
    """
    provinces = sorted({p.strip() for p in provinces if p.strip()})
    if not provinces and not agency_ids:
        raise ValidationFailed(
            [Reason("oversight.scope_empty", N_("Give at least one province or agency."))]
        )
    if service_level_days is not None and service_level_days < 1:
        raise ValidationFailed(
            [Reason("oversight.service_level", N_("The service level is at least 1 working day."))]
        )
    before = {"provinces": list(body.provinces or []), "agency_ids": list(body.agency_ids or [])}
    body.provinces, body.agency_ids = provinces, sorted(set(agency_ids))
    if service_level_days is not None:
        body.service_level_days = service_level_days
    audit.append(
        db.session,
        event="oversight_body_scope_changed",
        actor=None,
        subject_type="oversight_body",
        subject_id=body.id,
        payload={
            "before": before,
            "provinces": body.provinces,
            "agency_ids": body.agency_ids,
            "service_level_days": body.service_level_days,
        },
    )
    db.session.commit()
    return body
