"""The announcement stage's guards as the buttons see them (available_events) and as fire does."""

from __future__ import annotations

import pytest

from openbid.extensions import db
from openbid.models import Selection
from openbid.stages import announcement
from openbid.workflow import GuardFailed, available_events, fire
from openbid.workflow.registry import ACTIONS, GUARDS
from tests.announcement_support import (
    MovableClock,
    apply,
    extension_letter,
    install_clock,
    published,
    reasons_of,
    to_approval,
    wib,
)
from tests.factories import make_agency, make_selection


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Time under the test's control."""
    return install_clock(monkeypatch)


def _buttons(selection: Selection, actor) -> dict:
    db.session.expire_all()
    row = db.session.get(Selection, selection.id)
    return {o.name: o for o in available_events(row, actor)}


def _texts(option) -> list[str]:
    return [str(r) for r in option.reasons]


def test_every_wired_name_is_registered(app) -> None:
    for name in (
        "approval_gates_recorded",
        "registration_closed",
        "short_posts_exist",
        "extensions_left",
        "extension_approval_recorded",
        "position_short",
        "has_open_positions",
    ):
        assert name in GUARDS
    for name in (
        "open_registration",
        "extend_registration_window",
        "drop_position_record",
        "close_unsubmitted_applications",
        "close_open_applications",
    ):
        assert name in ACTIONS


def test_the_publish_button_names_the_missing_letter(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    publish = _buttons(selection, secretariat)["publish_announcement"]
    assert not publish.enabled
    assert _texts(publish) == ["The KASN recommendation letter is not recorded yet."]


def test_while_registration_is_open_every_closing_step_waits(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    buttons = _buttons(selection, secretariat)
    waiting = "Registration is open until 04-12-2018 23:59 WIB; wait until it has closed."
    for name in ("extend_registration", "drop_position", "close_registration"):
        assert not buttons[name].enabled
        assert waiting in _texts(buttons[name])
    assert buttons["cancel"].enabled


def test_at_the_last_second_it_is_still_open_and_a_second_later_closed(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    apply(selection.positions[0], submitted=4)
    movable_clock.set(wib(2018, 12, 4, 23, 59, 58))
    assert not _buttons(selection, secretariat)["close_registration"].enabled
    movable_clock.set(wib(2018, 12, 4, 23, 59, 59))
    assert _buttons(selection, secretariat)["close_registration"].enabled


def test_after_the_close_a_short_post_can_be_extended_or_dropped(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency(), positions=2)
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    apply(selection.positions[0], submitted=4)
    apply(selection.positions[1], submitted=3)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    buttons = _buttons(selection, secretariat)
    assert _texts(buttons["extend_registration"]) == [
        "Record the KASN approval letter for this extension first."
    ]
    assert buttons["drop_position"].enabled
    assert _texts(buttons["close_registration"]) == [
        "Kepala Dinas 2 has 3 applicants; at least 4 are needed."
    ]
    # Dropping the short post leaves the other, which has enough: closing is possible.
    announcement.drop_position(
        selection, secretariat, position_id=selection.positions[1].id, reason="Kurang"
    )
    buttons = _buttons(selection, secretariat)
    assert buttons["close_registration"].enabled
    assert _texts(buttons["drop_position"]) == [
        "No open post is short of applicants; there is nothing to drop."
    ]
    assert "Every open post has at least 4 applicants; no extension is needed." in _texts(
        buttons["extend_registration"]
    )


def test_the_extension_limit_follows_the_parameters(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    selection.parameters = {"extension": {"max_count": 1, "length": 3}}
    db.session.commit()
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    announcement.extend_registration(selection, secretariat, reason="x", **extension_letter())
    assert db.session.get(Selection, selection.id).registration_closes_at == wib(
        2018, 12, 7, 23, 59, 59
    )
    movable_clock.set(wib(2018, 12, 8, 8, 0))
    announcement.record_extension_letter(selection, secretariat, **extension_letter())
    with pytest.raises(GuardFailed) as refused:
        fire(
            db.session.get(Selection, selection.id),
            "extend_registration",
            secretariat,
            {"reason": "y"},
        )
    assert reasons_of(refused.value) == [
        "Registration was already extended 1 times; the definition allows at most 1."
    ]


def test_guards_do_not_write(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    version = db.session.get(Selection, selection.id).version
    _buttons(selection, secretariat)
    assert not db.session.dirty and not db.session.new
    assert db.session.get(Selection, selection.id).version == version
