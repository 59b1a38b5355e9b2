"""Approval gates, publishing, the registration window, extensions, drops and closing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    AgencyHoliday,
    Application,
    Approval,
    AuditEvent,
    Position,
    RegistrationExtension,
    Role,
    Selection,
)
from openbid.rules.reasons import ValidationFailed
from openbid.stages import announcement, planning
from openbid.workflow import Forbidden, GuardFailed, available_events, fire
from tests.announcement_support import (
    MovableClock,
    apply,
    counts,
    extension_letter,
    install_clock,
    published,
    reasons_of,
    record_kasn,
    to_approval,
    wib,
)
from tests.factories import make_agency, make_selection, make_user
from tests.stage_factories import tiny_pdf


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """Time under the test's control, 20 November 2018 09:00 WIB to start with."""
    return install_clock(monkeypatch)


def _fresh(selection: Selection) -> Selection:
    db.session.expire_all()
    return db.session.get(Selection, selection.id)


def _event_names(selection: Selection) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.event)
            .where(AuditEvent.selection_id == selection.id)
            .order_by(AuditEvent.seq)
        )
    )


def _last_event(selection: Selection) -> AuditEvent:
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq.desc())
    ).first()


# --- approval gates -----------------------------------------------------------------------


def test_announcement_before_the_kasn_letter_is_refused_with_the_reason(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    with pytest.raises(GuardFailed) as refused:
        announcement.publish(selection, secretariat)
    assert reasons_of(refused.value) == ["The KASN recommendation letter is not recorded yet."]
    row = _fresh(selection)
    assert row.state == "approval" and row.registration_closes_at is None


def test_the_bkn_definition_names_its_pertek(app, movable_clock) -> None:
    movable_clock.set(wib(2025, 3, 10))
    selection, secretariat = make_selection(make_agency(), start=date(2025, 3, 3))
    assert selection.workflow_key == "jpt-pratama-bkn"
    to_approval(selection, secretariat)
    with pytest.raises(GuardFailed) as refused:
        announcement.publish(selection, secretariat)
    assert reasons_of(refused.value) == [
        "The BKN technical consideration (Pertek) letter is not recorded yet."
    ]


def test_recording_the_letter_lets_the_announcement_open_registration(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    approval = record_kasn(selection, secretariat)
    assert approval.purpose == "gate:kasn_recommendation" and approval.authority == "KASN"
    assert approval.file is not None and approval.file.content_type == "application/pdf"
    assert _last_event(selection).event == "approval_recorded"
    # Tuesday 20 November 2018, 09:00 WIB: 15 calendar days, the opening day counted.
    movable_clock.set(wib(2018, 11, 20, 9, 0))
    announcement.publish(selection, secretariat)
    row = _fresh(selection)
    assert row.state == "announcement"
    assert row.registration_opens_at == wib(2018, 11, 20, 9, 0)
    assert row.registration_closes_at == wib(2018, 12, 4, 23, 59, 59)
    events = _event_names(selection)
    assert events[events.index("publish_announcement") + 1] == "registration_opened"


def test_an_optional_gate_marked_required_blocks_until_recorded(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    record_kasn(selection, secretariat)
    announcement.set_required_gates(selection, secretariat, ["governor_letter"])
    assert _fresh(selection).parameters["required_gates"] == ["governor_letter"]
    with pytest.raises(GuardFailed) as refused:
        announcement.publish(selection, secretariat)
    assert reasons_of(refused.value) == ["The governor's letter is not recorded yet."]
    # A required letter needs its PDF; nothing is written without it.
    before = counts()
    with pytest.raises(ValidationFailed) as bad:
        announcement.record_gate_letter(
            selection,
            secretariat,
            gate="governor_letter",
            letter_number="100/123-Pem/2018",
            letter_date=date(2018, 11, 16),
            subject="Pengantar",
            pdf=None,
        )
    assert reasons_of(bad.value) == ["Upload the scanned letter as a PDF; this letter is required."]
    assert counts() == before
    announcement.record_gate_letter(
        selection,
        secretariat,
        gate="governor_letter",
        letter_number="100/123-Pem/2018",
        letter_date=date(2018, 11, 16),
        subject="Pengantar",
        pdf=tiny_pdf("gubernur"),
    )
    announcement.publish(selection, secretariat)
    assert _fresh(selection).state == "announcement"


def test_an_optional_gate_may_be_recorded_without_a_pdf(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    approval = announcement.record_gate_letter(
        selection,
        secretariat,
        gate="governor_letter",
        letter_number="100/9-Pem/2018",
        letter_date=date(2018, 11, 16),
        subject="Pengantar",
    )
    assert approval.file is None and approval.purpose == "gate:governor_letter"


def test_kemendagri_permission_is_required_inside_an_election_window(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    announcement.add_election_window(
        selection,
        secretariat,
        starts_on=date(2018, 11, 1),
        ends_on=date(2019, 3, 31),
        reason="Pilkada Kota Tangerang 2018",
    )
    to_approval(selection, secretariat)
    record_kasn(selection, secretariat)
    movable_clock.set(wib(2018, 11, 20))
    with pytest.raises(GuardFailed) as refused:
        announcement.publish(selection, secretariat)
    assert reasons_of(refused.value) == [
        "The Home Affairs Minister's written permission is not recorded yet; it is needed"
        " because the selection runs inside the election window 01-11-2018 to 31-03-2019"
        " (Pilkada Kota Tangerang 2018)."
    ]
    announcement.record_gate_letter(
        selection,
        secretariat,
        gate="kemendagri_permission",
        letter_number="800/8123/OTDA",
        letter_date=date(2018, 11, 19),
        subject="Persetujuan pengisian JPT Pratama",
        pdf=tiny_pdf("kemendagri"),
    )
    announcement.publish(selection, secretariat)
    assert _fresh(selection).state == "announcement"


def test_an_election_window_after_the_schedule_does_not_apply(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    planning.save_schedule(
        selection,
        secretariat,
        [
            planning.ScheduleInput(
                "Pengumuman dan pendaftaran", date(2018, 11, 20), date(2018, 12, 4)
            )
        ],
    )
    announcement.add_election_window(
        selection,
        secretariat,
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 6, 30),
        reason="Pelantikan Wali Kota",
    )
    to_approval(selection, secretariat)
    record_kasn(selection, secretariat)
    movable_clock.set(wib(2018, 11, 20))
    announcement.publish(selection, secretariat)
    assert _fresh(selection).state == "announcement"


def test_a_schedule_reaching_into_an_election_window_needs_the_permission(
    app, movable_clock
) -> None:
    selection, secretariat = make_selection(make_agency())
    planning.save_schedule(
        selection,
        secretariat,
        [
            planning.ScheduleInput("Pengumuman dan pendaftaran", date(2018, 11, 20)),
            planning.ScheduleInput("Wawancara akhir", date(2019, 1, 10)),
        ],
    )
    announcement.add_election_window(
        selection, secretariat, starts_on=date(2019, 1, 1), ends_on=date(2019, 6, 30), reason="X"
    )
    to_approval(selection, secretariat)
    record_kasn(selection, secretariat)
    with pytest.raises(GuardFailed) as refused:
        announcement.publish(selection, secretariat)
    assert refused.value.reasons[0].code == "approval.gate_missing_election"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"letter_number": "  "}, "Enter the letter's number."),
        ({"letter_date": None}, "Enter the letter's date."),
        (
            {"letter_date": date(2018, 12, 25)},
            "The letter is dated 25-12-2018, which is in the future.",
        ),
        ({"subject": ""}, "Enter the letter's subject (perihal)."),
        (
            {"pdf": b"GIF89a not a pdf"},
            "The file is not a PDF document, whatever its name says; save it as PDF.",
        ),
        ({"pdf": None}, "Upload the scanned letter as a PDF; this letter is required."),
        ({"letter_number": "x" * 121}, "The letter number is longer than 120 characters."),
    ],
)
def test_a_bad_letter_is_refused_and_nothing_is_written(
    app, movable_clock, fields, message
) -> None:
    selection, secretariat = make_selection(make_agency())
    to_approval(selection, secretariat)
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        record_kasn(selection, secretariat, **fields)
    assert reasons_of(refused.value) == [message]
    assert counts() == before


def test_letters_are_refused_after_publishing_and_for_unknown_gates(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    with pytest.raises(ValidationFailed) as unknown:
        announcement.record_gate_letter(
            selection, secretariat, gate="bkn_pertek", letter_number="1",
            letter_date=date(2018, 11, 1), subject="x", pdf=tiny_pdf(),
        )  # fmt: skip
    assert reasons_of(unknown.value) == [
        "The workflow of this selection has no approval gate bkn_pertek."
    ]
    published(selection, secretariat, movable_clock, wib(2018, 11, 20))
    with pytest.raises(ValidationFailed) as late:
        record_kasn(selection, secretariat)
    assert reasons_of(late.value) == [
        "Approval letters can be recorded only before the announcement is published"
        " (now: Announcement and registration)."
    ]


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.AUDITOR])
def test_other_roles_cannot_record_letters_or_publish(app, movable_clock, role) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    to_approval(selection, secretariat)
    outsider = make_user(role, agency)
    before = counts()
    with pytest.raises(Forbidden):
        record_kasn(selection, outsider)
    record_kasn(selection, secretariat)
    with pytest.raises(Forbidden):
        announcement.publish(selection, outsider)
    assert _fresh(selection).state == "approval"
    assert counts()[0] == before[0] + 1


