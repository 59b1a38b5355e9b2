"""The rule results a verdict was decided on: their labels, and how they are stored.

A ScreeningVerdict keeps each rule's result as JSON (``rule_results``) so the minutes and
the candidate's page show what the committee saw, translated again in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openbid.models import ScreeningVerdict
from openbid.rules import eligibility
from openbid.rules.eligibility import RuleResult
from openbid.rules.reasons import N_, Reason, Term
from openbid.stages.screening.rule_inputs import ONE_POST_RULE

PENDING_HEALTH_CODE = "eligibility.health_pending"

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


# The profile fields each rule reads (documents are read by their upload; one-post by the
# candidate's other applications), to show with its result: what the rule was fed.
RULE_DATA: dict[str, tuple[str, ...]] = {
    "nip": ("nip",),
    "age": ("birth_date",),
    "education": ("education", "education_major"),
    "rank": ("rank",),
    "pns": ("is_pns",),
    "related_experience": ("related_experience_years",),
    "administrator_years": ("admin_years",),
    "performance": ("performance_ratings",),
    "lhkpn": ("lhkpn_lodged",),
    "own_ppk_approval": ("own_ppk_approval",),
    "disciplinary_sanction": ("sanction_level", "sanction_date"),
    "disciplinary_examination": ("under_disciplinary_examination",),
}


def rule_data(rule: str, profile: Mapping[str, Any]) -> dict[str, Any]:
    """Return the profile values a rule was evaluated on (empty for documents, one post)."""
    return {key: profile.get(key) for key in RULE_DATA.get(rule, ())}


def rule_label(rule: str) -> str:
    """Return the untranslated English label of a rule code (documents by their name)."""
    if rule.startswith("document."):
        doc = eligibility.REQUIRED_DOCUMENTS.get(rule.removeprefix("document."))
        return str(doc.label) if doc else rule
    return RULE_LABELS.get(rule, rule)


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
        "pending": result.pending,
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
            # Verdicts stored before "pending" existed: the health note was the only one.
            pending=bool(item.get("pending", item.get("code") == PENDING_HEALTH_CODE)),
        )
        for item in verdict.rule_results or []
    ]


def verdict_reasons(verdict: ScreeningVerdict) -> list[Reason]:
    """Return why an application failed: each failed rule's reason (for minutes, the portal)."""
    return [r.reason for r in stored_results(verdict) if not r.passed and r.reason is not None]
