"""The oversight body inside openbid: its scope, its decisions, waiting days and monitoring."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    Agency,
    Approval,
    AuditEvent,
    IssuedDocument,
    OversightBody,
    OversightReview,
    Role,
    Selection,
    SelectionState,
    User,
)
from openbid.stages import announcement, oversight
from openbid.workflow import Forbidden, GuardFailed, available_events, fire
from tests.conftest import Browser
from tests.factories import PASSWORD, make_agency, make_selection
from tests.oversight_support import (
    SENT_AT,
    TODAY,
    World,
    build_world,
    kasn,
    load_world,
    world_ids,
)
from tests.querycount import statements
from tests.stage_factories import clock_at, publish, tiny_pdf


@pytest.fixture
def world(stages) -> World:
    """The two sent plans, built once per process."""
    return stages.stage("oversight:world", build_world, ids=world_ids, load=load_world)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_reviewer_sees_nothing_of_an_agency_outside_its_scope(world, client, browser) -> None:
    browser.login(world.reviewer.email, PASSWORD)
    queue = _text(client.get("/oversight/?lang=en"))
    assert world.ours.title in queue and world.theirs.title not in queue
    assert client.get(f"/oversight/selections/{world.theirs.id}").status_code == 404
    response = browser.post(
        f"/oversight/selections/{world.theirs.id}/approve",
        {"version": world.theirs.version},
        page="/oversight/",
    )
    assert response.status_code == 404
    monitoring = _text(client.get("/oversight/monitoring"))
    assert world.theirs.agency.name not in monitoring and world.ours.agency.name in monitoring
    assert world.theirs.agency.name not in _text(client.get("/oversight/monitoring.csv"))
    with pytest.raises(Forbidden):
        fire(world.theirs, "approve_plan", world.reviewer)
    assert db.session.get(Selection, world.theirs.id).state == SelectionState.APPROVAL
    assert db.session.scalar(sa.select(sa.func.count(Approval.id))) == 0


def test_an_agency_user_cannot_approve_its_own_plan(world, client, browser) -> None:
    with pytest.raises(Forbidden) as denied:
        fire(world.ours, "approve_plan", world.secretariat)
    assert denied.value.reasons[0].code == "access.role"
    assert not [e for e in available_events(world.ours, world.secretariat) if "plan" in e.name]
    browser.login(world.secretariat.email, PASSWORD)
    assert client.get("/oversight/").status_code == 403
    response = browser.post(
        f"/oversight/selections/{world.ours.id}/approve", {"version": world.ours.version}
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Approval.id))) == 0


def test_a_returned_plan_goes_back_to_draft_with_the_notes(world, app, client, browser) -> None:
    browser.login(world.reviewer.email, PASSWORD)
    page = f"/oversight/selections/{world.ours.id}"
    url = f"{page}/return"
    # Without a reason nothing is written and the reason is shown.
    response = browser.post(url, {"version": world.ours.version, "reason": " "}, page=page)
    assert response.status_code == 303
    assert db.session.get(Selection, world.ours.id).state == SelectionState.APPROVAL
    assert db.session.scalar(sa.select(sa.func.count(OversightReview.id))) == 0
    data = {
        "version": world.ours.version,
        "reason": "Susunan panitia belum memenuhi unsur eksternal.",
        "note_committee": "Tambahkan satu anggota dari perguruan tinggi.",
    }
    assert browser.post(url, data, page=page).status_code == 303
    db.session.expire_all()
    selection = db.session.get(Selection, world.ours.id)
    assert selection.state == SelectionState.DRAFT
    review = db.session.scalars(sa.select(OversightReview)).one()
    assert review.outcome == "returned" and review.waited_days >= 1
    assert review.notes["committee"] == "Tambahkan satu anggota dari perguruan tinggi."
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "return_plan")).one()
    assert event.actor_role == Role.OVERSIGHT and event.to_state == "draft"
    assert event.payload["data"]["notes"] == {"committee": data["note_committee"]}
    history = client.get(f"{page}?lang=en")
    assert history.status_code == 200 and "returned" in _text(history)
    agency = app.test_client()
    Browser(agency).login(world.secretariat.email, PASSWORD)
    plan = _text(agency.get(f"/selections/{world.ours.id}/plan"))
    assert "Tambahkan satu anggota dari perguruan tinggi." in plan
    assert data["reason"] in plan


def test_the_letter_is_given_numbered_signed_registered_and_satisfies_the_gate(
    world, client, browser
) -> None:
    browser.login(world.reviewer.email, PASSWORD)
    page = f"/oversight/selections/{world.ours.id}"
    assert "composition checks pass" in _text(client.get(f"{page}?lang=en"))
    response = browser.post(
        f"{page}/approve", {"version": world.ours.version, "notes": "Laporkan hasilnya."}, page=page
    )
    assert response.status_code == 303
    db.session.expire_all()
    approval = db.session.scalars(sa.select(Approval)).one()
    document = db.session.get(IssuedDocument, approval.document_id)
    assert approval.purpose == "gate:kasn_recommendation" and approval.source == "openbid"
    assert document.kind == "oversight_recommendation" and document.signed
    assert document.number.startswith("B-1/KASN/") and approval.letter_number == document.number
    assert document.series == "oversight:KASN" and approval.file_id == document.file_id
    verify = _text(client.get(f"/verify/{document.verification_code}"))
    assert document.number in verify and "Komisi Aparatur Sipil Negara" in verify
    publish_event = next(
        e
        for e in available_events(world.ours, world.secretariat)
        if e.name == "publish_announcement"
    )
    assert publish_event.enabled, publish_event.reasons
    # A second letter for the same sending is refused.
    version = db.session.get(Selection, world.ours.id).version
    again = browser.post(f"{page}/approve", {"version": version}, page=page)
    assert again.status_code == 303
    dossier = client.get(f"{page}?lang=en")
    assert dossier.status_code == 200
    assert "A letter is already on file" in _text(dossier) and "letter given" in _text(dossier)
    assert db.session.scalar(sa.select(sa.func.count(Approval.id))) == 1


def test_waiting_days_skip_weekends_and_holidays(world) -> None:
    items = oversight.review_queue(db.session, world.body, today=TODAY)
    assert [(i.selection.id, i.gate, i.waited) for i in items] == [(world.ours.id, "plan", 4)]
    assert not items[0].overdue
    late = oversight.review_queue(db.session, world.body, today=date(2018, 8, 31))
    assert late[0].waited == 12 and late[0].overdue  # past the 10 working days
    waits = oversight.gate_waits(db.session, world.ours, 10, today=TODAY)
    assert [(w.gate, w.waited, w.decided_on) for w in waits] == [("plan", 4, None)]


# --- monitoring: 2 agencies x 3 selections ------------------------------------------------


def _monitoring_world() -> None:
    _body, reviewer = kasn()
    for _ in range(2):
        agency = make_agency(province="Banten")
        drafts = [make_selection(agency) for _ in range(3)]
        (_draft, _), (sent, secretariat), (published, _) = drafts
        with clock_at(SENT_AT):
            fire(sent, "submit_for_approval", secretariat)
            fire(published, "submit_for_approval", secretariat)
            oversight.approve_plan(published, reviewer)
        publish(published, secretariat)
    make_selection(make_agency(province="Jawa Barat"))  # outside KASN's Banten scope


def test_monitoring_counts_match_the_database(stages, client, browser) -> None:
    stages.stage("oversight:monitoring", _monitoring_world)
    body = db.session.scalars(sa.select(OversightBody)).one()
    db.session.expire_all()
    with statements() as sent:
        data = oversight.monitoring(db.session, body)
    # A fixed number of queries for 6 selections in 2 agencies: none per row or agency.
    assert len(sent) <= 10, sent  # the body (expired), then 9
    expected = db.session.execute(
        sa.select(Selection.state, Agency.name, sa.func.count(Selection.id))
        .join(Agency)
        .where(Agency.province == "Banten")
        .group_by(Selection.state, Agency.name)
    ).all()
    assert {(s, a): n for s, a, n in expected} == {
        (s, a): n for s, counts in data.by_stage.items() for a, n in counts.items()
    }
    assert len(data.rows) == 6 and len(data.agencies) == 2
    assert sorted(data.by_stage) == ["announcement", "approval", "draft"]
    given = [r for r in data.rows if r.sources.get("plan") == "openbid"]
    assert len(given) == 2 and all(r.waits["plan"] == 0 for r in given)
    browser.login(
        db.session.scalars(sa.select(User).where(User.role == Role.OVERSIGHT)).one().email, PASSWORD
    )
    csv_text = _text(client.get("/oversight/monitoring.csv"))
    assert len(csv_text.strip().splitlines()) == 1 + 6
    header = csv_text.splitlines()[0].split(",")
    for gate in ("plan", "results", "extension", "report"):  # every gate the body decides
        assert f"{gate}_waited_working_days" in header and f"{gate}_letter" in header
    page = _text(client.get("/oversight/monitoring?lang=en"))
    assert page.count('<svg class="chart') == 2
    assert "Extension of registration" in page and "Final report" in page


def test_a_letter_on_paper_still_satisfies_the_gate_and_says_so(world) -> None:
    with clock_at(datetime(2018, 8, 14, 3, 0, tzinfo=UTC)):
        announcement.record_gate_letter(
            world.ours,
            world.secretariat,
            gate="kasn_recommendation",
            letter_number="B-2781/KASN/08/2018",
            letter_date=date(2018, 8, 13),
            subject="Rekomendasi",
            pdf=tiny_pdf("surat KASN"),
            filename="surat.pdf",
        )
    assert oversight.review_queue(db.session, world.body, today=TODAY) == []
    [wait] = oversight.gate_waits(db.session, world.ours, 10, today=TODAY)
    assert (wait.source, wait.waited, wait.decided_on) == ("paper", 2, date(2018, 8, 14))
    with pytest.raises(GuardFailed) as refused:
        oversight.approve_plan(world.ours, world.reviewer)
    assert refused.value.reasons[0].code == "oversight.decided"