def test_another_agencys_secretariat_cannot_record_letters(app, movable_clock) -> None:
    selection, _ = make_selection(make_agency())
    stranger = make_user(Role.SECRETARIAT, make_agency())
    with pytest.raises(Forbidden):
        record_kasn(selection, stranger)
    with pytest.raises(Forbidden):
        announcement.set_required_gates(selection, stranger, ["governor_letter"])


def test_bad_gate_settings_and_election_windows_are_refused(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    before = counts()
    with pytest.raises(ValidationFailed) as not_optional:
        announcement.set_required_gates(selection, secretariat, ["kasn_recommendation"])
    assert reasons_of(not_optional.value) == [
        "kasn_recommendation is not an optional approval gate of this workflow."
    ]
    with pytest.raises(ValidationFailed) as bad_window:
        announcement.add_election_window(
            selection, secretariat, starts_on=date(2019, 1, 1), ends_on=date(2018, 1, 1), reason=""
        )
    assert reasons_of(bad_window.value) == [
        "The election window ends on 01-01-2018, before it starts on 01-01-2019.",
        "Say what the window is, e.g. the regional election of 2018 or an inauguration.",
    ]
    with pytest.raises(ValidationFailed):
        announcement.add_election_window(
            selection, secretariat, starts_on=None, ends_on=None, reason="Pilkada"
        )
    with pytest.raises(ValidationFailed):
        announcement.remove_election_window(selection, secretariat, 0)
    assert counts() == before
    assert _fresh(selection).parameters == {}


def test_election_windows_are_added_and_removed_with_audit(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    announcement.add_election_window(
        selection, secretariat, starts_on=date(2018, 1, 1), ends_on=date(2018, 6, 27), reason="A"
    )
    assert _last_event(selection).event == "election_window_added"
    assert _fresh(selection).parameters["election_windows"] == [
        {"from": "2018-01-01", "until": "2018-06-27", "reason": "A"}
    ]
    announcement.remove_election_window(selection, secretariat, 0)
    assert _last_event(selection).event == "election_window_removed"
    assert "election_windows" not in _fresh(selection).parameters


# --- the registration window across real holidays ----------------------------------------


def _working_days_selection(start: date, **kwargs: object) -> tuple[Selection, object]:
    selection, secretariat = make_selection(make_agency(), start=start, **kwargs)
    planning.save_registration(
        selection, secretariat, planning.RegistrationInput(registration_unit="working")
    )
    return selection, secretariat


def test_fifteen_working_days_from_4_june_2018_skip_idul_fitri(app, movable_clock) -> None:
    selection, secretariat = _working_days_selection(date(2018, 5, 21))
    published(selection, secretariat, movable_clock, wib(2018, 6, 4, 10, 0))
    # Counted by hand: 4-8 June (5 days); 11-14 cuti bersama, 15-16 Idul Fitri, 18-20 cuti
    # bersama; 21-22 June (7); 25-26 (9); 27 June local elections (Pilkada) holiday;
    # 28-29 (11); 2-5 July (15).
    row = _fresh(selection)
    assert row.registration_opens_at == wib(2018, 6, 4, 10, 0)
    assert row.registration_closes_at == wib(2018, 7, 5, 23, 59, 59)


def test_the_agencys_own_day_off_moves_the_close(app, movable_clock) -> None:
    selection, secretariat = _working_days_selection(date(2018, 5, 21))
    db.session.add(AgencyHoliday(agency_id=selection.agency_id, day=date(2018, 7, 2), name="HUT"))
    db.session.commit()
    published(selection, secretariat, movable_clock, wib(2018, 6, 4, 10, 0))
    assert _fresh(selection).registration_closes_at == wib(2018, 7, 6, 23, 59, 59)


def test_fifteen_working_days_from_24_march_2025_skip_nyepi_and_lebaran(app, movable_clock) -> None:
    movable_clock.set(wib(2025, 3, 3))
    selection, secretariat = _working_days_selection(date(2025, 3, 3))
    assert selection.workflow_key == "jpt-pratama-bkn"
    published(selection, secretariat, movable_clock, wib(2025, 3, 24, 8, 0))
    # By hand: 24-27 March (4); 28 March cuti bersama Nyepi; 31 March-1 April Idul Fitri;
    # 2-4 and 7 April cuti bersama; 8-11 April (8); 14-17 April (12); 18 April Good Friday;
    # 21-23 April (15).
    assert _fresh(selection).registration_closes_at == wib(2025, 4, 23, 23, 59, 59)


def test_the_closing_time_is_a_parameter(app, movable_clock) -> None:
    selection, secretariat = make_selection(make_agency())
    planning.save_registration(
        selection,
        secretariat,
        planning.RegistrationInput(registration_length=7, closing_time="16:00"),
    )
    published(selection, secretariat, movable_clock, wib(2018, 11, 20, 9, 0))
    assert _fresh(selection).registration_closes_at == wib(2018, 11, 26, 16, 0, 59)


# --- at the close: extend, then drop; no post left: cancel only ---------------------------


def _short_selection(moving: MovableClock, *, positions: int = 1):
    selection, secretariat = make_selection(make_agency(), positions=positions)
    published(selection, secretariat, moving, wib(2018, 11, 20, 9, 0))
    return selection, secretariat


def test_a_post_with_three_applicants_is_extended_then_dropped(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    post = selection.positions[0]
    apply(post, submitted=3, drafts=1)
    # Before the close nothing of the kind is possible.
    with pytest.raises(GuardFailed) as early:
        announcement.close_registration(selection, secretariat)
    assert "Registration is open until 04-12-2018 23:59 WIB; wait until it has closed." in (
        reasons_of(early.value)
    )
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    with pytest.raises(GuardFailed) as short:
        announcement.close_registration(selection, secretariat)
    assert reasons_of(short.value) == ["Kepala Dinas 1 has 3 applicants; at least 4 are needed."]

    result = announcement.extend_registration(
        selection, secretariat, reason="Pelamar kurang dari 4 orang", **extension_letter()
    )
    extension = result.outputs["extension"]
    row = _fresh(selection)
    # Reopened on 5 December for 7 calendar days: 5-11 December.
    assert row.registration_closes_at == wib(2018, 12, 11, 23, 59, 59)
    extension = db.session.get(RegistrationExtension, extension.id)
    assert extension.number == 1
    assert extension.previous_closes_at == wib(2018, 12, 4, 23, 59, 59)
    assert extension.new_closes_at == wib(2018, 12, 11, 23, 59, 59)
    assert extension.position_ids == [post.id]
    assert extension.approval.purpose == "extension"
    assert extension.approval.letter_number == "B-3012/KASN/12/2018"
    events = _event_names(selection)
    start = events.index("extend_registration") - 1
    assert events[start : start + 3] == [
        "approval_recorded",
        "extend_registration",
        "registration_extended",
    ]

    # Still 3 when the extension closes: the post is dropped and its applications closed.
    movable_clock.set(wib(2018, 12, 10, 9, 0))
    with pytest.raises(GuardFailed) as open_again:
        announcement.drop_position(selection, secretariat, position_id=post.id, reason="Kurang")
    assert reasons_of(open_again.value) == [
        "Registration is open until 11-12-2018 23:59 WIB; wait until it has closed."
    ]
    movable_clock.set(wib(2018, 12, 12, 8, 0))
    result = announcement.drop_position(
        selection, secretariat, position_id=str(post.id), reason="Pelamar tetap 3 orang"
    )
    assert result.outputs["closed_applications"] == 4
    db.session.expire_all()
    post = db.session.get(Position, post.id)
    assert post.dropped_at == wib(2018, 12, 12, 8, 0) and not post.is_open
    assert post.drop_reason == "Pelamar tetap 3 orang"
    states = db.session.scalars(
        sa.select(Application.state).where(Application.position_id == post.id)
    ).all()
    assert states == ["closed"] * 4
    closes = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.selection_id == selection.id, AuditEvent.event == "close"
        )
    ).all()
    assert {e.payload["data"]["reason"] for e in closes} == {"post dropped"}

    # No post left: closing is refused with the reason, only cancelling remains.
    with pytest.raises(GuardFailed) as nothing_left:
        announcement.close_registration(selection, secretariat)
    assert reasons_of(nothing_left.value) == [
        "Every post of this selection was dropped; it cannot go on and can only be cancelled."
    ]
    options = {o.name: o for o in available_events(_fresh(selection), secretariat)}
    assert not options["close_registration"].enabled
    assert options["cancel"].enabled
    fire(_fresh(selection), "cancel", secretariat, {"reason": "Tidak ada jabatan tersisa"})
    assert _fresh(selection).state == "cancelled"


def test_a_third_extension_is_refused(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    apply(selection.positions[0], submitted=2)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    announcement.extend_registration(selection, secretariat, reason="1", **extension_letter())
    movable_clock.set(wib(2018, 12, 12, 8, 0))
    announcement.extend_registration(selection, secretariat, reason="2", **extension_letter())
    assert _fresh(selection).registration_closes_at == wib(2018, 12, 18, 23, 59, 59)
    movable_clock.set(wib(2018, 12, 19, 8, 0))
    before = counts()
    with pytest.raises(GuardFailed) as third:
        announcement.extend_registration(selection, secretariat, reason="3", **extension_letter())
    assert reasons_of(third.value) == [
        "Registration was already extended 2 times; the definition allows at most 2."
    ]
    assert counts() == before  # the third letter was not kept either
    assert db.session.scalar(sa.select(sa.func.count(RegistrationExtension.id))) == 2


def test_an_extension_decided_late_still_gives_seven_days(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    movable_clock.set(wib(2018, 12, 7, 10, 0))  # three days after the close
    announcement.extend_registration(selection, secretariat, reason="x", **extension_letter())
    assert _fresh(selection).registration_closes_at == wib(2018, 12, 13, 23, 59, 59)


def test_extension_needs_its_letter_and_a_short_post(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock, positions=2)
    apply(selection.positions[0], submitted=4)
    apply(selection.positions[1], submitted=1)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    with pytest.raises(GuardFailed) as no_letter:
        fire(selection, "extend_registration", secretariat, {"reason": "kurang"})
    assert reasons_of(no_letter.value) == [
        "Record the KASN approval letter for this extension first."
    ]
    before = counts()
    with pytest.raises(ValidationFailed) as bad_pdf:
        announcement.extend_registration(
            selection, secretariat, reason="", **extension_letter(pdf=b"not a pdf")
        )
    assert reasons_of(bad_pdf.value) == [
        "Say why registration is extended.",
        "The file is not a PDF document, whatever its name says; save it as PDF.",
    ]
    assert counts() == before
    # Only the short post is listed on the extension.
    result = announcement.extend_registration(
        selection, secretariat, reason="kurang", **extension_letter()
    )
    assert result.outputs["extension"].position_ids == [selection.positions[1].id]


def test_no_extension_when_every_post_has_enough(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    apply(selection.positions[0], submitted=4)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    with pytest.raises(GuardFailed) as refused:
        announcement.extend_registration(selection, secretariat, reason="x", **extension_letter())
    assert reasons_of(refused.value) == [
        "Every open post has at least 4 applicants; no extension is needed."
    ]


def test_only_a_short_post_of_this_selection_can_be_dropped(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock, positions=2)
    other, _ = make_selection(make_agency())
    apply(selection.positions[0], submitted=4)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    cases = [
        (
            selection.positions[0].id,
            "Kepala Dinas 1 has enough applicants (at least 4); it cannot be dropped.",
        ),
        (other.positions[0].id, "Choose a post of this selection."),
        ("abc", "Choose a post of this selection."),
    ]  # fmt: skip
    for position_id, message in cases:
        with pytest.raises(GuardFailed) as refused:
            announcement.drop_position(selection, secretariat, position_id=position_id, reason="x")
        assert reasons_of(refused.value) == [message]
    with pytest.raises(ValidationFailed) as no_reason:
        announcement.drop_position(selection, secretariat, position_id="", reason=" ")
    assert reasons_of(no_reason.value) == [
        "Choose the post to drop.",
        "Say why the post is dropped.",
    ]
    # Fired directly, the engine still insists on the reason.
    with pytest.raises(GuardFailed) as engine_refusal:
        fire(
            selection,
            "drop_position",
            secretariat,
            {"position_id": selection.positions[1].id, "reason": " "},
        )
    assert reasons_of(engine_refusal.value) == ["reason is required."]
    announcement.drop_position(
        selection, secretariat, position_id=selection.positions[1].id, reason="Tidak ada pelamar"
    )
    with pytest.raises(GuardFailed) as again:
        announcement.drop_position(
            selection, secretariat, position_id=selection.positions[1].id, reason="x"
        )
    assert reasons_of(again.value) == ["Kepala Dinas 2 was already dropped."]


def test_closing_moves_on_without_the_dropped_post_and_closes_drafts(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock, positions=2)
    full = apply(selection.positions[0], submitted=4, drafts=2)
    apply(selection.positions[1], submitted=2)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    announcement.drop_position(
        selection, secretariat, position_id=selection.positions[1].id, reason="Kurang"
    )
    result = announcement.close_registration(selection, secretariat)
    assert result.to_state == "administrative_screening"
    assert result.outputs["closed_applications"] == 2
    db.session.expire_all()
    states = [db.session.get(Application, a.id).state for a in full]
    assert states == ["submitted"] * 4 + ["closed"] * 2
    reasons = {
        e.payload["data"]["reason"]
        for e in db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.event == "close", AuditEvent.subject_id.in_([a.id for a in full[4:]])
            )
        )
    }
    assert reasons == {"registration closed before the application was submitted"}


def test_cancelling_closes_every_open_application_with_the_reason(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    rows = apply(selection.positions[0], submitted=2, drafts=1)
    fire(selection, "cancel", secretariat, {"reason": "Dibatalkan oleh PPK"})
    db.session.expire_all()
    assert [db.session.get(Application, a.id).state for a in rows] == ["closed"] * 3
    reasons = {
        e.payload["data"]["reason"]
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "close"))
    }
    assert reasons == {"Dibatalkan oleh PPK"}


def test_extension_approval_can_be_recorded_first_and_used_by_the_event(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    movable_clock.set(wib(2018, 12, 5, 8, 0))
    letter = announcement.record_extension_letter(selection, secretariat, **extension_letter())
    result = fire(selection, "extend_registration", secretariat, {"reason": "Kurang pelamar"})
    assert result.outputs["extension"].approval_id == letter.id
    # The letter is used: a second extension needs a new one.
    movable_clock.set(wib(2018, 12, 12, 8, 0))
    with pytest.raises(GuardFailed) as refused:
        fire(_fresh(selection), "extend_registration", secretariat, {"reason": "lagi"})
    assert reasons_of(refused.value) == [
        "Record the KASN approval letter for this extension first."
    ]


def test_publishing_records_moments_in_utc(app, movable_clock) -> None:
    selection, secretariat = _short_selection(movable_clock)
    row = _fresh(selection)
    assert row.registration_opens_at.tzinfo is not None
    assert row.registration_closes_at == datetime(2018, 12, 4, 16, 59, 59, tzinfo=UTC)
    assert db.session.scalar(sa.select(sa.func.count(Approval.id))) == 1
