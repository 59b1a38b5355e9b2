"""Administrative screening: evaluate each application's eligibility, record the verdicts.

The rules (PP 11/2017 Pasal 107 and the announcement's extras) are pure functions in
``openbid.rules.eligibility``; this module feeds them what an application carries: the
profile as submitted (``profile_snapshot``), the documents still current, the selection's
parameters and the post's minimum rank, a presidential waiver on file, and the candidate's
other applications in the same selection (one post per applicant). The committee's verdict
then moves the application through the workflow engine.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from openbid import clock
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    Approval,
    CandidateProfile,
    IssuedDocument,
    Position,
    ScreeningVerdict,
    Selection,
    User,
)
from openbid.rules import eligibility
from openbid.rules.eligibility import EligibilityParams, RuleResult
from openbid.rules.nip import InvalidNip, parse_nip
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed
from openbid.workflow import FireResult, definition_of, fire

# Application states that still count as an application to the selection: anything submitted
# and neither withdrawn nor closed with its post.
LIVE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.ELIGIBLE,
    ApplicationState.INELIGIBLE,
    ApplicationState.ELIMINATED,
    ApplicationState.SHORTLISTED,
)
LIVE_STATES += (
    ApplicationState.NOT_SHORTLISTED,
    ApplicationState.APPOINTED,
    ApplicationState.NOT_APPOINTED,
)
# Listed too once submitted: withdrawn during screening, or closed with a dropped post.
ENDED_STATES = (ApplicationState.WITHDRAWN, ApplicationState.CLOSED)
ONE_POST_RULE = "one_post"

RULE_LABELS: dict[str, str] = {
    "nip": N_("NIP"),
    "age": N_("Age"),
    "education": N_("Education"),
    "rank": N_("Rank (golongan)"),
    "pns": N_("Civil servant (PNS)"),
    "related_experience": N_("Related experience"),
    "administrator_years": N_("Administrator or Ahli Madya"),
    "performance": N_("Performance ratings"),
    "lhkpn": N_("Wealth report (LHKPN)"),
    "own_ppk_approval": N_("Own PPK's approval"),
    "disciplinary_sanction": N_("Disciplinary sanctions"),
    "disciplinary_examination": N_("Disciplinary examination"),
    "health": N_("Health"),
    ONE_POST_RULE: N_("One post per applicant"),
}


def rule_label(rule: str) -> str:
    """Return the untranslated English label of a rule code (documents by their name)."""
    if rule.startswith("document."):
        doc = eligibility.REQUIRED_DOCUMENTS.get(rule.removeprefix("document."))
        return str(doc.label) if doc else rule
    return RULE_LABELS.get(rule, rule)


# --- What the rules are fed ---------------------------------------------------------------


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


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


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
        sanction_date=_as_date(profile.get("sanction_date")),
        under_disciplinary_examination=_flag(profile.get("under_disciplinary_examination")),
        # Health is decided by the health test in the competency stage, not at screening.
        healthy=None,
        presidential_waiver=waiver,
        documents=frozenset(documents),
    )


def reference_date(selection: Selection, params: Mapping[str, Any] | None = None) -> date:
    """Return the date ages are computed at for this selection.

    ``eligibility.reference_date`` when the selection fixes one; otherwise the registration's
    close (or open, with ``age_reference: registration_open``) as a WIB calendar date;
    the selection's start date before registration has been scheduled.
    """
    if params is None:
        params = definition_of(selection).params(selection.parameters)
    rules = params.get("eligibility") or {}
    fixed = _as_date(rules.get("reference_date"))
    if fixed is not None:
        return fixed
    basis = rules.get("age_reference", "registration_close")
    if basis == "registration_open" and selection.registration_opens_at is not None:
        return clock.to_jakarta(selection.registration_opens_at).date()
    if basis != "selection_start" and selection.registration_closes_at is not None:
        return clock.to_jakarta(selection.registration_closes_at).date()
    return selection.start_date


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
    rules = dict(params.get("eligibility") or {})
    kwargs: dict[str, Any] = {k: v for k, v in rules.items() if k in _PARAM_FIELDS}
    for name in ("disqualifying_sanctions", "required_documents"):
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name] or ())
    kwargs["min_rank"] = position.min_rank or rules.get("min_rank", "IV/b")
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


# --- Screening many applications with a constant number of queries -----------------------


@dataclass
class Screened:
    """One application as the committee screens it: profile, documents, rules, verdict."""

    application: Application
    profile: dict[str, Any]
    profile_source: str  # "snapshot" (as submitted) or "current" (no snapshot taken)
    documents: list[ApplicationDocument]
    results: list[RuleResult]
    verdict: ScreeningVerdict | None
    waiver: Approval | None

    @property
    def rules_passed(self) -> bool:
        """Return whether every rule passed."""
        return eligibility.is_eligible(self.results)

    @property
    def failures(self) -> list[RuleResult]:
        """Return the rules that failed."""
        return [r for r in self.results if not r.passed]

    @property
    def nip(self) -> str:
        """Return the NIP grouped as ``19860926 201505 1 001`` when it is valid."""
        raw = str(self.profile.get("nip") or "")
        try:
            return parse_nip(raw).formatted
        except InvalidNip:
            return raw

    @property
    def rank(self) -> str:
        """Return the rank as ``Pembina Tingkat I (IV/b)``, or as entered if unknown."""
        raw = str(self.profile.get("rank") or "")
        try:
            return f"{eligibility.rank_name(raw)} ({eligibility.normalize_rank(raw)})"
        except eligibility.InvalidRank:
            return raw


def _announcement_basis(selection: Selection) -> str | None:
    number = db.session.scalar(
        sa.select(IssuedDocument.number)
        .where(IssuedDocument.selection_id == selection.id, IssuedDocument.kind == "announcement")
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )
    return f"Pengumuman Panitia Seleksi Nomor {number}" if number else None


def screen(selection: Selection, applications: Sequence[Application]) -> list[Screened]:
    """Evaluate every rule for the given applications of one selection.

    Loads profiles, documents, verdicts, waivers and the one-post check in a fixed number
    of queries, whatever the number of applications.

    :raises ValidationFailed: when the selection's eligibility parameters are unusable.
    """
    if not applications:
        return []
    ids = [a.id for a in applications]
    params = definition_of(selection).params(selection.parameters)
    basis = _announcement_basis(selection)

    missing_snapshot = [a.candidate_id for a in applications if not a.profile_snapshot]
    current: dict[int, CandidateProfile] = {}
    if missing_snapshot:
        current = {
            p.user_id: p
            for p in db.session.scalars(
                sa.select(CandidateProfile).where(CandidateProfile.user_id.in_(missing_snapshot))
            )
        }
    documents: dict[int, list[ApplicationDocument]] = defaultdict(list)
    for doc in db.session.scalars(
        sa.select(ApplicationDocument)
        .where(
            ApplicationDocument.application_id.in_(ids),
            ApplicationDocument.superseded_at.is_(None),
        )
        .options(joinedload(ApplicationDocument.file))
        .order_by(ApplicationDocument.id)
    ):
        documents[doc.application_id].append(doc)
    verdicts = {
        v.application_id: v
        for v in db.session.scalars(
            sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id.in_(ids))
        )
    }
    waivers: dict[int, Approval] = {}
    for approval in db.session.scalars(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id, Approval.purpose.like("waiver:%"))
        .order_by(Approval.id)
    ):
        target = approval.purpose.removeprefix("waiver:")
        if target.isdigit():
            waivers[int(target)] = approval
    one_post = bool((params.get("eligibility") or {}).get("one_post_per_selection", True))
    posts_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if one_post:
        candidate_ids = sorted({a.candidate_id for a in applications})
        for app_id, candidate_id, post in db.session.execute(
            sa.select(Application.id, Application.candidate_id, Position.name)
            .join(Position, Application.position_id == Position.id)
            .where(
                Position.selection_id == selection.id,
                Application.candidate_id.in_(candidate_ids),
                Application.state.in_(LIVE_STATES),
            )
            .order_by(Application.id)
        ):
            posts_of[candidate_id].append((app_id, post))

    params_by_post: dict[int, EligibilityParams] = {}
    screened = []
    for application in applications:
        position = application.position
        if position.id not in params_by_post:
            params_by_post[position.id] = eligibility_params(selection, position, params, basis)
        rules_params = params_by_post[position.id]
        if application.profile_snapshot:
            profile, source = dict(application.profile_snapshot), "snapshot"
        else:
            row = current.get(application.candidate_id)
            profile, source = (profile_dict(row) if row else {}), "current"
        docs = documents.get(application.id, [])
        waiver = waivers.get(application.id)
        results = eligibility.evaluate(
            rules_profile(
                profile,
                rules_params,
                documents=[d.doc_type for d in docs],
                waiver=waiver is not None,
            ),
            rules_params,
        )
        if one_post:
            others = [
                p for a, p in posts_of.get(application.candidate_id, []) if a != application.id
            ]
            results.append(one_post_result(others, rules_params.announcement_basis))
        screened.append(
            Screened(
                application=application,
                profile=profile,
                profile_source=source,
                documents=docs,
                results=results,
                verdict=verdicts.get(application.id),
                waiver=waiver,
            )
        )
    return screened


def evaluate(application: Application) -> list[RuleResult]:
    """Return every eligibility rule's result for one application.

    :raises ValidationFailed: when the selection's eligibility parameters are unusable.
    """
    (screened,) = screen(application.position.selection, [application])
    return screened.results


def applications_to_screen(selection: Selection) -> list[Application]:
    """Return the submitted applications of a selection, by post and submission order."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(
                Position.selection_id == selection.id,
                sa.or_(
                    Application.state.in_(LIVE_STATES),
                    sa.and_(
                        Application.state.in_(ENDED_STATES), Application.submitted_at.is_not(None)
                    ),
                ),
            )
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.submitted_at, Application.id)
        )
    )


