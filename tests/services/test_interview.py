"""Interview: conflict declarations (recusal), independent final scores, and the board."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    AuditEvent,
    ConflictDeclaration,
    InterviewScore,
    Role,
)
from openbid.rules.reasons import ValidationFailed
from openbid.stages import interview
from openbid.stages.common import scores
from openbid.workflow import Forbidden, GuardFailed, fire
from tests.factories import make_agency, make_user
from tests.interview_factories import (
    close_interview,
    members,
    score_everyone,
)


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _events(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name)))


def _codes(error: pytest.ExceptionInfo) -> list[str]:
    return [r.code for r in error.value.reasons]


@pytest.fixture
def setup(stages):
    return stages.at("interview", per_post=4)


def test_a_declared_conflict_is_audited_and_recuses_the_member(setup) -> None:
    member = members(setup)[1]
    candidate = setup.applications[0]
    declaration = interview.declare_conflict(member, candidate, "  Adik ipar saya.  ")
    assert declaration.reason == "Adik ipar saya."
    (event,) = _events("conflict_declared")
    assert event.actor_id == member.id and event.subject_id == candidate.id
    assert event.payload["reason"] == "Adik ipar saya." and event.payload["recused"] is True
    assert event.payload["score_excluded"] is False

    scores_before, events_before = _count(InterviewScore), _count(AuditEvent)
    with pytest.raises(ValidationFailed) as error:
        interview.submit_score(member, candidate, "80")
    assert [str(r) for r in error.value.reasons] == [
        f"You declared a conflict of interest with {candidate.candidate.name}; you are recused"
        " from scoring them."
    ]
    assert (_count(InterviewScore), _count(AuditEvent)) == (scores_before, events_before)


def test_declarations_are_final_need_a_reason_and_a_member(setup) -> None:
    member = members(setup)[0]
    candidate = setup.applications[1]
    with pytest.raises(ValidationFailed) as error:
        interview.declare_conflict(member, candidate, "   ")
    assert _codes(error) == ["interview.conflict_reason"]
    with pytest.raises(ValidationFailed) as error:
        interview.declare_conflict(member, candidate, "x" * 2001)
    assert _codes(error) == ["interview.conflict_reason_long"]
    interview.declare_conflict(member, candidate, "Former subordinate")
    with pytest.raises(ValidationFailed) as error:
        interview.declare_conflict(member, candidate, "Again")
    assert [str(r) for r in error.value.reasons] == [
        f"You have already declared a conflict of interest with {candidate.candidate.name}."
    ]
    with pytest.raises(Forbidden):
        interview.declare_conflict(setup.secretariat, candidate, "Not a member")
    assert _count(ConflictDeclaration) == 1
    assert len(_events("conflict_declared")) == 1


def test_a_conflict_can_be_declared_during_screening(app) -> None:
    from tests.stage_factories import selection_in_screening

    setup = selection_in_screening(make_agency())
    member = setup.committee[2]
    interview.declare_conflict(member, setup.applications[0], "Saudara kandung")
    board = interview.build_board(setup.selection, member)
    (position, rows) = board.posts[0]
    assert rows[0].my_conflict is not None and not board.can_score and board.can_declare


def test_a_conflict_declared_after_scoring_removes_that_score_from_the_mean(setup) -> None:
    users = members(setup)
    candidate = setup.applications[0]
    for index, user in enumerate(users):
        interview.submit_score(user, candidate, 70 + 5 * index)  # 70 75 80 85 90 -> mean 80
    assert scores.interview_means(db.session, [candidate.id]) == {candidate.id: Decimal("80.00")}
    interview.declare_conflict(users[4], candidate, "Discovered later: a business partner")
    (event,) = _events("conflict_declared")
    assert event.payload["score_excluded"] is True
    assert scores.interview_means(db.session, [candidate.id]) == {candidate.id: Decimal("77.50")}


def test_a_score_is_final_and_audited(setup) -> None:
    member = members(setup)[0]
    candidate = setup.applications[0]
    row = interview.submit_score(member, candidate, "85,5", "  Clear vision for the office. ")
    assert row.score == Decimal("85.50") and row.notes == "Clear vision for the office."
    (event,) = _events("interview_scored")
    assert event.payload["score"] == "85.50" and event.actor_id == member.id
    with pytest.raises(ValidationFailed) as error:
        interview.submit_score(member, candidate, "90")
    assert [str(r) for r in error.value.reasons] == [
        f"You have already submitted your score for {candidate.candidate.name}; a submitted"
        " score is final."
    ]
    db.session.expire_all()
    assert db.session.get(type(row), row.id).score == Decimal("85.50")
    assert len(_events("interview_scored")) == 1


@pytest.mark.parametrize("raw", ["", "abc", "-1", "100.01", "85.555", "1e2", "NaN", None])
def test_bad_scores_are_refused_and_nothing_is_written(setup, raw) -> None:
    member = members(setup)[0]
    before = (_count(InterviewScore), _count(AuditEvent))
    with pytest.raises(ValidationFailed) as error:
        interview.submit_score(member, setup.applications[0], raw)
    assert [str(r) for r in error.value.reasons] == [
        "Enter the score as a number from 0 to 100, with at most two decimals."
    ]
    assert (_count(InterviewScore), _count(AuditEvent)) == before


def test_boundaries_and_long_notes(setup) -> None:
    users = members(setup)
    interview.submit_score(users[0], setup.applications[0], "0")
    interview.submit_score(users[1], setup.applications[0], "100")
    with pytest.raises(ValidationFailed) as error:
        interview.submit_score(users[2], setup.applications[0], "70", "n" * 4001)
    assert _codes(error) == ["interview.notes_long"]
    assert _count(InterviewScore) == 2


def test_only_members_of_this_selection_score(setup) -> None:
    candidate = setup.applications[0]
    with pytest.raises(Forbidden) as error:
        interview.submit_score(setup.secretariat, candidate, "80")
    assert _codes(error) == ["interview.not_member"]
    outsider = make_user(Role.COMMITTEE, setup.agency)
    with pytest.raises(Forbidden):
        interview.submit_score(outsider, candidate, "80")
    ppk = make_user(Role.PPK, setup.agency)
    with pytest.raises(Forbidden):
        interview.submit_score(ppk, candidate, "80")
    assert _count(InterviewScore) == 0


def test_scores_only_while_the_interview_is_open(stages, app) -> None:
    setup = stages.at("assessment")
    with pytest.raises(ValidationFailed) as error:
        interview.submit_score(setup.committee[0], setup.applications[0], "80")
    assert [str(r) for r in error.value.reasons] == [
        "Interview scores can be entered only while the interview stage is open."
    ]


def test_a_member_sees_others_scores_only_after_submitting_their_own(setup) -> None:
    users = members(setup)
    candidate, other = setup.applications[0], setup.applications[1]
    interview.submit_score(users[1], candidate, "91.37")
    interview.submit_score(users[2], candidate, "64.19")

    def row_for(user, application):
        board = interview.build_board(setup.selection, user)
        return next(
            r for _, rows in board.posts for r in rows if r.application.id == application.id
        )

    before = row_for(users[0], candidate)
    assert before.others is None and before.scored == 2 and before.expected == 5
    interview.submit_score(users[0], candidate, "70")
    after = row_for(users[0], candidate)
    assert sorted(o.score for o in after.others) == [Decimal("64.19"), Decimal("91.37")]
    # Scoring one candidate does not open the others' scores of another candidate.
    interview.submit_score(users[1], other, "88")
    assert row_for(users[0], other).others is None
    # The secretariat sees counts, never values, while the interview is open.
    staff = row_for(setup.secretariat, candidate)
    assert staff.others is None and staff.scored == 3
    # A recused member does not see the scores of that candidate either.
    interview.declare_conflict(users[3], candidate, "Former colleague")
    recused = row_for(users[3], candidate)
    assert recused.others is None and recused.expected == 4


def test_closing_needs_every_score_and_names_who_is_missing(setup) -> None:
    users = members(setup)
    first, second = setup.applications[0], setup.applications[1]
    interview.declare_conflict(users[4], second, "Spouse's cousin")
    score_everyone(setup, skip=lambda m, a: (m == 0 and a.id in (first.id, second.id)) or m == 2)
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "close_interview", setup.secretariat)
    names = [a.candidate.name for a in setup.applications]
    assert [str(r) for r in error.value.reasons] == [
        f"{users[0].name} has not yet scored {first.candidate.name}, {second.candidate.name}.",
        f"{users[2].name} has not yet scored {', '.join(names)}.",
    ]
    db.session.rollback()
    score_everyone(setup)
    close_interview(setup, users[0])  # a committee member may close it too
    assert setup.selection.state == "appointment"


def test_after_the_interview_closes_every_score_shows_and_nothing_more_can_be_done(setup) -> None:
    score_everyone(setup)
    close_interview(setup)
    users = members(setup)
    board = interview.build_board(setup.selection, setup.secretariat)
    row = board.posts[0][1][0]
    assert board.closed and len(row.others) == 5 and row.mean == Decimal("87.00")
    with pytest.raises(ValidationFailed) as error:
        interview.declare_conflict(users[0], setup.applications[0], "Too late")
    assert _codes(error) == ["interview.conflict_closed"]


@pytest.mark.postgres
def test_a_double_submission_at_once_records_one_score(app, setup) -> None:
    import threading

    from openbid.models import Application, User

    member_id = members(setup)[0].id
    application_id = setup.applications[0].id
    db.session.remove()
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(value: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, member_id)
                application = db.session.get(Application, application_id)
                barrier.wait(timeout=30)
                interview.submit_score(user, application, value)
                outcome = "ok"
            except ValidationFailed as error:
                outcome = error.reasons[0].code
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(70 + i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["interview.already_scored"] * (threads_count - 1) + ["ok"]
    assert _count(InterviewScore) == 1 and len(_events("interview_scored")) == 1
