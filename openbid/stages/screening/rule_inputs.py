"""What the eligibility rules are fed: a candidate's profile, a post's limits, the one-post rule.

The rules (PP 11/2017 Pasal 107 and the announcement's extras) are pure functions in
``openbid.rules.eligibility``. This module turns what an application carries into their
inputs: the profile as submitted (``profile_snapshot``) or the current one, the documents
still current, a presidential waiver on file; and the selection's parameters with the post's
minimum rank. The one rule the stage decides itself, one post per applicant, is here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from openbid.models import CandidateProfile, Position, Selection
from openbid.rules import eligibility
from openbid.rules.age_reference import as_date
from openbid.rules.eligibility import EligibilityParams, RuleResult
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.common.reference import reference_date
from openbid.workflow import definition_of

ONE_POST_RULE = "one_post"


def profile_dict(profile: CandidateProfile) -> dict[str, Any]:
    """Return a current profile in the shape of an application's ``profile_snapshot``."""
    return {
        "nip": profile.nip,
        "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
        "gender": profile.gender,
        "rank": profile.rank,
        "education": profile.education,
        "education_major": profile.education_major,
        "is_pns": profile.is_pns,
        "agency_name": profile.agency_name,
        "current_position": profile.current_position,
        "related_experience_years": profile.related_experience_years,
        "admin_years": profile.admin_years,
        "performance_ratings": list(profile.performance_ratings or []),
        "sanction_level": profile.sanction_level,
        "sanction_date": profile.sanction_date.isoformat() if profile.sanction_date else None,
        "under_disciplinary_examination": profile.under_disciplinary_examination,
        "lhkpn_lodged": profile.lhkpn_lodged,
        "own_ppk_approval": profile.own_ppk_approval,
    }


def _number(value: object) -> float:
    """Return a number of years from a snapshot value; anything unreadable counts as 0."""
    if isinstance(value, bool):
        return 0.0
    try:
        return float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return 0.0


def _flag(value: object) -> bool:
    """Return a snapshot yes/no value; only a real true (or "true"/"1") counts as yes."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "ya"}
    return value is True or value == 1


def _ratings(value: object, reference: date, years: int) -> list[str]:
    """Return the rating codes of recent years, newest first.

    A rating older than the window is not counted: in January the latest appraisal (SKP)
    may not be out yet, so the window reaches one year further back than ``years``.
    """
    items = value if isinstance(value, list) else []
    dated: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, Mapping):
            try:
                year = int(item.get("year"))
            except (TypeError, ValueError):
                continue
            if reference.year - years - 1 <= year <= reference.year:
                dated.append((year, str(item.get("rating", ""))))
        elif isinstance(item, str):  # an undated list is taken as newest first
            dated.append((reference.year - len(dated), item))
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [rating for _, rating in dated]


def rules_profile(
    profile: Mapping[str, Any],
    params: EligibilityParams,
    *,
    documents: Iterable[str],
    waiver: bool,
) -> eligibility.CandidateProfile:
    """Build the rules' view of a candidate from a profile snapshot."""
    level = str(profile.get("sanction_level") or "none").strip().lower()
    return eligibility.CandidateProfile(
        nip=str(profile.get("nip") or ""),
        education=str(profile.get("education") or ""),
        rank=str(profile.get("rank") or ""),
        is_pns=_flag(profile.get("is_pns")),
        related_experience_years=_number(profile.get("related_experience_years")),
        years_as_administrator_or_ahli_madya=_number(
            profile.get("admin_years", profile.get("years_as_administrator_or_ahli_madya"))
        ),
        performance_ratings=_ratings(
            profile.get("performance_ratings"), params.reference_date, params.rating_years
        ),
        lhkpn_lodged=_flag(profile.get("lhkpn_lodged")),
        own_ppk_approval=_flag(profile.get("own_ppk_approval")),
        disciplinary_sanction=None if level in {"", "none", "tidak_ada"} else level,
        sanction_date=as_date(profile.get("sanction_date")),
        under_disciplinary_examination=_flag(profile.get("under_disciplinary_examination")),
        # Health is decided by the health test in the competency stage, not at screening.
        healthy=None,
        presidential_waiver=waiver,
        documents=frozenset(documents),
    )


_PARAM_FIELDS = frozenset(f.name for f in dataclasses.fields(EligibilityParams)) - {
    "reference_date",
    "min_rank",
    "announcement_basis",
}


def eligibility_params(
    selection: Selection,
    position: Position,
    params: Mapping[str, Any] | None = None,
    announcement_basis: str | None = None,
) -> EligibilityParams:
    """Return the eligibility limits for one post: the selection's, with the post's min rank.

    :raises ValidationFailed: when the selection's eligibility parameters are unusable.
    """
    if params is None:
        params = definition_of(selection).params(selection.parameters)
    rules = dict(params["eligibility"])
    kwargs: dict[str, Any] = {k: v for k, v in rules.items() if k in _PARAM_FIELDS}
    for name in ("disqualifying_sanctions", "required_documents"):
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name] or ())
    kwargs["min_rank"] = position.min_rank or rules["min_rank"]
    basis = announcement_basis or rules.get("announcement_basis")
    if basis:
        kwargs["announcement_basis"] = str(basis)
    try:
        return EligibilityParams(reference_date=reference_date(selection, params), **kwargs)
    except (TypeError, ValueError) as error:
        raise ValidationFailed(
            Reason(
                "screening.bad_parameters",
                N_("The selection's eligibility parameters cannot be used: %(error)s."),
                {"error": str(error)},
            )
        ) from None


def one_post_result(others: Sequence[str], basis: str) -> RuleResult:
    """Return the one-post-per-applicant result given the candidate's other posts applied to."""
    if not others:
        return RuleResult(ONE_POST_RULE, True, None, basis)
    failure = Reason(
        "eligibility.one_post",
        N_(
            "The applicant also applied to %(posts)s in this selection; an applicant may"
            " apply to one post only."
        ),
        {"posts": ", ".join(others)},
    )
    return RuleResult(ONE_POST_RULE, False, failure, basis)