# --- Stored rule results ------------------------------------------------------------------


def reason_json(reason: Reason | None) -> dict[str, Any] | None:
    """Return a Reason as JSON, remembering which parameters are translatable terms."""
    if reason is None:
        return None
    data = reason.as_dict()
    terms = sorted(k for k, v in reason.params.items() if isinstance(v, Term))
    if terms:
        data["terms"] = terms
    return data


def reason_from_json(data: Mapping[str, Any] | None) -> Reason | None:
    """Rebuild a Reason stored by ``reason_json`` (terms translate again)."""
    if not data:
        return None
    terms = set(data.get("terms") or ())
    params = {k: Term(v) if k in terms else v for k, v in (data.get("params") or {}).items()}
    return Reason(str(data.get("code", "")), str(data.get("template", "")), params)


def result_json(result: RuleResult) -> dict[str, Any]:
    """Return one rule result as stored in ScreeningVerdict.rule_results."""
    return {
        "rule": result.rule,
        "passed": result.passed,
        "code": result.reason.code if result.reason else None,
        "message": str(result.reason) if result.reason else None,
        "reason": reason_json(result.reason),
        "legal_basis": result.legal_basis,
        "waived_failure": reason_json(result.waived_failure),
    }


def stored_results(verdict: ScreeningVerdict) -> list[RuleResult]:
    """Return the rule results a verdict was decided on, as RuleResults again."""
    return [
        RuleResult(
            rule=str(item.get("rule")),
            passed=bool(item.get("passed")),
            reason=reason_from_json(item.get("reason")),
            legal_basis=str(item.get("legal_basis", "")),
            waived_failure=reason_from_json(item.get("waived_failure")),
        )
        for item in verdict.rule_results or []
    ]


