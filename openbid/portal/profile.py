"""The candidate's profile page: what the eligibility rules will read."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid import clock
from openbid.models import CandidateProfile
from openbid.portal.blueprint import bp
from openbid.rules.eligibility import (
    EDUCATION_LEVELS,
    PERFORMANCE_RATINGS,
    RANK_NAMES,
    SANCTION_LEVELS,
)
from openbid.rules.nip import InvalidNip, parse_nip
from openbid.stages import applications as portal

SCALAR_FIELDS = (
    "name",
    "nip",
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
    "sanction_level",
    "sanction_date",
    "under_disciplinary_examination",
    "lhkpn_lodged",
    "own_ppk_approval",
)
BLANK_HISTORY_ROWS = 2


def _form_values() -> dict[str, Any]:
    """Read the posted form into the shape services.portal.save_profile takes."""
    form = request.form
    raw: dict[str, Any] = {name: form.get(name, "") for name in SCALAR_FIELDS}
    try:
        rows = min(int(form.get("history_rows", "0")), portal.MAX_HISTORY_ROWS + 5)
    except ValueError:
        rows = 0
    raw["history"] = [
        {key: form.get(f"history-{i}-{key}", "") for key in ("position", "level", "start", "end")}
        for i in range(max(rows, 0))
    ]
    raw["ratings"] = [
        {key: form.get(f"ratings-{i}-{key}", "") for key in ("year", "rating")}
        for i in range(portal.RATING_YEARS)
    ]
    return raw


def _stored_values(profile: CandidateProfile | None) -> dict[str, Any]:
    """Return the form's initial values from the stored profile (or sensible blanks)."""
    this_year = clock.today_jakarta().year
    raw: dict[str, Any] = dict.fromkeys(SCALAR_FIELDS, "")
    raw.update(name=current_user.name, is_pns="1", sanction_level="none")
    raw["history"] = []
    raw["ratings"] = [{"year": str(this_year - n), "rating": ""} for n in (1, 2)]
    if profile is None:
        return raw
    for name in SCALAR_FIELDS:
        if hasattr(profile, name):
            value = getattr(profile, name)
            if isinstance(value, bool):
                value = "1" if value else ""
            raw[name] = "" if value is None else str(value)
    raw["history"] = [
        {k: row.get(k) or "" for k in ("position", "level", "start", "end")}
        for row in profile.position_history or []
    ]
    ratings = [
        {"year": str(item.get("year", "")), "rating": item.get("rating", "")}
        for item in (profile.performance_ratings or [])[: portal.RATING_YEARS]
    ]
    raw["ratings"] = ratings + raw["ratings"][len(ratings) :]
    return raw


def _nip_preview(text: str) -> Any:
    try:
        return parse_nip(text) if text else None
    except InvalidNip:
        return None


def _render(raw: dict[str, Any], errors: dict | None = None, status: int = 200, extra: int = 0):
    history = list(raw["history"])
    filled = [r for r in history if any(str(v).strip() for v in r.values())]
    history = filled + [{"position": "", "level": "", "start": "", "end": ""}] * (
        BLANK_HISTORY_ROWS + extra
    )
    profile = portal.get_profile(current_user)
    return (
        render_template(
            "portal/profile.html",
            raw=raw,
            history=history,
            errors=errors or {},
            profile=profile,
            nip=_nip_preview(str(raw.get("nip") or "").replace(" ", "")),
            ranks=RANK_NAMES,
            education_levels=list(EDUCATION_LEVELS),
            ratings=PERFORMANCE_RATINGS,
            sanctions=SANCTION_LEVELS,
            history_levels=portal.HISTORY_LEVELS,
            missing=portal.missing_profile_fields(profile),
            today=clock.today_jakarta(),
        ),
        status,
    )


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """Show and save the candidate's profile."""
    if request.method == "GET":
        return _render(_stored_values(portal.get_profile(current_user)))
    raw = _form_values()
    if request.form.get("add_row"):
        # "Add a row" without JavaScript: show the same values with one more blank row.
        return _render(raw, extra=1)
    try:
        portal.save_profile(current_user, raw)
    except portal.ProfileInvalid as error:
        return _render(raw, error.by_field, 422)
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("portal.profile"), 303)
