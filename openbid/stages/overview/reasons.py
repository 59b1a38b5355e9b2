"""The reasons beside a disabled button, grouped so they stay short, each with where to act.

The guards give one reason per member, post or letter: right for the API and the audit, but
closing the interviews of seven members and nine candidates would read as seven lines each
naming all nine. Here the reasons a page shows are grouped ("7 members have not yet scored
9 candidates"), consequences of a pending step are folded into it ("13 applications still
have no screening verdict" rather than "no eligible applicant" for every post), and each
line names the page where it is resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openbid.rules.reasons import N_, N_plural, Reason

# Where a reason is resolved: the longest matching code prefix names the page (an endpoint of
# the committee area, by selection) and, where it has one, the section of that page.
PAGES: dict[str, tuple[str, str | None]] = {
    "approval.": ("committee.approval", None),
    "committee.": ("committee.planning", "committee"),
    "selection.no_positions": ("committee.planning", "posts"),
    "announcement.": ("committee.announcement", None),
    "screening.": ("committee.screening", None),
    "assessment.": ("committee.assessment", None),
    "interview.": ("committee.interview", None),
    "appointment.no_recommendation": ("committee.appointment", "recommendation"),
    "appointment.recommendation_stale": ("committee.appointment", "recommendation"),
    "appointment.": ("committee.appointment", None),
}
# More reasons of one kind than this are shown as one line with their number.
GROUP_FROM = 2


@dataclass(frozen=True)
class ReasonLine:
    """One line beside a disabled button: what holds it, and the page where that is resolved."""

    reason: Reason
    endpoint: str | None = None
    anchor: str | None = None


def page_of(code: str) -> tuple[str | None, str | None]:
    """Return the endpoint and section where a reason of this code is resolved, if any."""
    matches = [prefix for prefix in PAGES if code == prefix or code.startswith(prefix)]
    if not matches:
        return None, None
    return PAGES[max(matches, key=len)]


def _names(reasons: Sequence[Reason], key: str) -> str:
    return ", ".join(str(r.params.get(key, "")) for r in reasons)


def _counted(code: str, forms: tuple[str, str], params: dict[str, object]) -> Reason:
    """Return a reason whose message agrees with its count ("1 post has", "2 posts have")."""
    return Reason(code, forms[0], params, plural=forms[1])


def _scores(reasons: list[Reason], others: Sequence[Reason]) -> Reason:
    candidates = {i for r in reasons for i in r.params.get("application_ids", ())}  # type: ignore[attr-defined]
    # Grouped from GROUP_FROM (two) members on, so only the candidates' number varies.
    singular, plural = N_plural(
        "%(members)d members have not yet scored %(candidates)d candidate.",
        "%(members)d members have not yet scored %(candidates)d candidates.",
    )
    return Reason(
        "interview.scores_missing",
        singular,
        {"members": len(reasons), "candidates": len(candidates)},
        plural=plural,
        number="candidates",
    )


def _no_eligible(reasons: list[Reason], others: Sequence[Reason]) -> Reason:
    params = {"count": len(reasons), "posts": _names(reasons, "post")}
    if any(r.code == "screening.pending" for r in others):
        # Verdicts still to come may well change this: say it once, as a consequence.
        if len(reasons) == 1:
            return Reason(
                "screening.no_eligible_yet",
                N_("No applicant for %(post)s has passed yet."),
                {"post": reasons[0].params.get("post", "")},
            )
        forms = N_plural(
            "%(count)d post has no applicant who passed yet (%(posts)s).",
            "%(count)d posts have no applicant who passed yet (%(posts)s).",
        )
        return _counted("screening.no_eligible_yet", forms, params)
    forms = N_plural(
        "No applicant passed administrative screening in %(count)d post: %(posts)s.",
        "No applicant passed administrative screening in %(count)d posts: %(posts)s.",
    )
    return _counted("screening.no_eligible_posts", forms, params)


def _too_few(reasons: list[Reason], others: Sequence[Reason]) -> Reason:
    forms = N_plural(
        "%(count)d post has fewer applicants than the %(minimum)d needed: %(posts)s.",
        "%(count)d posts have fewer applicants than the %(minimum)d needed: %(posts)s.",
    )
    params = {
        "count": len(reasons),
        "minimum": reasons[0].params.get("minimum", 0),
        "posts": _names(reasons, "post"),
    }
    return _counted("announcement.too_few_applicants_posts", forms, params)


def _not_chosen(reasons: list[Reason], others: Sequence[Reason]) -> Reason:
    forms = N_plural(
        "The appointing official has not yet chosen anyone for %(count)d post: %(posts)s.",
        "The appointing official has not yet chosen anyone for %(count)d posts: %(posts)s.",
    )
    params = {"count": len(reasons), "posts": _names(reasons, "post")}
    return _counted("appointment.not_chosen_posts", forms, params)


def _letters(reasons: list[Reason], others: Sequence[Reason]) -> Reason:
    forms = N_plural(
        "%(count)d letter is not recorded yet: %(gates)s.",
        "%(count)d letters are not recorded yet: %(gates)s.",
    )
    params = {"count": len(reasons), "gates": _names(reasons, "gate")}
    return _counted("approval.gates_missing", forms, params)


GROUPS: dict[str, Callable[[list[Reason], Sequence[Reason]], Reason]] = {
    "interview.score_missing": _scores,
    "screening.no_eligible": _no_eligible,
    "announcement.too_few_applicants": _too_few,
    "appointment.not_chosen": _not_chosen,
    "approval.gate_missing": _letters,
}


def _line(reason: Reason) -> ReasonLine:
    endpoint, anchor = page_of(reason.code)
    if reason.code.startswith("approval.gate_missing") and reason.params.get("code"):
        anchor = f"gate-{reason.params['code']}"  # the letter's own form on the approval page
    return ReasonLine(reason, endpoint, anchor)


def reason_lines(reasons: Sequence[Reason]) -> list[ReasonLine]:
    """Return the reasons as lines to show: kinds of several grouped into one, each linked."""
    by_code: dict[str, list[Reason]] = {}
    for reason in reasons:
        by_code.setdefault(reason.code, []).append(reason)
    lines: list[ReasonLine] = []
    for code, same in by_code.items():
        group = GROUPS.get(code)
        pending = code == "screening.no_eligible" and "screening.pending" in by_code
        if group is not None and (len(same) >= GROUP_FROM or pending):
            lines.append(_line(group(same, reasons)))
        else:
            lines += [_line(r) for r in same]
    # A pending step first: what follows from it comes after.
    return sorted(lines, key=lambda line: not line.reason.code.endswith(".pending"))
