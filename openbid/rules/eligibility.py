"""Candidate eligibility for a JPT Pratama post.

The law is PP 11/2017 Pasal 107 as amended by PP 17/2020: education, related experience,
time as Administrator or Ahli Madya, age and health (competence and track record are
assessed later, in the selection itself). Its requirements may be waived only with the
President's prior approval (Pasal 107(2)). Announcements usually add more (PNS status,
rank, performance, LHKPN, own PPK's approval, discipline, documents); each extra can be
turned off in `EligibilityParams`.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from openbid.rules.civil_service import (
    EDUCATION_LEVELS,
    PERFORMANCE_RATINGS,
    RANK_NAMES,
    RATING_ORDER,
    REQUIRED_DOCUMENTS,
    SANCTION_LEVELS,
    DocumentType,
    InvalidRank,
    education_at_least,
    education_code,
    normalize_rank,
    rank_at_least,
    rank_name,
)
from openbid.rules.nip import InvalidNip, Nip, age_on, parse_nip
from openbid.rules.reasons import N_, Reason

# The codes live in openbid.rules.civil_service; callers still find them here.
__all__ = [
    "EDUCATION_LEVELS",
    "PERFORMANCE_RATINGS",
    "RANK_NAMES",
    "REQUIRED_DOCUMENTS",
    "SANCTION_LEVELS",
    "CandidateProfile",
    "DocumentType",
    "EligibilityParams",
    "InvalidRank",
    "RuleResult",
    "education_at_least",
    "evaluate",
    "is_eligible",
    "normalize_rank",
    "rank_at_least",
    "rank_name",
]

# --- Legal bases ----------------------------------------------------------------------

NIP_BASIS = "Perka BKN 22/2007"
_PASAL_107 = "PP 11/2017 Pasal 107(1)(c)(%d), as amended by PP 17/2020"
EDUCATION_BASIS = _PASAL_107 % 1
RELATED_EXPERIENCE_BASIS = _PASAL_107 % 3
ADMINISTRATOR_BASIS = _PASAL_107 % 4
AGE_BASIS = _PASAL_107 % 6
HEALTH_BASIS = _PASAL_107 % 7
WAIVER_BASIS = "PP 11/2017 Pasal 107(2), as amended by PP 17/2020"

# Rules the President's approval can waive: the Pasal 107 requirements, not the extras.
WAIVABLE_RULES = frozenset(
    {"education", "related_experience", "administrator_years", "age", "health"}
)


@dataclass(frozen=True)
class CandidateProfile:
    """What the eligibility rules know about one applicant."""

    nip: str
    education: str  # a key of EDUCATION_LEVELS
    rank: str  # golongan ruang, e.g. "IV/b"
    is_pns: bool
    related_experience_years: float
    years_as_administrator_or_ahli_madya: float
    performance_ratings: Sequence[str]  # PERFORMANCE_RATINGS codes, most recent year first
    lhkpn_lodged: bool
    own_ppk_approval: bool
    disciplinary_sanction: str | None = None  # a SANCTION_LEVELS code, None if none
    sanction_date: date | None = None  # when the sanction was imposed
    under_disciplinary_examination: bool = False
    healthy: bool | None = None  # None: not assessed yet
    presidential_waiver: bool = False  # Pasal 107(2) approval on file
    documents: Collection[str] = frozenset()  # codes of uploaded documents


@dataclass(frozen=True)
class EligibilityParams:
    """Limits and switches for one selection's eligibility rules."""

    reference_date: date  # the date age is computed at, e.g. registration close
    max_age: int = 56
    min_education: str = "S1"
    min_related_years: float = 5
    min_admin_years: float = 2
    require_pns: bool = True
    require_rank: bool = True
    min_rank: str = "IV/b"
    require_performance: bool = True
    required_rating: str = "baik"
    rating_years: int = 2
    require_lhkpn: bool = True
    require_own_ppk_approval: bool = True
    require_clean_discipline: bool = True
    sanction_lookback_years: int = 2
    disqualifying_sanctions: tuple[str, ...] = ("sedang", "berat")
    required_documents: tuple[str, ...] = tuple(REQUIRED_DOCUMENTS)
    # Cited for the announcement's extra requirements, e.g. the announcement's number.
    announcement_basis: str = "Selection announcement"
    min_cpns_age: int = 18

    def __post_init__(self) -> None:
        """Normalise the codes and reject unknown ones.

        :raises ValueError: naming the unknown code; a bad configuration fails when the
            selection is set up, not when the first applicant is screened.
        """
        object.__setattr__(self, "min_education", education_code(self.min_education))
        object.__setattr__(self, "min_rank", normalize_rank(self.min_rank))
        if self.required_rating not in PERFORMANCE_RATINGS:
            raise ValueError(f"unknown performance rating {self.required_rating!r}")
        for code in self.disqualifying_sanctions:
            if code not in SANCTION_LEVELS:
                raise ValueError(f"unknown disciplinary sanction level {code!r}")
        for code in self.required_documents:
            if code not in REQUIRED_DOCUMENTS:
                raise ValueError(f"unknown document code {code!r}")


