"""The candidate profile: NIP checked part by part, derived facts, history, audit."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AuditEvent, CandidateProfile, Role
from openbid.stages import applications as portal
from tests.factories import make_agency, make_user
from tests.portal.helpers import (
    GOOD_NIP,
    Clock,
    candidate,
    english,
    login,
    profile_form,
    raw_profile,
)


def _profiles() -> int:
    return db.session.scalar(sa.select(sa.func.count(CandidateProfile.id)))


def _audit() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


@pytest.fixture
def person(app, client, browser, monkeypatch):
    Clock(monkeypatch)
    user = candidate()
    login(browser, user)
    return user


def test_profile_form_is_indonesian_and_explains_the_nip(person, client) -> None:
    html = client.get("/portal/profile").get_data(as_text=True)
    assert 'name="nip"' in html and "19860926 201505 1 001" in html
    assert 'lang="id"' in html
    assert "IV/b · Pembina Tingkat I" in html  # ranks from rules.eligibility.RANK_NAMES


def test_saving_a_valid_profile_derives_birth_date_gender_and_admin_years(
    person, client, browser
) -> None:
    response = browser.post("/portal/profile", profile_form(), page="/portal/profile")
    assert response.status_code == 303, response.get_data(as_text=True)
    profile = db.session.scalar(sa.select(CandidateProfile))
    assert profile.nip == GOOD_NIP
    assert profile.birth_date == date(1970, 3, 15) and profile.gender == "M"
    # 2010-03-01 .. 2014-01-01 and 2014-01-02 .. today (20 Nov 2018): 8.7 years
    assert profile.admin_years == pytest.approx(8.7)
    assert [r["year"] for r in profile.performance_ratings] == [2017, 2016]
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.event == "candidate_profile_saved")
    )
    assert event.chain == "system" and event.payload["created"] is True
    assert event.payload["changes"]["nip"]["to"] == GOOD_NIP
    page = client.get("/portal/profile").get_data(as_text=True)
    assert "15 Maret 1970" in page  # shown, not typed


def test_saving_again_audits_only_what_changed(person, browser) -> None:
    browser.post("/portal/profile", profile_form(), page="/portal/profile")
    browser.post("/portal/profile", profile_form(phone="0813 1111 2222"), page="/portal/profile")
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.event == "candidate_profile_saved")
        .order_by(AuditEvent.id)
    ).all()
    assert list(events[-1].payload["changes"]) == ["phone"]
    browser.post("/portal/profile", profile_form(phone="0813 1111 2222"), page="/portal/profile")
    assert (
        len(
            db.session.scalars(
                sa.select(AuditEvent.id).where(AuditEvent.event == "candidate_profile_saved")
            ).all()
        )
        == 2
    )  # nothing changed: no event


def test_a_nip_with_an_impossible_date_names_each_wrong_part(person, client, browser) -> None:
    english(client)
    before = (_profiles(), _audit())
    # 30 February, and a gender digit of 3
    response = browser.post(
        "/portal/profile", profile_form(nip="19700230 199503 3 002"), page="/portal/profile"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Digits 1-8 (19700230) are not a valid birth date" in html
    assert "Digit 15 (3) must be 1 (male) or 2 (female)" in html
    assert "The profile was not saved" in html
    assert (_profiles(), _audit()) == before
    assert 'value="19700230 199503 3 002"' in html  # what was typed stays in the form


def test_a_nip_registered_to_another_account_is_refused(person, client, browser) -> None:
    english(client)
    other = candidate("Orang Lain")
    portal.save_profile(other, raw_profile(profile_form()))
    response = browser.post("/portal/profile", profile_form(), page="/portal/profile")
    assert response.status_code == 422
    assert "already registered with another account" in response.get_data(as_text=True)
    assert _profiles() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12"}, "8 to 15 digits"),
        ({"rank": "V/a"}, "Choose your rank"),
        ({"education": "S9"}, "Choose your education level"),
        ({"birth_place": ""}, "Enter Place of birth"),
        ({"current_position_since": "2019-01-01"}, "cannot be in the future"),
        ({"current_position_since": "1990-01-01"}, "before the CPNS start in the NIP (1995-03)"),
        ({"related_experience_years": "banyak"}, "as a number from 0 to 50"),
        ({"history-1-level": ""}, "row 2: choose Administrator"),
        ({"history-0-end": "2009-01-01"}, "row 1: the end 2009-01-01 is before the start"),
        ({"history-0-start": "1-3-2010"}, "row 1: 1-3-2010 is not a date"),
        ({"history-1-start": ""}, "row 2: enter the date the position started"),
        ({"ratings-1-year": "2017"}, "only once"),
        ({"ratings-0-rating": ""}, "Performance rating 1: choose the rating"),
        ({"ratings-1-year": "1999"}, "Performance rating 2: enter a year between 2012 and 2018"),
        ({"sanction_level": "sedang"}, "Enter Date of the sanction"),
        ({"sanction_level": "dipecat"}, "Choose the disciplinary status"),
    ],
)
def test_each_bad_field_gets_its_message_and_nothing_is_saved(
    person, client, browser, overrides, message
) -> None:
    english(client)
    before = (_profiles(), _audit())
    response = browser.post("/portal/profile", profile_form(**overrides), page="/portal/profile")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (_profiles(), _audit()) == before


def test_add_a_row_keeps_the_values_and_saves_nothing(person, browser) -> None:
    response = browser.post("/portal/profile", profile_form(add_row="1"), page="/portal/profile")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Kepala Bidang Pendidikan Dasar" in html
    assert 'name="history-4-position"' in html  # 2 filled + 2 blank + the added one
    assert _profiles() == 0


def test_staff_have_no_candidate_profile(app, client, browser) -> None:
    staff = make_user(Role.SECRETARIAT, make_agency())
    login(browser, staff)
    assert client.get("/portal/profile").status_code == 403
    response = browser.post("/portal/profile", profile_form(), page="/home")
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:
    response = client.get("/portal/profile")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_years_counts_overlaps_once_and_rounds_down() -> None:
    history = [
        {"level": "administrator", "start": "2010-01-01", "end": "2012-01-01"},
        {"level": "ahli_madya", "start": "2011-01-01", "end": "2012-12-01"},  # overlaps
        {"level": "other", "start": "2000-01-01", "end": "2009-01-01"},  # does not count
        {"level": "administrator", "start": "2016-01-01", "end": None},  # until today
    ]
    years = portal.admin_years(history, date(2017, 12, 18))
    # 2010-01-01..2012-12-01 = 1065 days; 2016-01-01..2017-12-18 = 717 days; 1782 / 365.25
    assert years == 4.8
    just_short = [{"level": "administrator", "start": "2016-01-01", "end": "2017-12-17"}]
    assert portal.admin_years(just_short, date(2018, 1, 1)) == 1.9  # 1.96 is not 2.0
