"""Each role's home: what needs them now first, then the charts of one selection.

The stage (``openbid.stages.overview``) gathers the rows and counts; this module words them
and turns them into charts (``openbid.charts``), then renders the role's template.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template
from flask_babel import format_date, gettext, ngettext
from flask_login import current_user

from openbid import clock
from openbid.charts import Chart, Series
from openbid.extensions import db
from openbid.models import Selection
from openbid.rules.reasons import N_
from openbid.stages import overview
from openbid.stages.screening import rule_label

OVERSIGHT_BARS = 12  # gates drawn at most: the most recent selections' (they come first)

FUNNEL_LABELS = {
    "applied": N_("Applied"),
    "passed_screening": N_("Passed the administrative screening"),
    "ranked": N_("Ranked after the interview"),
    "three_best": N_("Among the three best"),
    "appointed": N_("Appointed"),
}


def _rule_name(code: str) -> str:
    return gettext(rule_label(code))


def _applicants_chart(figures: overview.Figures) -> Chart | None:
    if not figures.days or not figures.posts:
        return None
    totals = {p.id: (figures.cumulative[p.id] or [0])[-1] for p in figures.posts}
    top = max(figures.posts, key=lambda p: totals[p.id])
    return Chart(
        key="chart-applicants",
        kind="lines",
        title=gettext("Applicants per post over the registration window"),
        description=gettext(
            "%(posts)d posts, %(total)d applicants by %(day)s; the most, %(count)d, for %(post)s.",
            posts=len(figures.posts),
            total=sum(totals.values()),
            day=format_date(figures.days[-1], "d MMMM yyyy"),
            count=totals[top.id],
            post=top.name,
        ),
        category_title=gettext("Day (WIB)"),
        categories=tuple(format_date(d, "d MMM") for d in figures.days),
        series=tuple(Series(p.name, tuple(figures.cumulative[p.id])) for p in figures.posts),
    )


def _funnel_chart(figures: overview.Figures) -> Chart:
    steps = [(gettext(FUNNEL_LABELS[step]), n) for step, n in figures.funnel]
    return Chart(
        key="chart-funnel",
        kind="bars",
        title=gettext("How far the applicants came"),
        description="; ".join(f"{label}: {n}" for label, n in steps) + ".",
        category_title=gettext("Stage"),
        categories=tuple(label for label, _n in steps),
        series=(Series(gettext("Applicants"), tuple(n for _l, n in steps)),),
    )


def _rules_chart(figures: overview.Figures) -> Chart | None:
    failing = [r for r in figures.rules if r[2]]
    if not figures.rules:
        return None
    shown = failing or figures.rules[:5]
    clean = len(figures.rules) - len(failing)
    return Chart(
        key="chart-rules",
        kind="bars",
        title=gettext("Administrative screening: outcome by rule"),
        description=ngettext(
            "%(num)d rule was not met by at least one applicant; the most often missed: "
            "%(rule)s. Every applicant met the other %(clean)d.",
            "%(num)d rules were not met by at least one applicant; the most often missed: "
            "%(rule)s. Every applicant met the other %(clean)d.",
            len(failing),
            rule=_rule_name(failing[0][0]) if failing else "-",
            clean=clean,
        ),
        category_title=gettext("Rule"),
        categories=tuple(_rule_name(code) for code, _p, _f in shown),
        series=(
            Series(gettext("Met"), tuple(p for _c, p, _f in shown)),
            Series(gettext("Not met"), tuple(f for _c, _p, f in shown)),
        ),
    )


def _scores_chart(figures: overview.Figures) -> Chart | None:
    if not figures.scores_visible or not figures.posts:
        return None
    return Chart(
        key="chart-scores",
        kind="columns",
        title=gettext("Interview scores per post"),
        description=gettext(
            "How many of the members' interview scores fall in each band of ten points, "
            "per post (%(count)d scores).",
            count=sum(sum(v) for v in figures.scores.values()),
        ),
        category_title=gettext("Score"),
        categories=tuple(figures.bins),
        series=tuple(Series(p.name, tuple(figures.scores[p.id])) for p in figures.posts),
    )


def selection_charts(selection: Selection | None) -> list[Chart]:
    """Return the charts of a selection that have something to show."""
    if selection is None:
        return []
    figures = overview.selection_figures(db.session, selection)
    charts = [
        _applicants_chart(figures),
        _funnel_chart(figures),
        _rules_chart(figures),
        _scores_chart(figures),
    ]
    return [c for c in charts if c is not None and not c.empty]


def oversight_chart(waits: Sequence[overview.GateWait]) -> Chart | None:
    """Return the chart of working days each gate waited on the oversight body, or None."""
    if not waits:
        return None
    longest = max(waits, key=lambda w: w.days)
    still = [w for w in waits if w.waiting]
    several = len({w.selection.id for w in waits}) > 1

    def name(wait: overview.GateWait) -> str:
        gate = gettext(wait.label)
        return f"{wait.selection.title}: {gate}" if several else gate

    return Chart(
        key="chart-oversight",
        kind="bars",
        title=gettext("Working days waiting on the oversight body"),
        description=gettext(
            "From sending the plan to the letter recorded, national holidays, cuti bersama "
            "and the agency's days off skipped. The longest: %(days)d working days, %(gate)s. "
            "Still waiting: %(count)d.",
            days=longest.days,
            gate=name(longest),
            count=len(still),
        ),
        category_title=gettext("Approval gate"),
        categories=tuple(name(w) for w in waits),
        series=(
            Series(gettext("Letter recorded"), tuple(0 if w.waiting else w.days for w in waits)),
            Series(gettext("Still waiting"), tuple(w.days if w.waiting else 0 for w in waits)),
        ),
    )


def _render(template: str, selections: Sequence[Selection], requested: int | None, **extra):
    shown = overview.focus(selections, requested)
    return render_template(
        template,
        selections=selections,
        focus=shown,
        published=[s for s in selections if s.state not in overview.UNPUBLISHED_STATES],
        charts=selection_charts(shown),
        **extra,
    )


def staff_home(requested: int | None):
    """Render the secretariat's or administrator's home."""
    selections = overview.agency_selections(db.session, current_user.agency_id)
    needs = overview.staff_needs(db.session, selections, clock.now())
    waits = overview.oversight_waits(
        db.session, current_user.agency_id, selections, clock.today_jakarta()
    )
    return _render(
        f"main/home_{current_user.role.value}.html",
        selections,
        requested,
        needs=needs,
        oversight=oversight_chart(waits[:OVERSIGHT_BARS]),
    )


def ppk_home(requested: int | None):
    """Render the PPK's home: the posts whose appointee they are to pick first."""
    selections = overview.agency_selections(db.session, current_user.agency_id)
    needs = overview.ppk_needs(db.session, selections)
    return _render("main/home_ppk.html", selections, requested, needs=needs)


def member_home(requested: int | None):
    """Render a committee member's home: applications to screen and candidates to score."""
    selections = overview.member_selections(db.session, current_user.id)
    needs = overview.member_needs(db.session, selections, current_user.id)
    return _render("main/home_committee.html", selections, requested, needs=needs)


def auditor_home(requested: int | None):
    """Render the auditor's home: selections to review and the latest documents to verify."""
    selections = overview.agency_selections(db.session, current_user.agency_id)
    return _render(
        "main/home_auditor.html",
        selections,
        requested,
        to_review=[s for s in selections if s.state in overview.CLOSED_STATES],
        latest=overview.latest_documents(db.session, current_user.agency_id),
    )


def candidate_home():
    """Render the candidate's home (the portal's dashboard) with unsubmitted applications."""
    steps = overview.candidate_steps(db.session, current_user.id, clock.now())
    return render_template("main/home_candidate.html", steps=steps)