@dataclass(frozen=True)
class RuleResult:
    """The verdict of one eligibility rule for one applicant."""

    rule: str
    passed: bool
    reason: Reason | None  # why it failed; for a pass, a note (a waiver, a pending test)
    legal_basis: str
    waived_failure: Reason | None = None  # the failure a presidential waiver overrode
    # Not yet checked: the rule does not block now (a later test decides it), but it is not
    # met either; pages show it as a third outcome, never as "met".
    pending: bool = False

    @property
    def outcome(self) -> str:
        """Return "met", "not_met" or "unchecked" (a pending rule that does not block yet)."""
        if not self.passed:
            return "not_met"
        return "unchecked" if self.pending else "met"


def is_eligible(results: Sequence[RuleResult]) -> bool:
    """Return True if every rule passed."""
    return all(result.passed for result in results)


def evaluate(profile: CandidateProfile, params: EligibilityParams) -> list[RuleResult]:
    """Check an applicant against every eligibility rule; one result per rule.

    An invalid NIP gives one failed "nip" result per wrong part, and each required
    document its own "document.<code>" result.
    """
    nip_results, nip = _nip_rule(profile, params)
    results = [
        *nip_results,
        _age_rule(nip, params),
        _education_rule(profile, params),
    ]
    if params.require_rank:
        results.append(_rank_rule(profile, params))
    if params.require_pns:
        results.append(_pns_rule(profile, params))
    results += [
        _related_experience_rule(profile, params),
        _administrator_rule(profile, params),
    ]
    if params.require_performance:
        results.append(_performance_rule(profile, params))
    if params.require_lhkpn:
        results.append(_lhkpn_rule(profile, params))
    if params.require_own_ppk_approval:
        results.append(_own_ppk_approval_rule(profile, params))
    if params.require_clean_discipline:
        results += [_sanction_rule(profile, params), _examination_rule(profile, params)]
    results.append(_health_rule(profile))
    results += _document_rules(profile, params)
    if profile.presidential_waiver:
        results = [_apply_waiver(result) for result in results]
    return results


def _simple_rule(rule: str, passed: bool, failure: Reason, legal_basis: str) -> RuleResult:
    """Return a result that carries `failure` only when the rule did not pass."""
    return RuleResult(rule, passed, None if passed else failure, legal_basis)


def _pns_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check that the applicant is a civil servant (PNS)."""
    return _simple_rule(
        "pns",
        profile.is_pns,
        Reason("eligibility.pns", N_("The applicant is not a civil servant (PNS).")),
        params.announcement_basis,
    )


def _lhkpn_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check that the wealth report (LHKPN/LHKASN) was lodged."""
    return _simple_rule(
        "lhkpn",
        profile.lhkpn_lodged,
        Reason(
            "eligibility.lhkpn",
            N_("The wealth report (LHKPN/LHKASN) has not been lodged."),
        ),
        params.announcement_basis,
    )


def _own_ppk_approval_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check that the applicant's own PPK approved the application."""
    return _simple_rule(
        "own_ppk_approval",
        profile.own_ppk_approval,
        Reason(
            "eligibility.own_ppk_approval",
            N_("There is no approval from the applicant's own PPK."),
        ),
        params.announcement_basis,
    )


