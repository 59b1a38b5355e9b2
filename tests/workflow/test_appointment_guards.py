"""Guards of the appointment stage: nobody moves a candidate against the frozen result."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, Selection
from openbid.stages import appointment
from openbid.workflow import EventNotAvailable, GuardFailed, available_events, fire
from tests.factories import make_agency
from tests.interview_factories import (
    close_interview,
    make_ppk,
    record_recommendation,
    score_everyone,
    selection_in_interview,
)

POST = "Kepala Dinas 1"


def _messages(error: pytest.ExceptionInfo) -> list[str]:
    return [str(r) for r in error.value.reasons]


def _state(application: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


@pytest.fixture
def setup(stages):
    return stages.at("appointment", per_post=4)


def test_nobody_shortlists_or_unshortlists_by_hand(setup) -> None:
    apps = setup.applications
    with pytest.raises(GuardFailed) as error:
        fire(apps[3], "shortlist", setup.secretariat)
    assert _messages(error) == [
        f"{apps[3].candidate.name} is not among the three best of {POST} in revision 1."
    ]
    db.session.rollback()
    with pytest.raises(GuardFailed) as error:
        fire(apps[0], "not_shortlist", setup.committee[0])
    assert _messages(error) == [
        f"{apps[0].candidate.name} is among the three best of {POST} in revision 1."
    ]
    db.session.rollback()
    assert [_state(a) for a in apps] == ["shortlisted"] * 3 + ["not_shortlisted"]


def test_nobody_is_shortlisted_before_the_freeze(stages, app) -> None:
    setup = stages.at("interview", per_post=4)
    with pytest.raises(GuardFailed) as error:
        fire(setup.applications[0], "shortlist", setup.secretariat)
    assert _messages(error) == [
        f"The three best of {POST} have not been frozen yet; that happens when the interviews"
        " close."
    ]


def test_not_appointed_only_once_someone_is_appointed(setup) -> None:
    apps = setup.applications
    ppk = make_ppk(setup)
    with pytest.raises(GuardFailed) as error:
        fire(apps[1], "not_appoint", ppk)
    assert _messages(error) == [
        f"{apps[1].candidate.name} can be marked not appointed only after the appointing"
        f" official has appointed someone to {POST}."
    ]
    db.session.rollback()
    record_recommendation(setup)
    appointment.appoint(apps[0], ppk)
    fire(apps[1], "not_appoint", ppk)
    assert _state(apps[1]) == "not_appointed"


def test_the_pick_buttons_reasons_match_the_guards(setup) -> None:
    ppk = make_ppk(setup)
    (option,) = [o for o in available_events(setup.applications[0], ppk) if o.name == "appoint"]
    assert not option.enabled
    assert [r.code for r in option.reasons] == ["appointment.no_recommendation"]
    record_recommendation(setup)
    (option,) = [o for o in available_events(setup.applications[0], ppk) if o.name == "appoint"]
    assert option.enabled


def test_no_pick_after_the_selection_is_completed(setup) -> None:
    apps = setup.applications
    ppk = make_ppk(setup)
    record_recommendation(setup)
    appointment.appoint(apps[0], ppk)
    fire(setup.selection, "complete", setup.secretariat)
    with pytest.raises(GuardFailed) as error:
        appointment.appoint(apps[3], ppk)
    codes = [r.code for r in error.value.reasons]
    assert codes[:3] == [
        "appointment.stage",
        "appointment.not_in_shortlist",
        "appointment.post_filled",
    ]
    db.session.rollback()
    with pytest.raises(EventNotAvailable):
        appointment.appoint(apps[1], ppk)  # not_appointed is final


def test_completion_counts_open_posts_and_allows_an_approved_vacancy(app) -> None:
    # Post 2's candidates all fail the paper pass mark: nobody qualifies there.
    setup = selection_in_interview(
        make_agency(),
        positions=2,
        per_post=4,
        results=[[], [{"paper_score": 40}] * 4],
    )
    setup.selection.parameters = {**setup.selection.parameters, "pass_marks": {"paper": 60}}
    db.session.commit()
    score_everyone(setup)
    close_interview(setup)
    first, second = setup.selection.positions
    assert appointment.current_result(db.session, second.id).shortlist == []
    ppk = make_ppk(setup)
    record_recommendation(setup)
    appointment.appoint(setup.by_post(0)[1], ppk)
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "complete", setup.secretariat)
    assert _messages(error) == [
        "The appointing official has not chosen anyone for Kepala Dinas 2 yet.",
        "Qualified candidates for Kepala Dinas 2: 0 of the 3 needed; record the approval to"
        " proceed with fewer first.",
    ]
    db.session.rollback()
    appointment.record_override_letter(
        second,
        setup.secretariat,
        authority="KASN",
        letter_number="B-3800/KASN/12/2018",
        letter_date=date(2018, 12, 21),
        notes="The post is left vacant and will be offered in a new selection.",
    )
    fire(setup.selection, "complete", setup.secretariat)
    db.session.expire_all()
    assert db.session.get(Selection, setup.selection.id).state == "completed"
    appointed = db.session.scalars(
        sa.select(Application).where(Application.state == "appointed")
    ).all()
    assert [a.position_id for a in appointed] == [first.id]