def verdict_reasons(verdict: ScreeningVerdict) -> list[Reason]:
    """Return why an application failed: each failed rule's reason (for minutes, the portal)."""
    return [r.reason for r in stored_results(verdict) if not r.passed and r.reason is not None]


# --- Verdicts -----------------------------------------------------------------------------


def verdict_event(state: str, passed: bool) -> str:
    """Return the application event that records a verdict from its current state.

    :raises ValidationFailed: when the application already has that verdict or cannot be
        screened in its state.
    """
    if state == ApplicationState.SUBMITTED:
        return ApplicationEvent.PASS_SCREENING if passed else ApplicationEvent.FAIL_SCREENING
    if state == ApplicationState.INELIGIBLE and passed:
        return ApplicationEvent.REVISE_SCREENING
    if state == ApplicationState.ELIGIBLE and not passed:
        return ApplicationEvent.FAIL_SCREENING
    if state in {ApplicationState.ELIGIBLE, ApplicationState.INELIGIBLE}:
        raise ValidationFailed(
            Reason(
                "screening.same_verdict",
                N_("The application already has this verdict; nothing to change."),
            )
        )
    raise ValidationFailed(
        Reason(
            "screening.not_screenable",
            N_("An application in the state %(state)s cannot be screened."),
            {"state": state},
        )
    )