def _examination_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check that the applicant is not under disciplinary examination."""
    return _simple_rule(
        "disciplinary_examination",
        not profile.under_disciplinary_examination,
        Reason(
            "eligibility.disciplinary_examination",
            N_("The applicant is under disciplinary examination."),
        ),
        params.announcement_basis,
    )


def _nip_rule(
    profile: CandidateProfile, params: EligibilityParams
) -> tuple[list[RuleResult], Nip | None]:
    """Return the NIP results (one per wrong part) and the parsed NIP if it is valid."""
    try:
        nip = parse_nip(profile.nip, min_cpns_age=params.min_cpns_age)
    except InvalidNip as error:
        return [RuleResult("nip", False, reason, NIP_BASIS) for reason in error.reasons], None
    return [RuleResult("nip", True, None, NIP_BASIS)], nip


def _age_rule(nip: Nip | None, params: EligibilityParams) -> RuleResult:
    """Check the age computed from the NIP's birth date at the reference date."""
    ref = params.reference_date
    if nip is None:
        failure = Reason(
            "eligibility.age_unknown",
            N_("The age cannot be computed because the NIP is not valid."),
        )
        return RuleResult("age", False, failure, AGE_BASIS)
    if nip.birth_date > ref:
        failure = Reason(
            "eligibility.birth_after_reference",
            N_("The birth date %(birth_date)s in the NIP is after the reference date %(date)s."),
            {"birth_date": nip.birth_date, "date": ref},
        )
        return RuleResult("age", False, failure, AGE_BASIS)
    age = age_on(nip.birth_date, ref)
    failure = Reason(
        "eligibility.age",
        N_("Age at %(date)s is %(age)d years; the maximum is %(max_age)d."),
        {"date": ref, "age": age, "max_age": params.max_age},
    )
    return _simple_rule("age", age <= params.max_age, failure, AGE_BASIS)


def _education_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check the education level against the minimum (S1/D4 by default)."""
    try:
        passed = education_at_least(profile.education, params.min_education)
    except ValueError:
        failure = Reason(
            "eligibility.education_unknown",
            N_("%(education)s is not a known education level."),
            {"education": profile.education},
        )
        return RuleResult("education", False, failure, EDUCATION_BASIS)
    failure = Reason(
        "eligibility.education",
        N_("Education level %(education)s is below the minimum, %(minimum)s or equivalent."),
        {"education": profile.education, "minimum": params.min_education},
    )
    return _simple_rule("education", passed, failure, EDUCATION_BASIS)


def _rank_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check the rank (golongan ruang) against the minimum (IV/b by default)."""
    try:
        rank = normalize_rank(profile.rank)
    except InvalidRank as error:
        return RuleResult("rank", False, error.reason, params.announcement_basis)
    minimum = params.min_rank
    failure = Reason(
        "eligibility.rank",
        N_("Rank %(rank)s (%(rank_name)s) is below the minimum, %(minimum)s (%(minimum_name)s)."),
        {
            "rank": rank,
            "rank_name": RANK_NAMES[rank],
            "minimum": minimum,
            "minimum_name": RANK_NAMES[minimum],
        },
    )
    return _simple_rule("rank", rank_at_least(rank, minimum), failure, params.announcement_basis)


def _related_experience_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check the years of experience related to the post."""
    years = profile.related_experience_years
    failure = Reason(
        "eligibility.related_experience",
        N_("Related experience is %(years)s years; the minimum is %(minimum)s."),
        {"years": _years(years), "minimum": _years(params.min_related_years)},
    )
    return _simple_rule(
        "related_experience",
        years >= params.min_related_years,
        failure,
        RELATED_EXPERIENCE_BASIS,
    )


def _administrator_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check the years as Administrator or functional Ahli Madya."""
    years = profile.years_as_administrator_or_ahli_madya
    failure = Reason(
        "eligibility.administrator_years",
        N_("Time as Administrator or Ahli Madya is %(years)s years; the minimum is %(minimum)s."),
        {"years": _years(years), "minimum": _years(params.min_admin_years)},
    )
    return _simple_rule(
        "administrator_years",
        years >= params.min_admin_years,
        failure,
        ADMINISTRATOR_BASIS,
    )


