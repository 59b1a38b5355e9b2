"""The write path at its floor: how many SQL statements a verdict, a score and a submission
take, and that a submission at the deadline is decided by the moment its request arrived."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

import openbid.clock as clock
from openbid import audit
from openbid.extensions import db
from openbid.models import Application, AuditEvent, ScreeningVerdict
from openbid.stages.common.applications import create_application
from tests.api.test_applications import _application, screening  # noqa: F401 - fixture
from tests.factories import make_agency, make_selection
from tests.querycount import count_of, statements
from tests.stage_factories import clock_at, make_candidate, publish, upload_documents

# A verdict, in one transaction: the token; the application with its post, selection,
# candidate, the member's seat and the answer's scores, under its row lock (one query); the
# rules' inputs (one query); the chain head; the verdict, the chain head's update, its event
# and the application's update. The answer's documents are those the rules were given.
VERDICT_STATEMENTS = 8


def _head_write() -> int:
    """SQLite takes its write lock by writing the chain head before reading it: one more."""
    return 1 if db.engine.dialect.name == "sqlite" else 0


def test_a_verdict_evaluates_the_rules_once_in_a_bounded_number_of_statements(screening):  # noqa: F811
    application_id = _application("kandidat01").id
    chair = screening("pansel.ketua")
    assert chair.get(f"/applications/{application_id}").status_code == 200  # token use noted
    db.session.expire_all()
    with statements() as sent:
        response = chair.post(f"/applications/{application_id}/verdict", json={"passed": True})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "eligible"
    # The rules' inputs (verdict, documents, waivers, other posts, the announcement) are
    # read once, in one query, and stand for the guard, the action and the answer alike.
    assert count_of(sent, "SELECT application.id, screening_verdict.id") == 1
    assert count_of(sent, "SELECT approval.") == 0
    assert count_of(sent, "SELECT application_document.") == 0
    assert count_of(sent, "INSERT INTO audit_event") == 1
    # The application, its post and selection, the member's seat (for the API's visibility
    # and fire()'s access check) and the answer's scores are read once, with the row lock
    # fire() needs.
    assert count_of(sent, "SELECT committee_member.") == 0
    assert count_of(sent, "SELECT assessment_result.") == 0
    assert count_of(sent, "SELECT application.id, application.position_id") == 1
    assert count_of(sent, "SELECT application.version") == 0
    assert count_of(sent, "SELECT position.") == 0
    assert count_of(sent, "SELECT screening_verdict.") == 0
    if db.engine.dialect.name == "postgresql":
        assert sent[1].endswith("FOR UPDATE OF application"), sent[1]
    assert len(sent) <= VERDICT_STATEMENTS + _head_write(), "\n".join(sent)
    body = response.get_json()  # the answer shows the row as stored after the verdict
    db.session.expire_all()
    stored = db.session.get(Application, application_id)
    assert (body["state"], body["version"]) == (stored.state, stored.version)
    assert body["screening"] == {"passed": True, "reason": ""}
    verdict = db.session.scalar(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application_id)
    )
    assert verdict.passed and verdict.rules_passed and not verdict.overridden
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "pass_screening")
    ).one()
    assert event.payload["data"]["rules_passed"] is True


def _around_the_head(sent: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split a request's statements: before the chain head's lock, from it to the event, after.

    Asserts that nothing but the head and the event is written while the head is held.
    """
    first = next(i for i, s in enumerate(sent) if "audit_chain_head" in s)
    last = next(i for i, s in enumerate(sent) if s.startswith("INSERT INTO audit_event"))
    held = sent[first : last + 1]
    assert all("audit_chain_head" in s for s in held[:-1]), "\n".join(held)
    assert count_of(sent[last + 1 :], "INSERT") + count_of(sent[last + 1 :], "UPDATE") == 0
    return sent[:first], held, sent[last + 1 :]


def test_a_verdict_holds_the_chain_head_for_its_last_statements_only(screening):  # noqa: F811
    # The chain head serialises every change of the selection: it is locked once the verdict
    # and the application's change are written, for the head's update and the event alone.
    application_id = _application("kandidat01").id
    chair = screening("pansel.ketua")
    with statements() as sent:
        response = chair.post(f"/applications/{application_id}/verdict", json={"passed": True})
    assert response.status_code == 200, response.get_json()
    before, held, after = _around_the_head(sent)
    assert count_of(before, "INSERT INTO screening_verdict") == 1
    assert count_of(before, "UPDATE application ") == 1
    assert len(held) == 3 + _head_write(), "\n".join(held)  # lock, update, event
    assert after == []
    db.session.expire_all()
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "pass_screening")
    ).one()
    assert (event.subject_id, event.to_state) == (application_id, "eligible")
    assert audit.verify_all(db.session).ok


