"""The screening and assessment guards and actions, as wired in both workflow definitions."""

from __future__ import annotations

from datetime import date

import pytest

from openbid import clock
from openbid.extensions import db
from openbid.rules.reasons import ValidationFailed
from openbid.stages import assessment, screening
from openbid.workflow import GuardFailed, available_events, fire, workflows
from tests.factories import make_agency
from tests.stage_factories import make_nip, selection_in_screening

WIRING = {
    ("selection", "close_screening"): (
        ["all_applications_screened", "eligible_in_every_post"],
        None,
    ),
    ("selection", "close_assessment"): (["all_assessments_entered"], ["eliminate_unfit"]),
    ("application", "pass_screening"): (
        ["screening_open", "verdict_reasoned"],
        ["record_screening_verdict"],
    ),
    ("application", "fail_screening"): (
        ["screening_open", "verdict_reasoned"],
        ["record_screening_verdict"],
    ),
    ("application", "revise_screening"): (
        ["screening_open", "verdict_reasoned"],
        ["record_screening_verdict"],
    ),
    ("application", "eliminate"): (["elimination_open"], None),
}


@pytest.mark.parametrize("key", ["jpt-pratama-kasn", "jpt-pratama-bkn"])
def test_both_definitions_wire_the_screening_and_assessment_rules(app, key) -> None:
    definition = workflows().latest(key)
    for (machine, trigger), (guards, actions) in WIRING.items():
        transitions = [t for t in definition.machine(machine).transitions if t.trigger == trigger]
        assert transitions, trigger
        for transition in transitions:
            assert list(transition.guards[: len(guards)]) == guards, trigger
            if actions is not None:
                assert actions[0] in transition.actions, trigger


def test_verdict_buttons_say_why_a_pass_needs_a_reason(app) -> None:
    old = make_nip(birth=date(1961, 1, 1), cpns=date(1986, 3, 1))
    setup = selection_in_screening(make_agency(), candidates=[[{"nip": old}]])
    aged, fine = setup.applications[0], setup.applications[1]
    options = {e.name: e for e in available_events(aged, setup.secretariat)}
    assert not options["pass_screening"].enabled
    assert [r.code for r in options["pass_screening"].reasons] == ["screening.override_reason"]
    assert options["fail_screening"].requires == ("reason",)
    options = {e.name: e for e in available_events(fine, setup.secretariat)}
    assert options["pass_screening"].enabled


def test_the_close_guard_ignores_dropped_posts(stages, app) -> None:
    setup = stages.at("screening", positions=2)
    dropped = setup.selection.positions[1]
    for application in setup.by_post(1):
        fire(application, "close", setup.secretariat, {"reason": "Jabatan dibatalkan."})
    dropped.dropped_at = clock.now()
    dropped.drop_reason = "Jabatan dibatalkan."
    db.session.commit()
    for application in setup.by_post(0):
        screening.record_verdict(application, setup.secretariat, True)
    fire(setup.selection, "close_screening", setup.secretariat)
    assert setup.selection.state == "competency_assessment"


def test_candidates_can_still_be_eliminated_during_the_interview(stages, app) -> None:
    setup = stages.at("assessment")
    complete = {
        "assessment_score": "80",
        "assessed_on": "2018-12-10",
        "paper_score": "80",
        "track_record_score": "80",
        "health_fit": "MS",
        "psych_fit": "MS",
    }
    for application in setup.applications:
        assessment.save_result(application, setup.secretariat, **complete)
    fire(setup.selection, "close_assessment", setup.secretariat)
    assert setup.selection.state == "interview"
    application = setup.applications[0]
    assessment.eliminate(application, setup.secretariat, "Mengundurkan diri secara tertulis.")
    assert application.state == "eliminated"
    with pytest.raises(ValidationFailed) as error:
        assessment.save_result(setup.applications[1], setup.secretariat, paper_score="90")
    assert error.value.reasons[0].code == "assessment.closed"


def test_components_without_weight_are_not_required(stages, app) -> None:
    setup = stages.at("assessment")
    setup.selection.parameters = {
        "weights": {"track_record": 0.30, "interview": 0.40, "paper": 0, "assessment": 0.30}
    }
    db.session.commit()
    for application in setup.applications:
        assessment.save_result(
            application,
            setup.secretariat,
            assessment_score="70",
            assessed_on="2018-12-10",
            track_record_score="70",
            health_fit="ya",
            psych_fit="ya",
        )
    fire(setup.selection, "close_assessment", setup.secretariat)
    assert setup.selection.state == "interview"


def test_fitness_is_required_from_everyone_before_the_interview(stages, app) -> None:
    setup = stages.at("assessment", per_post=4)
    for application in setup.applications:
        assessment.save_result(
            application,
            setup.secretariat,
            assessment_score="70",
            assessed_on="2018-12-10",
            paper_score="70",
            track_record_score="70",
            psych_fit="MS",
        )
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "close_assessment", setup.secretariat)
    assert [r.code for r in error.value.reasons] == ["assessment.missing"]
    assert error.value.reasons[0].params["count"] == 4
