"""The numbers behind a selection's charts: one query each, whatever the number of rows.

Applicants per post over the registration window, the stage funnel, screening outcomes by
rule and interview score distributions per post. Scores are only counted once the interview
is closed: until then a member must not learn what the others gave.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openbid import clock
from openbid.models import (
    Application,
    ApplicationState,
    InterviewScore,
    Position,
    ScreeningVerdict,
    Selection,
    SelectionState,
)

A = ApplicationState
PASSED_SCREENING = (
    A.ELIGIBLE,
    A.ELIMINATED,
    A.SHORTLISTED,
    A.NOT_SHORTLISTED,
    A.APPOINTED,
    A.NOT_APPOINTED,
)
RANKED = (A.SHORTLISTED, A.NOT_SHORTLISTED, A.APPOINTED, A.NOT_APPOINTED)
THREE_BEST = (A.SHORTLISTED, A.APPOINTED, A.NOT_APPOINTED)
# The funnel's steps: which application states have reached each.
FUNNEL = (
    ("applied", None),
    ("passed_screening", PASSED_SCREENING),
    ("ranked", RANKED),
    ("three_best", THREE_BEST),
    ("appointed", (A.APPOINTED,)),
)
SCORES_VISIBLE = (SelectionState.APPOINTMENT, SelectionState.COMPLETED)
BIN = 10  # interview scores are out of 100: ten bins of ten points
# A rule result kept before results carried "pending": the health note was the only one.
UNCHECKED_HEALTH = "eligibility.health_pending"
LONGEST_WINDOW = 120  # days drawn at most, should a window be stretched by hand


@dataclass(frozen=True)
class Figures:
    """A selection's chart data (the page turns it into charts with its own words)."""

    days: list[date]
    posts: list[Position]
    cumulative: dict[int, list[int]]  # post id -> applicants by the end of each day
    funnel: list[tuple[str, int]]
    rules: list[tuple[str, int, int]]  # rule code, passed, failed (most failures first)
    scores_visible: bool
    bins: list[str]
    scores: dict[int, list[int]]  # post id -> count of scores in each bin


def _window(selection: Selection) -> list[date]:
    opens, closes = selection.registration_opens_at, selection.registration_closes_at
    if opens is None or closes is None:
        return []
    first, last = clock.to_jakarta(opens).date(), clock.to_jakarta(closes).date()
    span = min((last - first).days, LONGEST_WINDOW)
    return [first + timedelta(days=i) for i in range(span + 1)]


def _cumulative(session: Session, selection: Selection, days: list[date], posts) -> dict:
    rows = session.execute(
        sa.select(Application.position_id, Application.submitted_at)
        .join(Position, Position.id == Application.position_id)
        .where(Position.selection_id == selection.id, Application.submitted_at.is_not(None))
    ).all()
    per_day: Counter[tuple[int, date]] = Counter(
        (pid, clock.to_jakarta(at).date()) for pid, at in rows
    )
    out = {}
    for post in posts:
        total, line = 0, []
        for i, day in enumerate(days):
            total += per_day[(post.id, day)]
            if i == 0:  # anything submitted before the first drawn day counts from it
                total += sum(n for (pid, d), n in per_day.items() if pid == post.id and d < day)
            line.append(total)
        out[post.id] = line
    return out


def _funnel(session: Session, selection: Selection) -> list[tuple[str, int]]:
    states = Counter(
        dict(
            session.execute(
                sa.select(Application.state, sa.func.count(Application.id))
                .join(Position, Position.id == Application.position_id)
                .where(Position.selection_id == selection.id, Application.submitted_at.is_not(None))
                .group_by(Application.state)
            ).all()
        )
    )
    return [
        (step, sum(states.values()) if reached is None else sum(states[s] for s in reached))
        for step, reached in FUNNEL
    ]


def _rules(session: Session, selection: Selection) -> list[tuple[str, int, int]]:
    results = session.scalars(
        sa.select(ScreeningVerdict.rule_results)
        .join(Application, Application.id == ScreeningVerdict.application_id)
        .join(Position, Position.id == Application.position_id)
        .where(Position.selection_id == selection.id)
    ).all()
    passed: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for rows in results:
        for row in rows or []:
            if row.get("pending") or row.get("code") == UNCHECKED_HEALTH:
                continue  # not yet checked (health, until its test): neither met nor not met
            (passed if row.get("passed") else failed)[str(row.get("rule"))] += 1
    rules = set(passed) | set(failed)
    return sorted(((r, passed[r], failed[r]) for r in rules), key=lambda t: (-t[2], t[0]))


def _scores(session: Session, selection: Selection, posts) -> dict[int, list[int]]:
    values = session.execute(
        sa.select(Application.position_id, InterviewScore.score)
        .join(Application, Application.id == InterviewScore.application_id)
        .join(Position, Position.id == Application.position_id)
        .where(Position.selection_id == selection.id)
    ).all()
    out = {post.id: [0] * (100 // BIN) for post in posts}
    for pid, score in values:
        if pid in out:
            out[pid][min(int(score) // BIN, 100 // BIN - 1)] += 1
    return out


def selection_figures(session: Session, selection: Selection) -> Figures:
    """Return the data of a selection's four charts."""
    posts = list(
        session.scalars(
            sa.select(Position).where(Position.selection_id == selection.id).order_by(Position.id)
        )
    )
    days = _window(selection)
    visible = selection.state in SCORES_VISIBLE
    return Figures(
        days=days,
        posts=posts,
        cumulative=_cumulative(session, selection, days, posts),
        funnel=_funnel(session, selection),
        rules=_rules(session, selection),
        scores_visible=visible,
        bins=[f"{lo}–{lo + BIN - 1 if lo + BIN < 100 else 100}" for lo in range(0, 100, BIN)],
        scores=_scores(session, selection, posts) if visible else {},
    )