# A submission: the token, the post with its selection, the profile (for the API's check, the
# guards and the snapshot alike), the draft with its relations under its row lock, the guards'
# reads (documents, other posts), the chain head, its update and event, one update of the
# application (state and snapshot), and the answer (documents, verdict; not the application).
SUBMIT_STATEMENTS = 12


@pytest.fixture
def draft(app, api_as):
    """Return (api as the candidate, their draft with every document) while registration runs."""
    selection, secretariat = make_selection(make_agency())
    publish(selection, secretariat)
    candidate = make_candidate()
    with clock_at(selection.registration_opens_at + timedelta(hours=1)):
        application = create_application(selection.positions[0], candidate)
    upload_documents(application)
    return api_as(candidate), application


def _submit(api, application):
    return api.post(
        f"/positions/{application.position_id}/applications",
        data={"submit": "1"},
        content_type="multipart/form-data",
    )


def test_a_submission_takes_a_bounded_number_of_statements(draft) -> None:
    api, application = draft
    moment = application.position.selection.registration_opens_at + timedelta(hours=2)
    with clock_at(moment):
        assert api.get(f"/applications/{application.id}").status_code == 200  # token use noted
        db.session.expire_all()
        assert application.position_id  # read before: the test's own query, not the request's
        with statements() as sent:
            response = _submit(api, application)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["state"] == "submitted"
    # The API checks a profile exists before anything is written; the guards and the snapshot
    # use that read.
    assert count_of(sent, "SELECT candidate_profile.") == 1
    assert count_of(sent, "SELECT application.version") == 0  # locked when the draft was read
    assert count_of(sent, "SELECT selection.") == 0
    assert count_of(sent, "INSERT INTO audit_event") == 1
    assert count_of(sent, "UPDATE application ") == 1  # the snapshot rides on the state change
    assert len(sent) <= SUBMIT_STATEMENTS + _head_write(), "\n".join(sent)


def test_a_submission_holds_the_chain_head_for_its_last_statements_only(draft) -> None:
    # The snapshot and the state change are written before the chain head is locked.
    api, application = draft
    moment = application.position.selection.registration_opens_at + timedelta(hours=2)
    with clock_at(moment), statements() as sent:
        response = _submit(api, application)
    assert response.status_code == 201, response.get_json()
    before, held, after = _around_the_head(sent)
    assert count_of(before, "UPDATE application ") == 1
    assert len(held) == 3 + _head_write(), "\n".join(held)  # lock, update, event
    assert all(s.startswith("SELECT ") for s in after)  # the answer, read after the commit
    db.session.expire_all()
    assert audit.verify_all(db.session).ok


PARAM = r"(\?|%\(\w+\)s(::\w+)?)"
LOCK_SQL = re.compile(
    rf"FROM application (LEFT OUTER JOIN .* )?WHERE application\.(id = {PARAM}"
    rf"|position_id = {PARAM} AND .* AND application\.state = {PARAM})"
    r"( FOR UPDATE( OF application)?)?$"
)


class _QueuedPastTheDeadline:
    """A clock that jumps past the deadline once the request waits for the application's lock.

    The request arrives a second before registration closes; the lock's statement (the
    application read again by id alone) stands for the wait behind other submissions.
    """

    def __init__(self, closes) -> None:
        self.arrived, self.later = closes - timedelta(seconds=1), closes + timedelta(seconds=5)
        self.waited = False

    def now(self):
        return self.later if self.waited else self.arrived

    def listen(self, conn, cursor, statement, *args) -> None:
        # The row lock on the application, taken when the draft is read (or by the engine):
        # "... FOR UPDATE [OF application]" with named, cast parameters on PostgreSQL, a plain
        # SELECT with "?" on SQLite (whose database lock orders the writes).
        if LOCK_SQL.search(" ".join(statement.split())):
            self.waited = True


