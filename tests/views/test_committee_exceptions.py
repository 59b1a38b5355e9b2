"""Committee-composition exceptions: recorded through the engine with a justification, shown
to the oversight body in its dossier (its agreement is its approval), counted in monitoring."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, CommitteeException, Role, SelectionState
from openbid.stages import oversight
from openbid.workflow import Forbidden, GuardFailed, fire
from tests.factories import PASSWORD, make_agency, make_selection, make_user
from tests.oversight_support import kasn

EVENT = "record_committee_exception"
WHY = "Hanya empat pejabat eksternal yang bersedia; calon kelima mengundurkan diri."


def _codes(error: pytest.ExceptionInfo) -> set[str]:
    return {r.code for r in error.value.reasons}


@pytest.fixture
def even(app):
    """A draft with six members, two internal: only the odd-number rule is broken."""
    body, reviewer = kasn()
    selection, secretariat = make_selection(make_agency(province="Banten"), committee=6, internal=2)
    db.session.commit()
    return body, reviewer, selection, secretariat


def test_an_exception_is_recorded_through_the_engine_and_lets_the_plan_go(even) -> None:
    body, reviewer, selection, secretariat = even
    with pytest.raises(GuardFailed) as refused:
        fire(selection, "submit_for_approval", secretariat)
    assert _codes(refused) == {"committee.size_even"}
    with pytest.raises(GuardFailed) as refused:
        fire(selection, EVENT, secretariat, {"rule": "committee.size_even"})
    assert _codes(refused) == {"data.required"}
    with pytest.raises(GuardFailed) as refused:
        fire(selection, EVENT, secretariat, {"rule": "committee.chair_count", "reason": WHY})
    assert _codes(refused) == {"committee_exception.rule"}
    with pytest.raises(GuardFailed) as refused:
        fire(selection, EVENT, secretariat, {"rule": "committee.internal_share", "reason": WHY})
    assert _codes(refused) == {"committee_exception.not_broken"}
    with pytest.raises(GuardFailed) as refused:
        fire(selection, EVENT, secretariat, {"rule": "committee.size_even", "reason": "karena"})
    assert _codes(refused) == {"committee_exception.justification"}
    member = selection.committee[0].user
    with pytest.raises(Forbidden):
        fire(selection, EVENT, member, {"rule": "committee.size_even", "reason": WHY})
    assert db.session.scalar(sa.select(sa.func.count(CommitteeException.id))) == 0

    fire(selection, EVENT, secretariat, {"rule": "committee.size_even", "reason": WHY})
    row = db.session.scalars(sa.select(CommitteeException)).one()
    assert (row.rule, row.justification, row.recorded_by_id) == (
        "committee.size_even",
        WHY,
        secretariat.id,
    )
    assert "harus ganjil" in row.reasons[0]  # the check's wording, in Indonesian
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == EVENT)).one()
    assert event.actor_id == secretariat.id and event.selection_id == selection.id
    assert event.payload["data"] == {"rule": "committee.size_even", "reason": WHY}
    with pytest.raises(GuardFailed) as refused:
        fire(selection, EVENT, secretariat, {"rule": "committee.size_even", "reason": WHY})
    assert _codes(refused) == {"committee_exception.exists"}

    fire(selection, "submit_for_approval", secretariat)
    assert selection.state == SelectionState.APPROVAL
    [view] = oversight.build_dossier(db.session, selection, reviewer).committee_exceptions
    assert view.justification == WHY and view.agreed_at is None
    data = oversight.monitoring(db.session, body)
    assert [r.overrides["committee"] for r in data.rows] == [1]
    [line] = csv.DictReader(io.StringIO(oversight.monitoring_csv(data)))
    assert line["committee_exceptions"] == "1"


def test_the_dossier_shows_the_exception_and_approval_is_the_bodys_agreement(
    even, client, browser
) -> None:
    body, reviewer, selection, secretariat = even
    fire(selection, EVENT, secretariat, {"rule": "committee.size_even", "reason": WHY})
    fire(selection, "submit_for_approval", secretariat)
    browser.login(reviewer.email, PASSWORD)
    page = client.get(f"/oversight/selections/{selection.id}?lang=en").get_data(as_text=True)
    assert "Composition exceptions" in page and WHY in page
    assert "awaiting the oversight body" in page
    fire(selection, "approve_plan", reviewer)
    [view] = oversight.build_dossier(db.session, selection, reviewer).committee_exceptions
    assert view.agreed_at is not None
    page = client.get(f"/oversight/selections/{selection.id}?lang=en").get_data(as_text=True)
    assert "agreed by the oversight body" in page


def test_the_plan_page_records_an_exception_or_says_why_not(even, client, browser) -> None:
    _body, _reviewer, selection, secretariat = even
    browser.login(secretariat.email, PASSWORD)
    plan = f"/selections/{selection.id}/plan"
    url = f"{plan}/committee/exceptions"
    page = client.get(plan).get_data(as_text=True)
    assert 'name="rule"' in page and 'value="committee.size_even"' in page
    # Indonesian first: the error summary names the problem; nothing is written.
    form = {"version": selection.version, "rule": "committee.size_even", "reason": "singkat"}
    response = browser.post(url, form, page=plan)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "error-summary" in text and "Jelaskan pengecualian" in text
    assert db.session.scalar(sa.select(sa.func.count(CommitteeException.id))) == 0
    # Without the CSRF token: refused.
    assert client.post(url, data={**form, "reason": WHY}).status_code == 400
    response = browser.post(url, {**form, "reason": WHY}, page=plan)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert WHY in page and 'value="committee.size_even"' not in page
    assert db.session.scalar(sa.select(sa.func.count(CommitteeException.id))) == 1


def test_a_committee_member_or_another_agency_cannot_record_one(even, client, browser) -> None:
    _body, _reviewer, selection, _secretariat = even
    plan = f"/selections/{selection.id}/plan"
    form = {"version": selection.version, "rule": "committee.size_even", "reason": WHY}
    member = selection.committee[0].user
    browser.login(member.email, PASSWORD)
    token = browser.token(plan)
    response = client.post(f"{plan}/committee/exceptions", data={**form, "csrf_token": token})
    assert response.status_code == 403
    browser.post("/auth/logout", page=plan)
    stranger = make_user(Role.SECRETARIAT, make_agency())
    db.session.commit()
    browser.login(stranger.email, PASSWORD)
    response = browser.post(f"{plan}/committee/exceptions", form)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(CommitteeException.id))) == 0
