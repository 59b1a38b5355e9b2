"""The oversight body's later gates in openbid: an extension asked, approved (a letter issued
by a job) or refused; the final report's receipt; the waits of each gate, from its last
sending."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Approval,
    AuditEvent,
    DocumentStatus,
    IssuedDocument,
    Job,
    JobStatus,
    OversightReview,
    RegistrationExtension,
    Role,
    Selection,
)
from openbid.stages import oversight, overview
from openbid.stages.oversight.waiting import waited_days
from openbid.workflow import Forbidden, GuardFailed, available_events, fire
from tests.conftest import Browser
from tests.factories import PASSWORD
from tests.oversight_support import (
    ASKED_AT,
    SENT_AT,
    Short,
    ask,
    build_short,
    build_world,
    kasn,
    load_short,
    load_world,
    short_ids,
    world_ids,
)
from tests.stage_factories import clock_at


@pytest.fixture
def short(stages) -> Short:
    return stages.stage("oversight:short", build_short, ids=short_ids, load=load_short)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_secretariat_asks_with_its_reason_and_the_short_posts(short, client, browser) -> None:
    browser.login(short.secretariat.email, PASSWORD)
    page = f"/selections/{short.selection.id}/announcement"
    url = f"{page}/extension/request"
    with clock_at(ASKED_AT):
        # Bad input: no reason; nothing written, the reason named.
        response = browser.post(url, {"version": short.selection.version, "reason": " "}, page=page)
        assert response.status_code == 303
        assert not db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.event == "request_extension")
        ).all()
        data = {"version": short.selection.version, "reason": "Pelamar kurang dari 4 orang."}
        assert browser.post(url, data, page=page).status_code == 303
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "request_extension")
    ).one()
    assert event.actor_role == Role.SECRETARIAT
    asked = event.payload["data"]
    assert asked["reason"] == "Pelamar kurang dari 4 orang." and asked["number"] == 1
    assert asked["posts"] and all(p["applicants"] == 0 for p in asked["posts"])
    # One request at a time.
    selection = db.session.get(Selection, short.selection.id)
    with clock_at(ASKED_AT), pytest.raises(GuardFailed) as held:
        oversight.request_extension(selection, short.secretariat, reason="Lagi.")
    assert held.value.reasons[0].code == "oversight.extension_pending"
    # It waits in KASN's queue, with its working days.
    items = oversight.review_queue(db.session, short.body, today=date(2018, 12, 10))
    assert [(i.selection.id, i.gate, i.waited) for i in items] == [
        (short.selection.id, "extension", 2)
    ]


def test_the_reviewer_approves_by_a_job_and_the_secretariat_extends(
    short, app, client, browser
) -> None:
    ask(short)
    browser.login(short.reviewer.email, PASSWORD)
    page = f"/oversight/selections/{short.selection.id}"
    dossier = _text(client.get(f"{page}?lang=en"))
    assert "Pelamar kurang dari 4 orang." in dossier and "Approve the extension" in dossier
    selection = db.session.get(Selection, short.selection.id)
    with clock_at(ASKED_AT + timedelta(days=1)):
        response = browser.post(
            f"{page}/extension/approve", {"version": selection.version, "notes": ""}, page=page
        )
    assert response.status_code == 303 and "job=" in response.location
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == JobStatus.DONE and job.args["event"] == "approve_extension"
    approval = db.session.scalars(sa.select(Approval).where(Approval.purpose == "extension")).one()
    document = db.session.get(IssuedDocument, approval.document_id)
    assert document.status == DocumentStatus.ISSUED and document.series == "oversight:KASN"
    assert approval.source == "openbid" and approval.file_id == document.file_id
    # The progress area shows the issued letter.
    progress = _text(client.get(response.location + "&lang=en"))
    assert document.number in progress
    # The secretariat's extend_registration now passes its guard; the notice is a job.
    agency = app.test_client()
    Browser(agency).login(short.secretariat.email, PASSWORD)
    selection = db.session.get(Selection, short.selection.id)
    with clock_at(ASKED_AT + timedelta(days=1, hours=1)):
        answer = Browser(agency).post(
            f"/selections/{selection.id}/announcement/extension/apply",
            {"version": selection.version, "reason": "Disetujui KASN."},
            page=f"/selections/{selection.id}/announcement",
        )
    assert answer.status_code == 303 and "job=" in answer.location
    extension = db.session.scalars(sa.select(RegistrationExtension)).one()
    assert extension.approval_id == approval.id
    notice = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.kind == "extension_notice")
    ).one()
    assert notice.status == DocumentStatus.ISSUED
    jobs = db.session.scalars(sa.select(Job).order_by(Job.id)).all()
    assert [j.args["event"] for j in jobs] == ["approve_extension", "extend_registration"]
    # The wait ended with the letter, given in openbid.
    waits = oversight.gate_waits(db.session, selection, 10, today=date(2018, 12, 20))
    assert [(w.gate, w.source, w.waited) for w in waits if w.gate == "extension"] == [
        ("extension", "openbid", 1)
    ]


def test_the_reviewer_refuses_with_a_reason(short, app, client, browser) -> None:
    ask(short)
    browser.login(short.reviewer.email, PASSWORD)
    page = f"/oversight/selections/{short.selection.id}"
    url = f"{page}/extension/refuse"
    version = db.session.get(Selection, short.selection.id).version
    # No reason: refused, nothing written.
    assert browser.post(url, {"version": version, "reason": ""}, page=page).status_code == 303
    assert _count(OversightReview) == 0
    with clock_at(ASKED_AT + timedelta(days=1)):
        assert browser.post(url, {"version": version, "reason": "Tidak beralasan."}, page=page)
    review = db.session.scalars(sa.select(OversightReview)).one()
    assert review.gate == "extension" and review.outcome == "refused"
    assert review.notes == {"reason": "Tidak beralasan."}
    # The secretariat reads the refusal and its reason on the Announcement tab.
    agency = app.test_client()
    Browser(agency).login(short.secretariat.email, PASSWORD)
    tab = _text(agency.get(f"/selections/{short.selection.id}/announcement?lang=en"))
    assert "refused in openbid" in tab and "Tidak beralasan." in tab
    assert _count(Approval) == len(oversight_gate_letters(short))
    # The guard of extend_registration still holds: no approval on file.
    selection = db.session.get(Selection, short.selection.id)
    with clock_at(ASKED_AT):
        extend = next(
            e
            for e in available_events(selection, short.secretariat)
            if e.name == "extend_registration"
        )
    assert not extend.enabled
    # The request no longer waits; a new one may be sent.
    assert oversight.review_queue(db.session, short.body, today=date(2018, 12, 10)) == []
    with clock_at(ASKED_AT + timedelta(days=2)):
        oversight.request_extension(selection, short.secretariat, reason="Alasan baru.")
    items = oversight.review_queue(db.session, short.body, today=date(2018, 12, 10))
    assert [(i.gate, i.sent_on) for i in items] == [("extension", date(2018, 12, 8))]


def oversight_gate_letters(world: Short) -> list[Approval]:
    """Return the plan's gate letters the factories put on file."""
    return db.session.scalars(
        sa.select(Approval).where(
            Approval.selection_id == world.selection.id, Approval.purpose.like("gate:%")
        )
    ).all()


