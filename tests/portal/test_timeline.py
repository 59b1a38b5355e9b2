"""Following an application: results appear when published, with the committee's reason,
and every published result is emailed (the ``notify_candidates`` action)."""

from __future__ import annotations

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, OutboxMessage
from openbid.stages import applications as portal
from openbid.workflow import fire
from tests.factories import make_agency
from tests.interview_factories import make_ppk, record_recommendation
from tests.portal.helpers import body_of, english, login, mail_to
from tests.stage_factories import clock_at, pass_everyone, selection_in_screening


def _results_mail() -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _rejected_and_midway_timelines(setup, failing, html, client, browser) -> None:
    """The rejected candidate's later stages are not theirs; one still in sees their schedule."""
    assert "planned: 17 December 2018" not in html and "Ruang Rapat" not in html
    timeline = portal.timelines([failing])[failing.id]
    statuses = {s.name: s.status for s in timeline.stages}
    assert statuses["administrative_screening"] == "ended"
    assert {statuses[n] for n in ("competency_assessment", "interview", "completed")} == {
        "not_reached"
    }
    ended = next(s for s in timeline.stages if s.status == "ended")
    assert ended.ended.state == "ineligible" and "below the minimum" in ended.ended.reason
    assert html.count("not reached: your application ended at an earlier stage") == 4
    assert "your application ended here" in html
    passing = setup.applications[1]
    browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    login(browser, passing.candidate)
    html = client.get(f"/portal/applications/{passing.id}").get_data(as_text=True)
    assert "not reached" not in html
    assert "Wawancara akhir" in html and "17 December 2018, 09:00 WIB" in html
    assert "Place: Ruang Rapat Wali Kota" in html


def test_screening_results_appear_when_published_with_the_committees_reason(
    app, client, browser
) -> None:
    setup = selection_in_screening(make_agency(), candidates=[[{"rank": "III/d"}]])
    setup.selection.schedule = [
        {"stage": "competency_assessment", "starts_on": "2018-12-10", "ends_on": "2018-12-12"},
        {
            "stage": "Wawancara akhir",
            "starts_on": "2018-12-17",
            "ends_on": "2018-12-17",
            "time": "09:00",
            "place": "Ruang Rapat Wali Kota",
        },
    ]
    db.session.commit()
    failing = setup.applications[0]
    login(browser, failing.candidate)
    english(client)
    page = f"/portal/applications/{failing.id}"

    pass_everyone(setup, setup.committee[0])
    db.session.refresh(failing)
    assert failing.state == "ineligible"
    html = client.get(page).get_data(as_text=True)
    assert "Did not pass administrative screening" not in html  # not published yet
    assert "Submitted" in html
    assert _results_mail() == []

    with clock_at(
        setup.selection.registration_closes_at + __import__("datetime").timedelta(days=3)
    ):
        fire(setup.selection, "close_screening", setup.secretariat)

    html = client.get(page).get_data(as_text=True)
    assert "Did not pass administrative screening" in html
    assert "Reason given by the selection committee:" in html
    assert "Rank III/d (Penata Tingkat I) is below the minimum" in html
    _rejected_and_midway_timelines(setup, failing, html, client, browser)
    messages = _results_mail()
    assert len(messages) == len(setup.applications)  # one per candidate
    (notice,) = mail_to(app, failing.candidate.email)
    assert "Rank III/d (Penata Tingkat I) is below the minimum" in body_of(notice)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.event == "candidates_notified")
    )
    assert event.payload["trigger"] == "close_screening"
    assert event.payload["notified"]["ineligible"] == [failing.id]
    assert sorted(event.payload["notified"]["eligible"]) == sorted(
        a.id for a in setup.applications[1:]
    )


def test_every_later_result_is_published_and_emailed_once(stages, app) -> None:
    setup = stages.at("appointment", per_post=4)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.event == "candidates_notified")
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["trigger"] for e in events] == ["close_screening", "close_interview"]
    interview = events[-1].payload["notified"]
    assert len(interview["shortlisted"]) == 3 and len(interview["not_shortlisted"]) == 1

    best = db.session.get(type(setup.applications[0]), interview["shortlisted"][0])
    ppk = make_ppk(setup)
    record_recommendation(setup)
    fire(best, "appoint", ppk)
    fire(setup.selection, "complete", setup.secretariat)
    final = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.event == "candidates_notified")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert final.payload["trigger"] == "complete"
    assert final.payload["notified"]["appointed"] == [best.id]
    assert len(final.payload["notified"]["not_appointed"]) == 3
    appointed_mail = mail_to(app, best.candidate.email)
    assert "telah memilih Anda" in body_of(appointed_mail[-1])  # written in Indonesian
    # each candidate: screening, interview and final notices; never the same result twice
    assert len(appointed_mail) == 3

    timeline = portal.timelines([best])[best.id]
    assert timeline.visible_state == "appointed"
    assert [o.state for o in timeline.outcomes] == [
        "draft",
        "submitted",
        "eligible",
        "shortlisted",
        "appointed",
    ]
    assert timeline.stages[-1].name == "completed" and timeline.stages[-1].reached_at
    assert {s.status for s in timeline.stages} == {"done", "current"}  # completed is current
    seen = []
    for other in portal.timelines(setup.applications).values():
        statuses = [(s.name, s.status) for s in other.stages]
        if other.visible_state == "not_appointed":
            assert statuses[-2:] == [("appointment", "ended"), ("completed", "not_reached")]
        elif other.visible_state == "not_shortlisted":
            assert ("interview", "ended") in statuses and statuses[-1][1] == "not_reached"
        seen.append(other.visible_state)
    assert {"appointed", "not_appointed"} <= set(seen)


def test_the_timeline_shows_only_the_public_stages(stages, app) -> None:
    setup = stages.at("screening", per_post=4)
    timeline = portal.timelines([setup.applications[0]])[setup.applications[0].id]
    assert timeline.visible_state == "submitted"
    assert [s.name for s in timeline.stages][:2] == ["announcement", "administrative_screening"]
    assert "draft" not in [s.name for s in timeline.stages]  # planning is internal
    assert "cancelled" not in [s.name for s in timeline.stages]  # only when it happens