def verdict_reason_problem(passed: bool, rules_passed: bool, reason: str) -> Reason | None:
    """Return why a verdict needs a written reason it lacks, or None.

    A fail always needs one: it is what the candidate reads. A pass against the rules'
    result needs one too: the committee must say why it overrides them.
    """
    if (reason or "").strip():
        return None
    if not passed:
        return Reason(
            "screening.fail_reason",
            N_("Write the reason this application fails; the candidate will read it."),
        )
    if not rules_passed:
        return Reason(
            "screening.override_reason",
            N_(
                "The rules found this application ineligible; write the reason the committee"
                " passes it anyway."
            ),
        )
    return None


def record_verdict(
    application: Application,
    actor: User,
    passed: bool,
    reason: str = "",
    *,
    expected_version: int | None = None,
) -> FireResult:
    """Record the committee's verdict on one application through the workflow engine.

    Fires ``pass_screening`` / ``fail_screening`` (or ``revise_screening`` from
    ineligible to eligible); the guards check the stage is open and that a fail or an
    override of the rules has a written reason; the action writes the ScreeningVerdict.

    :raises ValidationFailed: when the application cannot take this verdict.
    :raises GuardFailed: when the stage is closed or the reason is missing.
    :raises Forbidden: when the actor may not screen this selection.
    """
    reason = (reason or "").strip()
    event = verdict_event(application.state, passed)
    results = evaluate(application)
    rules_passed = eligibility.is_eligible(results)
    if application.state != ApplicationState.SUBMITTED and not reason:
        # Changing a verdict already given is a revision: say why, whichever way.
        raise ValidationFailed(
            Reason(
                "screening.revision_reason",
                N_("Write the reason the committee changes its verdict."),
            )
        )
    problem = verdict_reason_problem(passed, rules_passed, reason)
    if problem is not None:
        raise ValidationFailed(problem)
    data: dict[str, Any] = {
        "passed": passed,
        "rules_passed": rules_passed,
        "overridden": passed != rules_passed,
        "failed_rules": [
            {"rule": r.rule, "code": r.reason.code, "message": str(r.reason)}
            for r in results
            if not r.passed and r.reason is not None
        ],
    }
    if reason:
        data["reason"] = reason[:4000]
    return fire(application, event, actor, data, expected_version=expected_version)


def write_verdict(
    application: Application, actor: User, passed: bool, reason: str
) -> ScreeningVerdict:
    """Create or update the application's ScreeningVerdict in the current transaction."""
    results = evaluate(application)
    rules_passed = eligibility.is_eligible(results)
    verdict = db.session.scalar(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
    )
    if verdict is None:
        verdict = ScreeningVerdict(application_id=application.id)
        db.session.add(verdict)
    verdict.rule_results = [result_json(r) for r in results]
    verdict.rules_passed = rules_passed
    verdict.passed = passed
    verdict.overridden = passed != rules_passed
    verdict.reason = reason
    verdict.decided_by_id = actor.id
    verdict.decided_at = clock.now()
    db.session.flush()
    return verdict


def counts(screened: Sequence[Screened]) -> dict[str, int]:
    """Return how many applications are pending, eligible and ineligible."""
    tally = {"pending": 0, "eligible": 0, "ineligible": 0, "other": 0}
    for item in screened:
        state = item.application.state
        if state == ApplicationState.SUBMITTED:
            tally["pending"] += 1
        elif state == ApplicationState.INELIGIBLE:
            tally["ineligible"] += 1
        elif state in LIVE_STATES:
            tally["eligible"] += 1  # eligible, or passed and moved on to later stages
        else:
            tally["other"] += 1
    return tally