def test_who_may_decide_an_extension(short, app, client, browser) -> None:
    ask(short)
    selection = db.session.get(Selection, short.selection.id)
    # The agency cannot approve its own extension.
    with pytest.raises(Forbidden) as denied:
        fire(selection, "approve_extension", short.secretariat)
    assert denied.value.reasons[0].code == "access.role"
    browser.login(short.secretariat.email, PASSWORD)
    response = browser.post(
        f"/oversight/selections/{selection.id}/extension/approve", {"version": selection.version}
    )
    assert response.status_code == 403
    # A reviewer of another province's body sees nothing of it.
    with pytest.raises(Forbidden):
        fire(selection, "approve_extension", short.outsider)
    outside = app.test_client()
    other = Browser(outside)
    other.login(short.outsider.email, PASSWORD)
    assert outside.get(f"/oversight/selections/{selection.id}").status_code == 404
    response = other.post(
        f"/oversight/selections/{selection.id}/extension/refuse",
        {"version": selection.version, "reason": "x"},
        page="/oversight/",
    )
    assert response.status_code == 404
    # The reviewer may not ask for an extension.
    with clock_at(ASKED_AT), pytest.raises(Forbidden):
        oversight.request_extension(selection, short.reviewer, reason="x")
    assert _count(OversightReview) == 0
    assert not db.session.scalars(sa.select(Approval).where(Approval.purpose == "extension")).all()