def _performance_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check that each of the last `rating_years` ratings reaches the required one."""
    basis = params.announcement_basis
    recent = list(profile.performance_ratings[: params.rating_years])
    unknown = [rating for rating in recent if rating not in PERFORMANCE_RATINGS]
    if unknown:
        failure = Reason(
            "eligibility.performance_unknown",
            N_("%(rating)s is not a known performance rating."),
            {"rating": unknown[0]},
        )
        return RuleResult("performance", False, failure, basis)
    if len(recent) < params.rating_years:
        failure = Reason(
            "eligibility.performance_missing",
            N_("Performance ratings are given for %(count)d of the last %(years)d years."),
            {"count": len(recent), "years": params.rating_years},
        )
        return RuleResult("performance", False, failure, basis)
    lowest = min(recent, key=RATING_ORDER.__getitem__, default=params.required_rating)
    failure = Reason(
        "eligibility.performance",
        N_(
            "The performance ratings of the last %(years)d years include %(rating)s;"
            " each must be at least %(required)s."
        ),
        {
            "years": params.rating_years,
            "rating": PERFORMANCE_RATINGS[lowest],
            "required": PERFORMANCE_RATINGS[params.required_rating],
        },
    )
    passed = RATING_ORDER[lowest] >= RATING_ORDER[params.required_rating]
    return _simple_rule("performance", passed, failure, basis)


def _sanction_rule(profile: CandidateProfile, params: EligibilityParams) -> RuleResult:
    """Check for a moderate or heavy sanction within the lookback period."""
    basis = params.announcement_basis
    level = profile.disciplinary_sanction
    if level is None:
        return RuleResult("disciplinary_sanction", True, None, basis)
    if level not in SANCTION_LEVELS:
        failure = Reason(
            "eligibility.sanction_unknown",
            N_("%(sanction)s is not a known disciplinary sanction level."),
            {"sanction": level},
        )
        return RuleResult("disciplinary_sanction", False, failure, basis)
    if level not in params.disqualifying_sanctions:
        return RuleResult("disciplinary_sanction", True, None, basis)
    if profile.sanction_date is None:
        failure = Reason(
            "eligibility.disciplinary_sanction_undated",
            N_(
                "A %(level)s disciplinary sanction is recorded without a date, so it"
                " cannot be shown to be older than %(years)d years."
            ),
            {"level": SANCTION_LEVELS[level], "years": params.sanction_lookback_years},
        )
        return RuleResult("disciplinary_sanction", False, failure, basis)
    window_start = _years_before(params.reference_date, params.sanction_lookback_years)
    failure = Reason(
        "eligibility.disciplinary_sanction",
        N_(
            "A %(level)s disciplinary sanction was imposed on %(date)s, within the last"
            " %(years)d years."
        ),
        {
            "level": SANCTION_LEVELS[level],
            "date": profile.sanction_date,
            "years": params.sanction_lookback_years,
        },
    )
    # "Within the last 2 years": a sanction imposed exactly 2 years before is outside.
    return _simple_rule(
        "disciplinary_sanction", profile.sanction_date <= window_start, failure, basis
    )


def _health_rule(profile: CandidateProfile) -> RuleResult:
    """Check physical and mental health; not yet assessed passes with a note."""
    if profile.healthy is None:
        note = Reason(
            "eligibility.health_pending",
            N_("Health has not been assessed yet; the health test decides it later."),
        )
        return RuleResult("health", True, note, HEALTH_BASIS, pending=True)
    failure = Reason(
        "eligibility.health",
        N_("The applicant was found not physically and mentally healthy."),
    )
    return _simple_rule("health", profile.healthy, failure, HEALTH_BASIS)


def _document_rules(profile: CandidateProfile, params: EligibilityParams) -> list[RuleResult]:
    """Return one result per required document: passed when it was uploaded."""
    return [
        _simple_rule(
            f"document.{code}",
            code in profile.documents,
            Reason(
                "eligibility.document_missing",
                N_("Missing document: %(document)s."),
                {"document": REQUIRED_DOCUMENTS[code].label, "code": code},
            ),
            params.announcement_basis,
        )
        for code in params.required_documents
    ]


def _apply_waiver(result: RuleResult) -> RuleResult:
    """Turn a failed Pasal 107 result into a pass that records the waived failure."""
    if result.passed or result.rule not in WAIVABLE_RULES:
        return result
    note = Reason(
        "eligibility.waived",
        N_("Waived with the President's prior approval (PP 11/2017 Pasal 107(2))."),
    )
    return RuleResult(
        result.rule, True, note, f"{result.legal_basis}; {WAIVER_BASIS}", result.reason
    )


def _years(value: float) -> str:
    """Return a number of years for messages: '4.5', '5'."""
    return f"{value:.1f}".removesuffix(".0")


def _years_before(d: date, years: int) -> date:
    """Return the same day `years` earlier; 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)
