"""Administrative screening: the rules fed from each application, and the committee's verdicts."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Application,
    Approval,
    AuditEvent,
    CandidateProfile,
    Role,
    ScreeningVerdict,
)
from openbid.rules.reasons import Term, ValidationFailed
from openbid.stages import screening
from openbid.stages.common.applications import create_application
from openbid.stages.common.reference import reference_date
from openbid.workflow import Forbidden, GuardFailed, fire
from tests.factories import make_agency, make_user
from tests.stage_factories import (
    application_count,
    make_nip,
    pass_everyone,
    selection_in_screening,
    tiny_pdf,
)

# Born 1 January 1961: 57 all through 2018, whatever day registration closes.
AGED_57 = {"nip": make_nip(birth=date(1961, 1, 1), cpns=date(1986, 3, 1)), "name": "Drs. Tua"}


def _failures(application: Application) -> dict[str, list[str]]:
    failed: dict[str, list[str]] = {}
    for result in screening.evaluate(application):
        if not result.passed:
            failed.setdefault(result.rule, []).append(str(result.reason))
    return failed


def _counts(setup) -> tuple[int, int]:
    verdicts = db.session.scalar(sa.select(sa.func.count(ScreeningVerdict.id)))
    events = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.selection_id == setup.selection.id)
    )
    return verdicts, events


def test_the_reference_date_is_the_registration_close_in_jakarta(stages, app) -> None:
    setup = stages.at("screening")
    # Published 20 November 2018 09:00 WIB for 15 calendar days: closes 4 December 23:59 WIB
    # (16:59 UTC the same day).
    assert reference_date(setup.selection) == date(2018, 12, 4)


def test_a_fixed_reference_date_in_the_parameters_wins(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    selection = setup.selection
    selection.parameters = {"eligibility": {"reference_date": "1960-06-01"}}
    db.session.commit()
    assert reference_date(selection) == date(1960, 6, 1)
    failed = _failures(setup.applications[0])
    assert failed["age"] == [
        "The birth date 1961-01-01 in the NIP is after the reference date 1960-06-01."
    ]


def test_a_candidate_aged_57_fails_the_age_rule_with_both_ages(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    (age,) = [r for r in screening.evaluate(setup.applications[0]) if r.rule == "age"]
    assert not age.passed
    assert age.reason.code == "eligibility.age"
    assert str(age.reason) == "Age at 2018-12-04 is 57 years; the maximum is 56."
    assert age.legal_basis == "PP 11/2017 Pasal 107(1)(c)(6), as amended by PP 17/2020"
    # The others of the post are eligible on every rule.
    assert all(not _failures(a) for a in setup.applications[1:])


def test_a_bad_nip_in_the_snapshot_names_each_wrong_part(stages, app) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    assert application.profile_snapshot["nip"]  # the portal took a snapshot at submission
    application.profile_snapshot = {**application.profile_snapshot, "nip": "197013321995033000"}
    db.session.commit()
    failed = _failures(application)
    assert failed["nip"] == [
        "Digits 1-8 (19701332) are not a valid birth date (YYYYMMDD).",
        "Digit 15 (3) must be 1 (male) or 2 (female).",
        "Digits 16-18 (000) are a serial number and cannot be 000.",
    ]
    assert failed["age"] == ["The age cannot be computed because the NIP is not valid."]


def test_the_snapshot_is_screened_not_the_profile_edited_since(stages, app) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    profile = db.session.scalar(
        sa.select(CandidateProfile).where(CandidateProfile.user_id == application.candidate_id)
    )
    profile.rank = "III/d"
    db.session.commit()
    assert "rank" not in _failures(application)


def test_without_a_snapshot_the_current_profile_is_screened(stages, app) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    application.profile_snapshot = {}
    profile = db.session.scalar(
        sa.select(CandidateProfile).where(CandidateProfile.user_id == application.candidate_id)
    )
    profile.rank = "III/d"
    db.session.commit()
    (item,) = screening.screen(setup.selection, [application])
    assert item.profile_source == "current"
    assert _failures(application)["rank"] == [
        "Rank III/d (Penata Tingkat I) is below the minimum, IV/b (Pembina Tingkat I)."
    ]


def test_a_rank_below_iv_b_fails_and_the_posts_own_minimum_decides(app) -> None:
    setup = selection_in_screening(
        make_agency(), positions=2, candidates=[[{"rank": "IV/a"}], [{"rank": "IV/a"}]]
    )
    first, second = setup.by_post(0)[0], setup.by_post(1)[0]
    assert _failures(first) == {
        "rank": ["Rank IV/a (Pembina) is below the minimum, IV/b (Pembina Tingkat I)."]
    }
    # The second post asks only IV/a (set in draft; changed here directly for the test).
    setup.selection.positions[1].min_rank = "IV/a"
    db.session.commit()
    assert _failures(second) == {}


def test_a_missing_required_document_fails_its_own_rule(app) -> None:
    setup = selection_in_screening(
        make_agency(), candidates=[[{"documents": ["surat_lamaran", "cv", "sk_pangkat"]}]]
    )
    failed = _failures(setup.applications[0])
    assert failed["document.ijazah"] == ["Missing document: diploma."]
    assert len([rule for rule in failed if rule.startswith("document.")]) == 8
    assert set(failed) == {rule for rule in failed if rule.startswith("document.")}


def test_a_superseded_document_does_not_count(stages, app) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    from openbid import clock
    from openbid.models import ApplicationDocument

    doc = db.session.scalar(
        sa.select(ApplicationDocument).where(
            ApplicationDocument.application_id == application.id,
            ApplicationDocument.doc_type == "cv",
        )
    )
    doc.superseded_at = clock.now()
    db.session.commit()
    assert _failures(application) == {"document.cv": ["Missing document: curriculum vitae."]}


def test_one_post_per_applicant_fails_both_applications(app) -> None:
    agency = make_agency()
    setup = selection_in_screening(agency, positions=2)
    selection = setup.selection
    # Submitted while the rule was off (the portal then allows it), screened with it on.
    selection.parameters = {"eligibility": {"one_post_per_selection": False}}
    db.session.commit()
    twice = setup.applications[0].candidate
    from tests.stage_factories import clock_at, upload_documents

    with clock_at(selection.registration_opens_at):
        second = create_application(selection.positions[1], twice)
        upload_documents(second)
        second.state = "submitted"  # as if submitted in time: registration is closed now
        second.submitted_at = selection.registration_opens_at
        second.profile_snapshot = dict(setup.applications[0].profile_snapshot)
        db.session.commit()
    selection.parameters = {}
    db.session.commit()
    assert _failures(setup.applications[0]) == {
        "one_post": [
            "The applicant also applied to Kepala Dinas 2 in this selection; an applicant"
            " may apply to one post only."
        ]
    }
    assert _failures(second)["one_post"][0].startswith(
        "The applicant also applied to Kepala Dinas 1"
    )


def test_a_presidential_waiver_turns_the_age_failure_into_a_waived_pass(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    application = setup.applications[0]
    db.session.add(
        Approval(
            selection_id=setup.selection.id,
            purpose=f"waiver:{application.id}",
            authority="Presiden",
            letter_number="B-12/Kemensetneg/2018",
            letter_date=date(2018, 11, 30),
            recorded_by_id=setup.secretariat.id,
        )
    )
    db.session.commit()
    (age,) = [r for r in screening.evaluate(application) if r.rule == "age"]
    assert age.passed and age.reason.code == "eligibility.waived"
    assert str(age.waived_failure) == "Age at 2018-12-04 is 57 years; the maximum is 56."
    # A waiver covers Pasal 107 only, not the announcement's extras such as the rank.
    application.profile_snapshot = {**application.profile_snapshot, "rank": "IV/a"}
    db.session.commit()
    assert list(_failures(application)) == ["rank"]


# --- verdicts ----------------------------------------------------------------------------


def test_confirming_a_pass_needs_no_reason_and_stores_every_rule(stages, app) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    member = setup.committee[1]
    result = screening.record_verdict(application, member, True)
    assert result.to_state == "eligible"
    verdict = db.session.scalar(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
    )
    assert verdict.passed and verdict.rules_passed and not verdict.overridden
    assert verdict.decided_by_id == member.id
    rules = {item["rule"]: item for item in verdict.rule_results}
    assert rules["age"] == {
        "rule": "age",
        "passed": True,
        "code": None,
        "message": None,
        "reason": None,
        "legal_basis": "PP 11/2017 Pasal 107(1)(c)(6), as amended by PP 17/2020",
        "waived_failure": None,
        "pending": False,
    }
    assert rules["health"]["code"] == "eligibility.health_pending"
    assert rules["health"]["pending"] is True  # kept as "not yet checked", not as "met"
    (health,) = [r for r in screening.stored_results(verdict) if r.rule == "health"]
    assert health.outcome == "unchecked"
    event = db.session.get(AuditEvent, result.audit_event_id)
    assert event.event == "pass_screening"
    assert event.payload["data"]["rules_passed"] is True
    assert event.payload["data"]["overridden"] is False


def test_a_fail_without_reason_is_refused_and_changes_nothing(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    application = setup.applications[0]
    before = _counts(setup)
    with pytest.raises(ValidationFailed) as error:
        screening.record_verdict(application, setup.secretariat, False, "   ")
    assert [str(r) for r in error.value.reasons] == [
        "Write the reason this application fails; the candidate will read it."
    ]
    db.session.expire_all()
    assert application.state == "submitted"
    assert _counts(setup) == before


def test_an_override_without_reason_is_refused(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    application = setup.applications[0]
    before = _counts(setup)
    with pytest.raises(ValidationFailed) as error:
        screening.record_verdict(application, setup.secretariat, True, "")
    assert error.value.reasons[0].code == "screening.override_reason"
    assert str(error.value.reasons[0]) == (
        "The rules found this application ineligible; write the reason the committee"
        " passes it anyway."
    )
    assert _counts(setup) == before


def test_the_guard_refuses_an_override_fired_directly_without_reason(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    application = setup.applications[0]
    with pytest.raises(GuardFailed) as error:
        fire(application, "pass_screening", setup.secretariat)
    assert [r.code for r in error.value.reasons] == ["screening.override_reason"]
    db.session.expire_all()
    assert application.state == "submitted"


def test_an_override_with_reason_is_recorded_as_such(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    application = setup.applications[0]
    reason = "Persetujuan Presiden atas pengecualian batas usia sudah diterima."
    screening.record_verdict(application, setup.secretariat, True, reason)
    verdict = db.session.scalar(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
    )
    assert verdict.passed and not verdict.rules_passed and verdict.overridden
    assert verdict.reason == reason
    assert [str(r) for r in screening.verdict_reasons(verdict)] == [
        "Age at 2018-12-04 is 57 years; the maximum is 56."
    ]


def test_a_fail_with_reason_and_its_revision(stages, app) -> None:
    setup = stages.at("screening", candidates=[[AGED_57]])
    application = setup.applications[0]
    screening.record_verdict(application, setup.secretariat, False, "Usia melebihi 56 tahun.")
    assert application.state == "ineligible"
    with pytest.raises(ValidationFailed) as error:
        screening.record_verdict(application, setup.secretariat, False, "again")
    assert error.value.reasons[0].code == "screening.same_verdict"
    with pytest.raises(ValidationFailed) as error:
        screening.record_verdict(application, setup.secretariat, True, "")
    assert error.value.reasons[0].code == "screening.revision_reason"
    screening.record_verdict(application, setup.secretariat, True, "Waiver letter received.")
    assert application.state == "eligible"
    verdicts = db.session.scalars(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
    ).all()
    assert len(verdicts) == 1 and verdicts[0].passed and verdicts[0].overridden
    # And back to fail, with a reason, while screening is still open.
    screening.record_verdict(application, setup.secretariat, False, "Waiver withdrawn.")
    assert application.state == "ineligible"


def test_closing_with_a_pending_verdict_is_refused(stages, app) -> None:
    setup = stages.at("screening")
    for application in setup.applications[1:]:
        screening.record_verdict(application, setup.secretariat, True)
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "close_screening", setup.secretariat)
    assert [str(r) for r in error.value.reasons] == [
        "1 applications still have no screening verdict."
    ]
    assert setup.selection.state == "administrative_screening"


def test_closing_needs_an_eligible_applicant_in_every_open_post(stages, app) -> None:
    setup = stages.at("screening", positions=2)
    for application in setup.by_post(0):
        screening.record_verdict(application, setup.secretariat, True)
    for application in setup.by_post(1):
        screening.record_verdict(application, setup.secretariat, False, "Berkas tidak sah.")
    with pytest.raises(GuardFailed) as error:
        fire(setup.selection, "close_screening", setup.secretariat)
    assert [str(r) for r in error.value.reasons] == [
        "No applicant for Kepala Dinas 2 passed administrative screening; the post cannot go"
        " on to the competency assessment."
    ]


def test_verdicts_end_when_screening_closes(stages, app) -> None:
    setup = stages.at("screening")
    pass_everyone(setup)
    fire(setup.selection, "close_screening", setup.secretariat)
    application = setup.applications[0]
    with pytest.raises(GuardFailed) as error:
        screening.record_verdict(application, setup.secretariat, False, "Too late.")
    assert [r.code for r in error.value.reasons] == ["screening.closed"]
    assert application_count(setup.selection, "eligible") == 4


def test_roles_that_do_not_screen_are_refused(stages, app) -> None:
    setup = stages.at("screening")
    before = _counts(setup)
    for role in (Role.PPK, Role.AUDITOR, Role.ADMIN):
        user = make_user(role, setup.agency)
        with pytest.raises(Forbidden):
            screening.record_verdict(setup.applications[0], user, True)
    assert application_count(setup.selection, "submitted") == 4
    assert _counts(setup) == before


def test_a_member_of_another_committee_or_agency_is_refused(stages, app) -> None:
    setup = stages.at("screening")
    other = selection_in_screening(make_agency())
    with pytest.raises(Forbidden) as error:
        screening.record_verdict(setup.applications[0], other.committee[0], True)
    assert error.value.reasons[0].code == "access.other_agency"
    same_agency = selection_in_screening(setup.agency)
    with pytest.raises(Forbidden) as error:
        screening.record_verdict(setup.applications[0], same_agency.committee[0], True)
    assert error.value.reasons[0].code == "access.not_member"
    candidate = setup.applications[1].candidate
    with pytest.raises(Forbidden):
        screening.record_verdict(setup.applications[1], candidate, True)
    assert application_count(setup.selection, "submitted") == 4


def test_stored_results_translate_their_document_labels_again(stages, app) -> None:
    setup = stages.at("screening", candidates=[[{"documents": []}]])
    application = setup.applications[0]
    screening.record_verdict(application, setup.secretariat, False, "Berkas tidak lengkap.")
    verdict = db.session.scalar(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
    )
    reasons = screening.verdict_reasons(verdict)
    assert len(reasons) == 11
    assert isinstance(reasons[0].params["document"], Term)
    assert reasons[0].translate(lambda s: f"<{s}>") == "<Missing document: <application letter>.>"


def _loader_queries(setup) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        applications = screening.applications_to_screen(setup.selection)
        screened = screening.screen(setup.selection, applications)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(screened) == len(setup.applications)
    return len(statements)


def test_the_page_loader_does_not_grow_queries_with_applications(stages, app) -> None:
    small = stages.at("screening", per_post=4)
    large = selection_in_screening(make_agency(), positions=2, per_post=7)
    # Waivers and snapshot-less applications take their own query: include both in each.
    for setup in (small, large):
        setup.applications[0].profile_snapshot = {}
        db.session.add(
            Approval(
                selection_id=setup.selection.id,
                purpose=f"waiver:{setup.applications[1].id}",
                authority="Presiden",
                letter_number="B-1/2018",
                letter_date=date(2018, 11, 30),
                recorded_by_id=setup.secretariat.id,
            )
        )
        screening.record_verdict(setup.applications[2], setup.secretariat, True)
    db.session.commit()
    assert _loader_queries(small) == _loader_queries(large) <= 8


def test_tiny_pdf_is_a_pdf_the_upload_check_accepts(app) -> None:
    from openbid.uploads import check_pdf

    assert check_pdf(tiny_pdf(), 1_000_000) == []