def test_the_deadline_is_decided_by_when_the_submission_arrived(draft, monkeypatch) -> None:
    api, application = draft
    closes = application.position.selection.registration_closes_at
    queued = _QueuedPastTheDeadline(closes)
    monkeypatch.setattr(clock, "now", queued.now)
    sa.event.listen(db.engine, "before_cursor_execute", queued.listen)
    try:
        response = _submit(api, application)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", queued.listen)
    assert queued.waited  # the decision was taken after the deadline had passed
    assert response.status_code == 201, response.get_json()
    db.session.expire_all()
    submitted = db.session.get(Application, application.id)
    assert submitted.state == "submitted"
    assert submitted.submitted_at == queued.arrived  # the moment it arrived, before closing
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "submit")).one()
    assert event.to_state == "submitted"


def test_a_submission_arriving_after_the_deadline_is_refused(draft, monkeypatch) -> None:
    api, application = draft
    closes = application.position.selection.registration_closes_at
    monkeypatch.setattr(clock, "now", lambda: closes)
    response = _submit(api, application)
    assert response.status_code == 422
    assert [e["code"] for e in response.get_json()["errors"]] == ["registration.closed"]
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "draft"


def _stage_apis(stages, api_as, name: str):
    """Return (setup, the secretariat's api, the chair's api) of a selection at stage name."""
    setup = stages.at(name)
    return setup, api_as(setup.secretariat), api_as(setup.committee[0])


def _score_statements(api, path: str, body: dict) -> tuple[list[str], dict]:
    """Return the statements of one score's PUT and its answer."""
    assert api.get(path.rsplit("/scores/", 1)[0]).status_code == 200  # token use noted
    db.session.expire_all()
    with statements() as sent:
        response = api.put(path, json=body)
    assert response.status_code == 200, response.get_json()
    return sent, response.get_json()


# An assessment score: the token, the application with its post, selection and candidate,
# the result, its insert, the chain head, its update and event; then the answer (documents,
# verdict, and the scores in one query) without reading the application again.
ASSESSMENT_SCORE_STATEMENTS = 10


def test_an_assessment_score_takes_a_bounded_number_of_statements(stages, api_as) -> None:
    setup, secretariat, _chair = _stage_apis(stages, api_as, "assessment")
    application = setup.applications[0]
    sent, answer = _score_statements(
        secretariat, f"/applications/{application.id}/scores/paper", {"score": 81.5}
    )
    assert answer["scores"]["assessment"]["paper_score"] == 81.5  # read after the write
    assert count_of(sent, "SELECT position.") + count_of(sent, "SELECT selection.id") == 0
    assert count_of(sent, "INSERT INTO audit_event") == 1
    assert len(sent) <= ASSESSMENT_SCORE_STATEMENTS + _head_write(), "\n".join(sent)


# An interview score: as an assessment score (the member's seat read with the application),
# with the selection's shared lock (the interview stays open until the commit), the member's
# conflicts and their score.
INTERVIEW_SCORE_STATEMENTS = 12


def test_an_interview_score_takes_a_bounded_number_of_statements(stages, api_as) -> None:
    setup, _secretariat, chair = _stage_apis(stages, api_as, "interview")
    application = setup.applications[0]
    sent, answer = _score_statements(
        chair, f"/applications/{application.id}/scores/interview", {"score": 77}
    )
    assert [s["score"] for s in answer["scores"]["interview"]] == [77]  # their own, as written
    assert count_of(sent, "SELECT position.") + count_of(sent, "SELECT selection.id") == 0
    assert count_of(sent, "SELECT interview_score.") == 1  # the member's own, not the answer's
    assert count_of(sent, "SELECT committee_member.") == 0  # read with the application
    assert count_of(sent, "INSERT INTO audit_event") == 1
    assert len(sent) <= INTERVIEW_SCORE_STATEMENTS + _head_write(), "\n".join(sent)


def test_a_score_body_is_checked_against_its_component(stages, api_as) -> None:
    # One documented body for every component; the path's component decides what it requires.
    setup, secretariat, _chair = _stage_apis(stages, api_as, "assessment")
    path = f"/applications/{setup.applications[0].id}/scores"
    audit = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    other = secretariat.put(f"{path}/paper", json={"score": 80, "fit": True})
    assert other.status_code == 422, other.get_json()
    assert [e["code"] for e in other.get_json()["errors"]] == ["body.unknown_fields"]
    assert "fit" in other.get_json()["message"]
    missing = secretariat.put(f"{path}/assessment", json={"score": 80, "assessed_on": "2018-12-01"})
    assert missing.status_code == 422
    assert [e["code"] for e in missing.get_json()["errors"]] == ["body.required"]
    assert "centre" in missing.get_json()["message"]
    wrong = secretariat.put(f"{path}/health", json={"fit": 1})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["code"] == "body.type"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audit
