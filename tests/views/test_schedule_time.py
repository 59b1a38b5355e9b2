"""A schedule row's time of day: entered on the planning page, validated, and shown to the
candidates (timeline) and in the announcement."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.documents import render
from openbid.extensions import db
from openbid.models import AuditEvent, Selection
from openbid.stages import planning
from openbid.stages.documents.common import schedule_rows
from tests.factories import PASSWORD, make_agency, make_selection
from tests.portal.helpers import login

ROW = {"rows-0-stage": "Wawancara akhir", "rows-0-starts_on": "2018-12-17",
       "rows-0-place": "Ruang Rapat Wali Kota"}  # fmt: skip


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_a_time_typed_on_the_plan_is_kept_for_its_row(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    plan = f"/selections/{selection.id}/plan"
    page = client.get(plan).get_data(as_text=True)
    assert 'name="rows-0-time"' in page and 'type="time"' in page
    response = browser.post(f"{plan}/schedule", {**ROW, "rows-0-time": "9.00"}, page=plan)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Selection, selection.id).schedule == [
        {"stage": "Wawancara akhir", "starts_on": "2018-12-17", "ends_on": "2018-12-17",
         "time": "09:00", "place": "Ruang Rapat Wali Kota"}
    ]  # fmt: skip
    # Shown back on the form as the browser's time input wants it.
    assert 'name="rows-0-time" placeholder="09.00"' in client.get(plan).get_data(as_text=True)
    assert 'value="09:00"' in client.get(plan).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["25.00", "9 pagi", "09:75"])
def test_a_bad_time_is_refused_in_indonesian_and_nothing_is_written(
    app, client, browser, typed
) -> None:
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    plan = f"/selections/{selection.id}/plan"
    before = _events()
    response = browser.post(f"{plan}/schedule?lang=id", {**ROW, "rows-0-time": typed}, page=plan)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f"Baris 1: “{typed}” bukan jam; tulis seperti 09.00 (WIB)." in text
    client.get("/home?lang=en")
    response = browser.post(f"{plan}/schedule", {**ROW, "rows-0-time": typed}, page=plan)
    assert f"Row 1: “{typed}” is not a time of day; write it as 09.00 (WIB)." in (
        response.get_data(as_text=True)
    )
    assert _events() == before
    db.session.expire_all()
    assert db.session.get(Selection, selection.id).schedule == []


def test_the_time_reaches_the_timeline_and_the_announcement(app, client, browser, stages) -> None:
    draft, secretariat = make_selection(make_agency())
    planning.save_schedule(
        draft,
        secretariat,
        [planning.ScheduleInput("Wawancara akhir", *[draft.start_date] * 2, "Ruang Rapat", "9.30")],
    )
    entered = db.session.get(Selection, draft.id).schedule
    # A selection taking applications, with that row as the page saved it.
    setup = stages.at("screening")
    setup.selection.schedule = [{**entered[0], "starts_on": "2018-12-17", "ends_on": "2018-12-17"}]
    db.session.commit()
    applicant = setup.applications[0]
    login(browser, applicant.candidate)
    page = f"/portal/applications/{applicant.id}"
    assert "17 Desember 2018, pukul 09.30 WIB" in client.get(page + "?lang=id").get_data(
        as_text=True
    )
    assert "17 December 2018, 09:30 WIB" in client.get(page + "?lang=en").get_data(as_text=True)
    (row,) = schedule_rows(setup.selection)
    assert row["time"] == "09:30" and row["place"] == "Ruang Rapat"
    macros = render.environment.get_template("documents/_macros.html").module
    assert str(macros.period(row)) == "Senin, 17 Desember 2018, pukul 09.30 WIB"
