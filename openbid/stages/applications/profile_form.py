"""Reading the candidate's profile form: every field checked, every problem by its field."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from openbid import clock
from openbid.extensions import db
from openbid.models import CandidateProfile, User
from openbid.rules.eligibility import EDUCATION_LEVELS, RANK_NAMES, SANCTION_LEVELS
from openbid.rules.nip import InvalidNip, Nip, parse_nip
from openbid.rules.reasons import N_, Reason
from openbid.stages.applications.career import admin_years, parse_history, parse_ratings
from openbid.stages.applications.form_fields import (
    ProfileErrors,
    ProfileInvalid,
    read_date,
    read_flag,
    read_text,
    required_reason,
)

_PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]+$")


def parse_profile(user: User, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a profile form; return the values to store (birth date and gender from NIP).

    ``raw`` holds the form's text values plus ``history`` and ``ratings`` as lists of dicts.

    :raises ProfileInvalid: naming each wrong field (each wrong part of the NIP separately).
    """
    errors = ProfileErrors()
    values: dict[str, Any] = {}
    values["name"] = read_text(raw, "name", errors, required=True, limit=200)
    nip = _read_nip(user, raw, errors)
    if nip is not None:
        values.update(nip=nip.raw, birth_date=nip.birth_date, gender=nip.gender)
    values["birth_place"] = read_text(raw, "birth_place", errors, required=True, limit=120)
    values["phone"] = _read_phone(raw, errors)
    values.update(_read_grade(raw, errors))
    values["agency_name"] = read_text(raw, "agency_name", errors, required=True, limit=200)
    values["current_position"] = read_text(
        raw, "current_position", errors, required=True, limit=200
    )
    values["current_position_since"] = _read_position_since(raw, nip, errors)
    values["related_experience_years"] = _read_experience(raw, errors)
    values["position_history"] = parse_history(list(raw.get("history") or []), errors)
    values["performance_ratings"] = parse_ratings(list(raw.get("ratings") or []), errors)
    values.update(_read_discipline(raw, errors))
    if errors.by_field:
        raise ProfileInvalid(errors)
    values["admin_years"] = admin_years(values["position_history"], clock.today_jakarta())
    return values


def _read_nip(user: User, raw: Mapping[str, Any], errors: ProfileErrors) -> Nip | None:
    """Return the parsed NIP unless it is missing, wrong, or another account's."""
    nip_text = str(raw.get("nip") or "").strip()
    nip = None
    if not nip_text:
        errors.add("nip", required_reason("nip"))
    else:
        try:
            nip = parse_nip(nip_text)
        except InvalidNip as error:
            for reason in error.reasons:
                errors.add("nip", reason)
    if nip is not None:
        taken = db.session.scalar(
            sa.select(CandidateProfile.id).where(
                CandidateProfile.nip == nip.raw, CandidateProfile.user_id != user.id
            )
        )
        if taken is not None:
            errors.add(
                "nip",
                Reason(
                    "profile.nip_taken",
                    N_(
                        "This NIP is already registered with another account. One person has "
                        "one account; if it is yours, reset that account's password."
                    ),
                ),
            )
    return nip


def _read_phone(raw: Mapping[str, Any], errors: ProfileErrors) -> str:
    phone = read_text(raw, "phone", errors, required=True, limit=40)
    digits = sum(c.isdigit() for c in phone)
    if phone and (not _PHONE_RE.match(phone) or not 8 <= digits <= 15):
        errors.add(
            "phone",
            Reason(
                "profile.phone",
                N_("Enter a phone number of 8 to 15 digits, e.g. 0812 3456 7890."),
            ),
        )
    return phone


def _read_grade(raw: Mapping[str, Any], errors: ProfileErrors) -> dict[str, Any]:
    """Return the rank, the education and whether the candidate is a civil servant (PNS)."""
    rank = str(raw.get("rank") or "")
    if rank not in RANK_NAMES:
        errors.add("rank", Reason("profile.rank", N_("Choose your rank (golongan) from the list.")))
    education = str(raw.get("education") or "")
    if education not in EDUCATION_LEVELS:
        errors.add(
            "education",
            Reason("profile.education", N_("Choose your education level from the list.")),
        )
    return {
        "rank": rank,
        "education": education,
        "education_major": read_text(raw, "education_major", errors, required=False, limit=200),
        "is_pns": read_flag(raw, "is_pns"),
    }


def _read_position_since(
    raw: Mapping[str, Any], nip: Nip | None, errors: ProfileErrors
) -> date | None:
    """Return since when the candidate holds the current post (not before the CPNS start)."""
    since = read_date(
        raw.get("current_position_since"), "current_position_since", errors, required=True
    )
    if since and nip is not None and since < nip.cpns_start:
        errors.add(
            "current_position_since",
            Reason(
                "profile.since_before_cpns",
                N_(
                    "The current position cannot start before the CPNS start in the NIP "
                    "(%(start)s)."
                ),
                {"start": nip.cpns_start.strftime("%Y-%m")},
            ),
        )
    return since


def _read_experience(raw: Mapping[str, Any], errors: ProfileErrors) -> float:
    """Return the years of related experience, to a tenth (0 when unreadable)."""
    years_text = str(raw.get("related_experience_years") or "").strip().replace(",", ".")
    try:
        years = float(years_text)
        if not math.isfinite(years) or not 0 <= years <= 50:
            raise ValueError
    except ValueError:
        errors.add(
            "related_experience_years",
            Reason(
                "profile.experience",
                N_("Enter the years of related experience as a number from 0 to 50, e.g. 7.5."),
            ),
        )
        years = 0.0
    return round(years, 1)


def _read_discipline(raw: Mapping[str, Any], errors: ProfileErrors) -> dict[str, Any]:
    """Return the disciplinary sanction (with its date) and the integrity declarations."""
    level = str(raw.get("sanction_level") or "none")
    if level != "none" and level not in SANCTION_LEVELS:
        errors.add(
            "sanction_level",
            Reason("profile.sanction", N_("Choose the disciplinary status from the list.")),
        )
    sanction_date = None
    if level != "none":
        sanction_date = read_date(raw.get("sanction_date"), "sanction_date", errors, required=True)
    return {
        "sanction_level": level,
        "sanction_date": sanction_date,
        "under_disciplinary_examination": read_flag(raw, "under_disciplinary_examination"),
        "lhkpn_lodged": read_flag(raw, "lhkpn_lodged"),
        "own_ppk_approval": read_flag(raw, "own_ppk_approval"),
    }
