"""Ranking, the frozen three best, revisions, overrides, the oversight body's word, the pick."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Application,
    Approval,
    AssessmentResult,
    AuditEvent,
    Role,
    Selection,
    ShortlistResult,
)
from openbid.rules.reasons import ValidationFailed
from openbid.stages import appointment
from openbid.workflow import Forbidden, GuardFailed, fire
from tests.factories import make_agency, make_user
from tests.interview_factories import (
    close_interview,
    current,
    make_ppk,
    record_recommendation,
    score_everyone,
    selection_in_appointment,
    selection_in_interview,
)
from tests.stage_factories import tiny_pdf

POST = "Kepala Dinas 1"


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _events(name: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.id)
        )
    )


def _state(application: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


def _messages(error: pytest.ExceptionInfo) -> list[str]:
    return [str(r) for r in error.value.reasons]


@pytest.fixture
def setup(stages):
    return stages.at("appointment", per_post=4)


def test_closing_the_interview_freezes_the_ranking_and_the_three_best(setup) -> None:
    apps = setup.applications
    result = current(setup.selection.positions[0].id)
    assert result.revision == 1 and result.superseded_at is None and result.reason == ""
    # Defaults: candidate i has track record 78-2i, interview mean 87-4i, paper 80-2i and
    # assessment 82-3i; weights 20/35/20/25 (Kota Mataram 2023).
    assert [e["combined"] for e in result.ranking] == ["82.55", "79.60", "76.65", "73.70"]
    assert [e["rank"] for e in result.ranking] == [1, 2, 3, 4]
    assert result.ranking[0]["components"] == {
        "track_record": "78.00",
        "interview": "87.00",
        "paper": "80.00",
        "assessment": "82.00",
    }
    assert result.ranking[0]["name"] == apps[0].candidate.name and result.ranking[0]["nip"]
    assert result.shortlist == [apps[0].id, apps[1].id, apps[2].id]
    assert result.weights == {
        "track_record": "0.2",
        "interview": "0.35",
        "paper": "0.2",
        "assessment": "0.25",
    }
    assert [_state(a) for a in apps] == ["shortlisted"] * 3 + ["not_shortlisted"]
    (frozen,) = _events("shortlist_frozen")
    assert frozen.payload["revision"] == 1 and frozen.payload["shortlist"] == result.shortlist
    assert len(_events("shortlist")) == 3 and len(_events("not_shortlist")) == 1


def test_ties_are_broken_by_interview_then_assessment_then_submission_then_number(app) -> None:
    same = {"track_record_score": 60, "paper_score": 60, "assessment_score": 60}
    setup = selection_in_interview(
        make_agency(),
        per_post=6,
        results=[
            [
                # 70*.2 + 80*.35 + 70*.2 + 70*.25 = 73.50
                {"track_record_score": 70, "paper_score": 70, "assessment_score": 70},
                # 70*.2 + 70*.35 + 75*.2 + 80*.25 = 73.50: same total, lower interview
                {"track_record_score": 70, "paper_score": 75, "assessment_score": 80},
                # 65*.2 + 60*.35 + 60*.2 + 64*.25 = 62.00: third
                {"track_record_score": 65, "paper_score": 60, "assessment_score": 64},
                # 60.00 each: identical in every score
                same,
                same,
                same,
            ]
        ],
    )
    interviews = [80, 70, 60, 60, 60, 60]
    score_everyone(setup, lambda m, i: interviews[i])
    apps = setup.applications
    # c3, c4 and c5 are identical: the earlier submission wins, then the lower number. c5
    # applied earlier than c3 and c4, which applied at the same moment.
    assert apps[3].submitted_at == apps[4].submitted_at == apps[5].submitted_at
    apps[5].submitted_at = apps[3].submitted_at - timedelta(minutes=5)
    db.session.commit()
    close_interview(setup)
    ranking = current(setup.selection.positions[0].id).ranking
    assert [e["combined"] for e in ranking[:2]] == ["73.50", "73.50"]
    assert ranking[0]["application_id"] == apps[0].id  # higher interview beats c1
    order = [e["application_id"] for e in ranking]
    assert order == [apps[0].id, apps[1].id, apps[2].id, apps[5].id, apps[3].id, apps[4].id]
    assert [e["rank"] for e in ranking] == [1, 2, 3, 4, 5, 6]


def test_ties_on_interview_fall_to_the_assessment_score(app) -> None:
    # 70*.2 + 80*.35 + 70*.2 + 80*.25 = 76.00 and 75*.2 + 80*.35 + 75*.2 + 72*.25 = 76.00
    setup = selection_in_interview(
        make_agency(),
        per_post=4,
        results=[
            [
                {"track_record_score": 75, "paper_score": 75, "assessment_score": 72},
                {"track_record_score": 70, "paper_score": 70, "assessment_score": 80},
            ]
        ],
    )
    score_everyone(setup, lambda m, i: 80 if i < 2 else 50)
    close_interview(setup)
    ranking = current(setup.selection.positions[0].id).ranking
    assert [e["combined"] for e in ranking[:2]] == ["76.00", "76.00"]
    assert [e["application_id"] for e in ranking[:2]] == [
        setup.applications[1].id,
        setup.applications[0].id,
    ]


def test_the_ppk_picks_any_of_the_three_and_completion_settles_the_others(setup) -> None:
    apps = setup.applications
    ppk = make_ppk(setup)
    record_recommendation(setup)
    result = appointment.appoint(apps[2], ppk)  # rank #3: rank does not bind the PPK
    assert result.to_state == "appointed"
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(apps[0], ppk)
    assert f"{POST} is already filled: {apps[2].candidate.name} was appointed." in _messages(error)
    db.session.rollback()
    fire(setup.selection, "complete", setup.secretariat)
    assert [_state(a) for a in apps] == [
        "not_appointed",
        "not_appointed",
        "appointed",
        "not_shortlisted",
    ]
    db.session.expire_all()
    assert db.session.get(Selection, setup.selection.id).state == "completed"


def test_the_ppk_cannot_pick_outside_the_three_best(setup) -> None:
    outsider = setup.applications[3]
    ppk = make_ppk(setup)
    record_recommendation(setup)
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(outsider, ppk)
    assert _messages(error) == [
        f"{outsider.candidate.name} is not among the three best for {POST}."
    ]
    assert _state(outsider) == "not_shortlisted"


def test_no_appointment_before_the_oversight_bodys_word(setup) -> None:
    ppk = make_ppk(setup)
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(setup.applications[0], ppk)
    assert _messages(error) == [
        "KASN's recommendation on the results is not on file yet; the appointing official"
        " appoints after the oversight body's word."
    ]
    db.session.rollback()
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "complete", setup.secretariat)
    assert [r.code for r in error.value.reasons] == [
        "appointment.not_chosen",
        "appointment.no_recommendation",
    ]


def test_only_the_ppk_appoints(setup) -> None:
    record_recommendation(setup)
    candidate = setup.applications[0]
    for actor in (setup.committee[0], setup.secretariat, make_user(Role.ADMIN, setup.agency)):
        with pytest.raises(Forbidden):
            appointment.appoint(candidate, actor)
        db.session.rollback()
    stranger = make_user(Role.PPK, make_agency())
    with pytest.raises(Forbidden) as error:
        appointment.appoint(candidate, stranger)
    assert [r.code for r in error.value.reasons] == ["access.other_agency"]
    assert _state(candidate) == "shortlisted"


def _short_setup(stages):
    """Two of four candidates below the interview pass mark of 65."""
    setup = stages.at("interview", per_post=4)
    setup.selection.parameters = {**setup.selection.parameters, "pass_marks": {"interview": 65}}
    db.session.commit()
    score_everyone(setup, lambda m, i: 80 - i if i < 2 else 50)
    close_interview(setup)
    return setup


def test_fewer_than_three_qualified_blocks_until_an_override_is_recorded(stages, app) -> None:
    setup = _short_setup(stages)
    apps = setup.applications
    position = setup.selection.positions[0]
    result = current(position.id)
    assert result.shortlist == [apps[0].id, apps[1].id]
    third = result.ranking[2]
    assert not third["qualified"] and third["rank"] is None
    assert [r["message"] for r in third["reasons"]] == [
        "The interview score 50.00 is below the pass mark 65."
    ]
    ppk = make_ppk(setup)
    record_recommendation(setup)
    blocked = (
        f"Qualified candidates for {POST}: 2 of the 3 needed; record the approval to proceed"
        " with fewer first."
    )
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(apps[0], ppk)
    assert _messages(error) == [blocked]
    db.session.rollback()
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "complete", setup.secretariat)
    assert blocked in _messages(error)
    db.session.rollback()

    approval = appointment.record_override_letter(
        position,
        setup.secretariat,
        authority="KASN",
        letter_number="B-3700/KASN/12/2018",
        letter_date=date(2018, 12, 21),
        subject="Persetujuan melanjutkan dengan dua calon",
        pdf=tiny_pdf("override"),
    )
    assert approval.purpose == f"shortlist_override:{position.id}" and approval.file_id
    (event,) = _events("shortlist_override_recorded")
    assert (
        event.payload["qualified"] == 2 and event.payload["letter_number"] == "B-3700/KASN/12/2018"
    )
    assert appointment.appoint(apps[1], ppk).to_state == "appointed"
    fire(setup.selection, "complete", setup.secretariat)
    assert [_state(a) for a in apps] == [
        "not_appointed",
        "appointed",
        "not_shortlisted",
        "not_shortlisted",
    ]


def test_override_letters_are_checked_and_nothing_is_half_written(stages, app) -> None:
    setup = _short_setup(stages)
    position = setup.selection.positions[0]
    before = (_count(Approval), _count(AuditEvent))
    cases = [
        (
            {"authority": "", "letter_number": "", "letter_date": None},
            ["approval.authority", "approval.number", "approval.date"],
        ),
        ({"letter_date": date.today() + timedelta(days=3)}, ["approval.date_future"]),
        ({"pdf": b"GIF89a not a pdf"}, ["upload.not_pdf"]),
        ({"notes": "n" * 4001}, ["approval.notes_long"]),
    ]
    for fields, codes in cases:
        values = {
            "authority": "KASN",
            "letter_number": "B-1/KASN/2018",
            "letter_date": date(2018, 12, 21),
            **fields,
        }
        with pytest.raises(ValidationFailed) as error:
            appointment.record_override_letter(position, setup.secretariat, **values)
        assert [r.code for r in error.value.reasons] == codes
        db.session.rollback()
    with pytest.raises(Forbidden):
        appointment.record_override_letter(
            position,
            make_ppk(setup),
            authority="KASN",
            letter_number="B-1",
            letter_date=date(2018, 12, 21),
        )
    db.session.rollback()
    assert (_count(Approval), _count(AuditEvent)) == before


def test_an_override_is_refused_where_three_qualified_or_one_is_on_file(setup) -> None:
    position = setup.selection.positions[0]
    with pytest.raises(ValidationFailed) as error:
        appointment.record_override_letter(
            position,
            setup.secretariat,
            authority="KASN",
            letter_number="B-1",
            letter_date=date(2018, 12, 21),
        )
    assert _messages(error) == [f"{POST} has its full three best; no override is needed."]


def test_a_revision_supersedes_the_frozen_result_and_is_audited(setup) -> None:
    apps = setup.applications
    position = setup.selection.positions[0]
    first = current(position.id)
    first_ranking = list(first.ranking)
    appointment.correct_assessment(
        apps[3],
        setup.secretariat,
        field="assessment_score",
        value="100",
        reason="Typo: the assessment centre's report (No. 12/UPT-PK/2018) says 100.",
    )
    (corrected,) = _events("assessment_corrected")
    assert corrected.payload["before"] == "73.00" and corrected.payload["after"] == "100.00"
    # The frozen result does not move by itself.
    assert current(position.id).revision == 1
    revised = appointment.revise_shortlist(
        position, setup.secretariat, "Corrected assessment score"
    )
    assert revised.revision == 2 and revised.reason == "Corrected assessment score"
    # 72*.2 + 75*.35 + 74*.2 + 100*.25 = 80.45: now second.
    assert revised.shortlist == [apps[0].id, apps[3].id, apps[1].id]
    old = db.session.scalar(
        sa.select(ShortlistResult).where(
            ShortlistResult.position_id == position.id, ShortlistResult.revision == 1
        )
    )
    assert old.superseded_at is not None and old.ranking == first_ranking
    assert [_state(a) for a in apps] == [
        "shortlisted",
        "shortlisted",
        "not_shortlisted",
        "shortlisted",
    ]
    (event,) = _events("shortlist_revised")
    assert event.payload["reason"] == "Corrected assessment score"
    assert event.payload["shortlist_before"] == [apps[0].id, apps[1].id, apps[2].id]
    assert event.payload["shortlist_after"] == revised.shortlist
    assert event.actor_id == setup.secretariat.id

    with pytest.raises(ValidationFailed) as error:
        appointment.revise_shortlist(position, setup.secretariat, "Again")
    assert _messages(error) == [
        f"Recomputing gives the same ranking as revision 2 of {POST}; correct the figures first."
    ]


def test_a_revision_after_the_oversight_letter_needs_a_new_letter(setup) -> None:
    apps = setup.applications
    position = setup.selection.positions[0]
    ppk = make_ppk(setup)
    record_recommendation(setup)
    appointment.correct_assessment(
        apps[3], setup.secretariat, field="paper_score", value="99", reason="Report re-read"
    )
    appointment.revise_shortlist(position, setup.secretariat, "Corrected paper score")
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(apps[0], ppk)
    assert _messages(error) == [
        f"The three best of {POST} were revised after KASN's recommendation on the results"
        " (letter B-3561/KASN/12/2018) was recorded; record its word on the revised results."
    ]
    db.session.rollback()
    record_recommendation(setup, letter_number="B-3600/KASN/12/2018")
    assert appointment.appoint(apps[0], ppk).to_state == "appointed"
    with pytest.raises(ValidationFailed) as error:
        appointment.revise_shortlist(position, setup.secretariat, "After the pick")
    assert _messages(error) == [
        f"{POST} is already filled ({apps[0].candidate.name} was appointed); its three best can"
        " no longer change."
    ]


def test_corrections_are_validated(setup) -> None:
    candidate = setup.applications[3]
    events_before = _count(AuditEvent)
    cases = [
        ({"field": "interview", "value": "90", "reason": "x"}, "appointment.field_unknown"),
        ({"field": "paper_score", "value": "abc", "reason": "x"}, "interview.score_invalid"),
        ({"field": "paper_score", "value": "99", "reason": " "}, "appointment.reason_required"),
        ({"field": "paper_score", "value": "74", "reason": "x"}, "appointment.correction_same"),
        ({"field": "health_fit", "value": "maybe", "reason": "x"}, "appointment.fitness_invalid"),
    ]
    for fields, code in cases:
        with pytest.raises(ValidationFailed) as error:
            appointment.correct_assessment(candidate, setup.secretariat, **fields)
        assert [r.code for r in error.value.reasons] == [code]
        db.session.rollback()
    with pytest.raises(Forbidden):
        appointment.correct_assessment(
            candidate, setup.committee[0], field="paper_score", value="99", reason="x"
        )
    db.session.rollback()
    assert _count(AuditEvent) == events_before
    result = db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == candidate.id)
    )
    assert result.paper_score == Decimal("74.00")


def test_an_unfit_result_found_late_removes_the_candidate_from_the_three_best(setup) -> None:
    apps = setup.applications
    position = setup.selection.positions[0]
    appointment.correct_assessment(
        apps[0], setup.secretariat, field="health_fit", value="unfit", reason="Hospital letter"
    )
    revised = appointment.revise_shortlist(position, setup.secretariat, "Health result corrected")
    assert revised.shortlist == [apps[1].id, apps[2].id, apps[3].id]
    entry = next(e for e in revised.ranking if e["application_id"] == apps[0].id)
    assert not entry["qualified"]
    assert [r["code"] for r in entry["reasons"]] == ["scoring.health_unfit"]


def test_the_result_recommendation_is_the_secretariats_and_checked(setup) -> None:
    with pytest.raises(Forbidden):
        appointment.record_result_letter(
            setup.selection, setup.committee[0], letter_number="B-1", letter_date=date(2018, 12, 20)
        )
    db.session.rollback()
    with pytest.raises(ValidationFailed) as error:
        record_recommendation(setup, letter_number=" ", letter_date=None)
    assert [r.code for r in error.value.reasons] == ["approval.number", "approval.date"]
    db.session.rollback()
    approval = record_recommendation(setup, pdf=None)
    assert approval.authority == "KASN" and approval.purpose == "result_recommendation"
    assert approval.file_id is None
    (event,) = _events("result_recommendation_recorded")
    assert event.payload["letter_number"] == "B-3561/KASN/12/2018"


def test_nothing_is_recorded_before_the_appointment_stage(stages, app) -> None:
    setup = stages.at("interview")
    with pytest.raises(ValidationFailed) as error:
        record_recommendation(setup)
    assert _messages(error) == ["This can be done only at the appointment stage (now: interview)."]


def test_bkn_selections_need_bkns_validation(app) -> None:
    # The stage factories publish in 2018 whatever the start date, so the candidates'
    # ratings are those of the two years before that registration closed.
    ratings = [{"year": 2017, "rating": "baik"}, {"year": 2016, "rating": "baik"}]
    setup = selection_in_appointment(
        make_agency(),
        start=date(2025, 3, 3),
        candidates=[[{"performance_ratings": ratings}] * 4],
    )
    assert setup.selection.workflow_key == "jpt-pratama-bkn"
    ppk = make_ppk(setup)
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(setup.applications[0], ppk)
    assert _messages(error) == [
        "BKN's validation of the results is not on file yet; the appointing official appoints"
        " after the oversight body's word."
    ]
    db.session.rollback()
    approval = record_recommendation(
        setup, letter_number="VAL-12/BKN/2025", letter_date=date(2025, 5, 2)
    )
    assert approval.authority == "BKN"
    assert appointment.appoint(setup.applications[0], ppk).to_state == "appointed"


def test_weights_overridden_by_the_selection_are_used(stages, app) -> None:
    setup = stages.at("interview", per_post=4)
    setup.selection.parameters = {
        **setup.selection.parameters,
        "weights": {"track_record": 0.1, "interview": 0.5, "paper": 0.1, "assessment": 0.3},
    }
    db.session.commit()
    score_everyone(setup)
    close_interview(setup)
    result = current(setup.selection.positions[0].id)
    # 78*.1 + 87*.5 + 80*.1 + 82*.3 = 83.90
    assert result.ranking[0]["combined"] == "83.90"
    assert result.weights["interview"] == "0.5"


def test_a_component_weighted_zero_is_neither_needed_nor_marked(app) -> None:
    setup = selection_in_interview(
        make_agency(),
        per_post=4,
        parameters={
            "weights": {"track_record": 0.3, "interview": 0.4, "paper": 0, "assessment": 0.3},
            "pass_marks": {"paper": 90},
        },
        results=[[{"paper_score": None}]],
    )
    score_everyone(setup)
    close_interview(setup)
    result = current(setup.selection.positions[0].id)
    first = result.ranking[0]
    # 78*.3 + 87*.4 + 82*.3 = 82.80; no paper score, and the paper pass mark does not apply.
    assert first["qualified"] and first["combined"] == "82.80"
    assert "paper" not in first["components"] and "paper" not in result.weights
    assert len(result.shortlist) == 3


def test_unusable_weights_stop_the_close_with_the_reason(stages, app) -> None:
    setup = stages.at("interview", per_post=4)
    setup.selection.parameters = {
        **setup.selection.parameters,
        "weights": {"track_record": 0.2, "interview": 0.5, "paper": 0.2, "assessment": 0.25},
    }
    db.session.commit()
    score_everyone(setup)
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "close_interview", setup.secretariat)
    assert _messages(error) == ["The score weights add up to 115%; they must add up to 100%."]
    db.session.expire_all()
    assert db.session.get(Selection, setup.selection.id).state == "interview"
    assert _count(ShortlistResult) == 0


@pytest.mark.postgres
def test_two_picks_in_one_post_at_once_appoint_one(app, setup) -> None:
    import threading

    from openbid.models import User
    from openbid.workflow import WorkflowError

    record_recommendation(setup)
    ppk_id = make_ppk(setup).id
    ids = [a.id for a in setup.applications[:3]]
    db.session.remove()
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(application_id: int) -> None:
        with app.app_context():
            try:
                application = db.session.get(Application, application_id)
                ppk = db.session.get(User, ppk_id)
                barrier.wait(timeout=30)
                appointment.appoint(application, ppk)
                outcome = "ok"
            except WorkflowError as error:
                outcome = error.reasons[0].code
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["appointment.post_filled"] * 2 + ["ok"], outcomes
    appointed = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(Application.state == "appointed")
    )
    assert appointed == 1