# --- the final report ---------------------------------------------------------------------


def test_the_reviewer_acknowledges_the_final_report(stages, client, browser) -> None:
    built = stages.scenario()
    body, reviewer = kasn()
    body.provinces = [built.agency.province]
    db.session.commit()
    selection = db.session.get(Selection, built.selection.id)
    assert selection.state == "completed"
    items = oversight.review_queue(db.session, body)
    assert [(i.selection.id, i.gate) for i in items] == [(selection.id, "report")]
    # The agency cannot acknowledge its own report.
    with pytest.raises(Forbidden):
        fire(selection, "acknowledge_report", built.secretariat)
    browser.login(reviewer.email, PASSWORD)
    page = f"/oversight/selections/{selection.id}"
    dossier = _text(client.get(f"{page}?lang=en"))
    assert "Acknowledge receipt of the report" in dossier
    response = browser.post(
        f"{page}/report/acknowledge",
        {"version": selection.version, "notes": "Diterima."},
        page=page,
    )
    assert response.status_code == 303
    review = db.session.scalars(sa.select(OversightReview)).one()
    report = oversight.final_report(db.session, selection)
    assert review.gate == "report" and review.outcome == "received"
    assert review.document_id == report.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "acknowledge_report")
    ).one()
    assert event.from_state == event.to_state == "completed"
    assert oversight.review_queue(db.session, body) == []
    # Once only.
    with pytest.raises(GuardFailed) as again:
        oversight.acknowledge_report(db.session.get(Selection, selection.id), reviewer)
    assert again.value.reasons[0].code == "oversight.report_received"
    assert _count(OversightReview) == 1


# --- waiting restarts from the last sending -----------------------------------------------


def test_a_returned_plan_sent_again_waits_from_its_last_sending(stages) -> None:
    world = stages.stage("oversight:world", build_world, ids=world_ids, load=load_world)
    with clock_at(SENT_AT + timedelta(days=3)):  # Monday 13 August
        oversight.return_plan(world.ours, world.reviewer, reason="Lengkapi panitia.", notes={})
    resent = datetime(2018, 8, 20, 2, 0, tzinfo=UTC)  # Monday 20 August
    with clock_at(resent):
        fire(db.session.get(Selection, world.ours.id), "submit_for_approval", world.secretariat)
    today = date(2018, 8, 24)
    selection = db.session.get(Selection, world.ours.id)
    expected = waited_days(selection.agency, resent, today)
    since_first = waited_days(selection.agency, SENT_AT, today)
    assert expected < since_first
    # The body's queue, the dossier's (and auditor's) waits and the agency's dashboard agree.
    items = oversight.review_queue(db.session, world.body, today=today)
    assert [(i.gate, i.sent_on, i.waited) for i in items] == [("plan", resent.date(), expected)]
    waits = oversight.gate_waits(db.session, selection, 10, today=today)
    assert [(w.gate, w.sent_on, w.waited) for w in waits] == [("plan", resent.date(), expected)]
    agency = overview.oversight_waits(db.session, selection.agency_id, [selection], today)
    required = [w for w in agency if w.authority == "KASN"]
    assert [(w.since, w.days, w.waiting) for w in required] == [(resent.date(), expected, True)]
