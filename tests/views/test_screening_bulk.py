"""Screening at scale: three visible rule outcomes, a compact card, and bulk confirmation."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Application, AuditEvent, Role, ScreeningVerdict
from openbid.stages import screening
from openbid.workflow import Forbidden
from tests.factories import PASSWORD, make_agency, make_user
from tests.views.test_screening_views import _page, _state, login_as

CONFIRM = "/selections/{}/screening/confirm"


def other_agency_secretariat():
    return make_user(Role.SECRETARIAT, make_agency())


def _picks(*applications) -> list[str]:
    return [f"{a.id}:{a.version}" for a in applications]


def _verdicts(ids) -> tuple[int, int]:
    db.session.expire_all()
    verdicts = db.session.scalar(
        sa.select(sa.func.count(ScreeningVerdict.id)).where(
            ScreeningVerdict.application_id.in_(ids)
        )
    )
    events = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.event == "pass_screening",
            AuditEvent.subject_type == "application",
            AuditEvent.subject_id.in_(ids),
        )
    )
    return verdicts, events


def test_a_rule_not_yet_checked_is_shown_as_such_not_as_met(stages, client, browser) -> None:
    setup = stages.at("screening")
    browser.login(setup.secretariat.email, PASSWORD)
    html = client.get(_page(setup.selection) + "?lang=en").get_data(as_text=True)
    first = html.split('id="app-', 2)[1]
    # Health is not assessed at screening: a third outcome, first on the card, never "met".
    unchecked = re.findall(r'<tr class="rule-unchecked">(.*?)</tr>', first, re.S)
    assert len(unchecked) == 1
    assert "Health" in unchecked[0] and "not yet checked" in unchecked[0]
    assert "has not been assessed yet" in unchecked[0]
    assert 'class="badge ok"' not in unchecked[0]
    met = re.findall(r'<tr class="rule-met">(.*?)</tr>', first, re.S)
    assert met and not any("Health" in row for row in met)
    # The met rules are folded away; the card leads with what needs a look.
    assert first.index("rule-unchecked") < first.index('<details class="rules">')
    assert first.index('<details class="rules">') < first.index('class="rule-met"')
    assert "Rules: no rule failed; 1 not yet checked" in first
    indonesian = client.get(_page(setup.selection) + "?lang=id").get_data(as_text=True)
    assert "belum diperiksa" in indonesian


def test_bulk_confirmation_passes_each_through_the_engine_all_at_once(
    stages, client, browser
) -> None:
    setup = stages.at("screening", candidates=[[{"rank": "IV/a"}]])
    not_clean, *clean = setup.applications
    member = setup.committee[1]
    login_as(browser, client, member)
    page = _page(setup.selection)
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert f'value="{clean[0].id}:{clean[0].version}" form="bulk-confirm"' in html
    assert f'value="{not_clean.id}:' not in html  # only rule-clean rows can be chosen
    ids = [a.id for a in setup.applications]

    # A mixed choice (one fails a rule): nothing is recorded, the odd one is named and why.
    response = browser.post(
        CONFIRM.format(setup.selection.id) + "?lang=en",
        {"pick": _picks(*clean, not_clean)},
        page=page,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Nothing was recorded." in body
    assert f'<a href="#app-{not_clean.id}">{not_clean.candidate.name}</a>: Rules not met: 1;' in (
        body
    )
    # The rule-clean ones stay ticked, to send again without the odd one.
    assert f'value="{clean[0].id}:{clean[0].version}" form="bulk-confirm" checked' in body
    assert all(_state(i) == "submitted" for i in ids)
    assert _verdicts(ids) == (0, 0)

    # The clean ones: one action, each its own verdict and audit event, with the actor.
    response = browser.post(CONFIRM.format(setup.selection.id), {"pick": _picks(*clean)}, page=page)
    assert response.status_code == 303
    assert [_state(a.id) for a in clean] == ["eligible"] * len(clean)
    assert _state(not_clean.id) == "submitted"
    assert _verdicts(ids) == (len(clean), len(clean))
    actors = db.session.scalars(
        sa.select(AuditEvent.actor_id).where(
            AuditEvent.event == "pass_screening", AuditEvent.subject_id.in_(ids)
        )
    ).all()
    assert set(actors) == {member.id}
    assert str(len(clean)) in client.get(page + "?lang=en").get_data(as_text=True)

    # Sent again (a double click): each is refused as already decided, nothing changes.
    response = browser.post(
        CONFIRM.format(setup.selection.id), {"pick": _picks(clean[0])}, page=page
    )
    assert response.status_code == 422
    assert _verdicts(ids) == (len(clean), len(clean))


def test_bulk_confirmation_has_the_single_verdicts_role_checks(stages, client, browser) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    denied = [
        (make_user(Role.COMMITTEE, setup.agency), 404),  # a member not seated on this one
        (make_user(Role.PPK, setup.agency), 403),
        (make_user(Role.ADMIN, setup.agency), 403),  # may look, not decide
        (application.candidate, 403),
    ]
    for user, status in denied:
        login_as(browser, client, user)
        response = client.post(
            CONFIRM.format(setup.selection.id),
            data={"pick": _picks(application), "csrf_token": browser.token("/home")},
        )
        assert response.status_code == status, user.role
    assert _state(application.id) == "submitted"
    assert _verdicts([application.id]) == (0, 0)
    # The service itself refuses a committee member not seated on this selection, and the
    # secretariat of another agency, as fire() would for a single verdict.
    for outsider in (make_user(Role.COMMITTEE, setup.agency), other_agency_secretariat()):
        with pytest.raises(Forbidden):
            screening.confirm_eligible(
                setup.selection, outsider, {application.id: application.version}
            )
    # Without a CSRF token, or with a malformed choice: refused outright.
    login_as(browser, client, setup.secretariat)
    url = CONFIRM.format(setup.selection.id)
    assert client.post(url, data={"pick": _picks(application)}).status_code == 400
    bad = {"pick": ["x:1"], "csrf_token": browser.token("/home")}
    assert client.post(url, data=bad).status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "submitted"


def test_confirm_all_on_the_page_asks_once_more_then_records_each(stages, client, browser) -> None:
    setup = stages.at("screening", candidates=[[{"rank": "IV/a"}]])
    not_clean, *clean = setup.applications
    login_as(browser, client, setup.secretariat)
    page = _page(setup.selection)
    html = client.get(page + "?lang=en").get_data(as_text=True)
    # With JavaScript a checkbox (shown by the script); without, a second button.
    assert "data-select-all" in html
    assert f"Confirm all {len(clean)} rule-clean applications on this page…" in html
    sent = re.findall(r'name="page_pick" value="([^"]+)"', html)
    assert sorted(sent) == sorted(_picks(*clean))
    ids = [a.id for a in setup.applications]

    # The button sends every rule-clean one the page showed; the answer asks once more.
    url = CONFIRM.format(setup.selection.id) + "?lang=en"
    response = browser.post(url, {"scope": "page", "page_pick": sent}, page=page)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"Confirm all {len(clean)} applications as passing?" in body
    for application in clean:
        assert f'<a href="#app-{application.id}">{application.candidate.name}</a>' in body
    assert f'<a href="#app-{not_clean.id}">' not in body.split('id="bulk-confirm-all"')[1][:3000]
    assert f"Yes, confirm these {len(clean)} applications as passing" in body
    assert _verdicts(ids) == (0, 0) and all(_state(i) == "submitted" for i in ids)

    # Yes: each its own verdict and audit event, as with single choices.
    again = re.search(r'id="bulk-confirm-all".*?</form>', body, re.S)[0]
    picks = re.findall(r'name="pick" value="([^"]+)"', again)
    response = browser.post(url, {"pick": picks}, page=page)
    assert response.status_code == 303
    assert [_state(a.id) for a in clean] == ["eligible"] * len(clean)
    assert _state(not_clean.id) == "submitted"
    assert _verdicts(ids) == (len(clean), len(clean))
    flashed = client.get(page + "?lang=en").get_data(as_text=True)
    assert f"{len(clean)} applications pass administrative screening." in flashed


def test_confirm_all_on_the_page_is_refused_to_those_who_may_not_decide(
    stages, client, browser
) -> None:
    setup = stages.at("screening")
    application = setup.applications[0]
    url = CONFIRM.format(setup.selection.id)
    for user, status in ((make_user(Role.PPK, setup.agency), 403), (application.candidate, 403)):
        login_as(browser, client, user)
        data = {"scope": "page", "page_pick": _picks(application)}
        response = client.post(url, data={**data, "csrf_token": browser.token("/home")})
        assert response.status_code == status
    login_as(browser, client, setup.secretariat)
    assert client.post(url, data={"scope": "page", "page_pick": ["1:x"]}).status_code == 400
    assert _verdicts([application.id]) == (0, 0)
