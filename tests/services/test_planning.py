"""The draft stage: new selections, posts, committee, schedule, weights and parameters."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import (
    AuditEvent,
    CommitteeMember,
    CommitteeRole,
    Position,
    Role,
    Selection,
    User,
)
from openbid.rules.committee import PositionLevel
from openbid.rules.reasons import ValidationFailed
from openbid.stages import planning
from openbid.workflow import Forbidden, fire
from tests.factories import PASSWORD, make_agency, make_selection, make_user


def _snapshot() -> tuple[int, int, int, int, int]:
    """Count the rows a refused edit must leave alone."""
    db.session.expire_all()
    count = lambda model: db.session.scalar(sa.select(sa.func.count(model.id)))  # noqa: E731
    return (
        count(AuditEvent),
        count(Position),
        count(CommitteeMember),
        count(User),
        count(Selection),
    )


def _fresh(selection: Selection) -> Selection:
    db.session.expire_all()
    return db.session.get(Selection, selection.id)


def _messages(error: ValidationFailed) -> list[str]:
    return [str(r) for r in error.reasons]


def _post(**fields: object) -> planning.PositionInput:
    values = {"name": "Kepala Dinas Pendidikan", "unit": "Dinas Pendidikan", **fields}
    return planning.PositionInput(**values)


def _member(**fields: object) -> planning.MemberInput:
    values = {
        "committee_role": "member",
        "is_internal": False,
        "position_title": "Guru Besar Administrasi Negara",
        "position_level": int(PositionLevel.OTHER),
        "institution": "Universitas Indonesia",
        **fields,
    }
    return planning.MemberInput(**values)


# --- new selection ------------------------------------------------------------------------


def test_the_definition_follows_the_start_date(app) -> None:
    agency = make_agency()
    secretariat = make_user(Role.SECRETARIAT, agency)
    old = planning.start_selection(
        agency, secretariat, title=" Seleksi 2018 ", start_date=date(2018, 11, 19)
    )
    new = planning.start_selection(
        agency, secretariat, title="Seleksi 2025", start_date=date(2025, 3, 3)
    )
    assert (old.workflow_key, old.title, old.state) == ("jpt-pratama-kasn", "Seleksi 2018", "draft")
    assert new.workflow_key == "jpt-pratama-bkn"
    chosen = planning.start_selection(
        agency,
        secretariat,
        title="Seleksi pilihan",
        start_date=date(2023, 10, 1),
        workflow="jpt-pratama-kasn@1",
    )
    assert chosen.workflow_key == "jpt-pratama-kasn"


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"title": "  "}, ["Enter a title for the selection."]),
        ({"start_date": None}, ["Enter the start date of the selection."]),
        ({"title": "x" * 301}, ["The title is longer than 300 characters."]),
        ({"workflow": "jpt-pratama-xyz@9"}, ["The workflow jpt-pratama-xyz@9 is not installed."]),
        (
            {"workflow": "jpt-pratama-kasn@1", "start_date": date(2025, 3, 3)},
            [
                "The workflow Seleksi Terbuka JPT Pratama (rekomendasi KASN) applies to selections"
                " starting from 15-01-2014 to 30-10-2023; this one starts on 03-03-2025."
            ],
        ),
    ],
)
def test_a_bad_new_selection_is_refused(app, fields, messages) -> None:
    agency = make_agency()
    secretariat = make_user(Role.SECRETARIAT, agency)
    before = _snapshot()
    values = {"title": "Seleksi", "start_date": date(2018, 11, 19), **fields}
    with pytest.raises(ValidationFailed) as refused:
        planning.start_selection(agency, secretariat, **values)
    assert _messages(refused.value) == messages
    assert _snapshot() == before


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.AUDITOR, Role.CANDIDATE])
def test_only_the_secretariat_and_admin_create_selections(app, role) -> None:
    agency = make_agency()
    user = make_user(role, agency if role != Role.CANDIDATE else None)
    with pytest.raises(Forbidden):
        planning.start_selection(agency, user, title="x", start_date=date(2018, 11, 19))
    admin = make_user(Role.ADMIN, agency)
    assert planning.start_selection(agency, admin, title="x", start_date=date(2018, 11, 19)).id


def test_another_agency_cannot_create_or_edit(app) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    stranger = make_user(Role.SECRETARIAT, make_agency())
    with pytest.raises(Forbidden):
        planning.start_selection(agency, stranger, title="x", start_date=date(2018, 11, 19))
    with pytest.raises(Forbidden):
        planning.add_position(selection, stranger, _post(name="Kepala Dinas Sosial"))


# --- posts --------------------------------------------------------------------------------


def test_posts_are_added_edited_and_removed_with_audit(app) -> None:
    selection, secretariat = make_selection(make_agency(), positions=0)
    position = planning.add_position(
        selection,
        secretariat,
        _post(min_rank="iv/c", requirements="S2 Manajemen Pendidikan", competencies="Manajerial"),
    )
    assert (position.min_rank, position.level) == ("IV/c", int(PositionLevel.JPT_PRATAMA))
    planning.update_position(
        selection, secretariat, position.id, _post(unit="Dinas Pendidikan Kota", min_rank="IV/b")
    )
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq)
    ).all()
    assert events[-1].event == "position_updated"
    assert events[-1].payload["changes"] == {
        "unit": ["Dinas Pendidikan", "Dinas Pendidikan Kota"],
        "min_rank": ["IV/c", "IV/b"],
        "requirements": ["S2 Manajemen Pendidikan", ""],
        "competencies": ["Manajerial", ""],
    }
    # Saving the same values again writes nothing.
    before = _snapshot()
    planning.update_position(
        selection, secretariat, position.id, _post(unit="Dinas Pendidikan Kota", min_rank="IV/b")
    )
    assert _snapshot() == before
    planning.remove_position(selection, secretariat, position.id)
    assert db.session.get(Position, position.id) is None
    last = db.session.scalars(
        sa.select(AuditEvent.event).where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq.desc())
    ).first()  # fmt: skip
    assert last == "position_removed"


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"name": " ", "unit": ""}, ["Enter the name of the post.", "Enter the unit of the post."]),
        ({"min_rank": "V/a"}, ["V/a is not a rank code such as IV/b."]),
        (
            {"level": int(PositionLevel.ADMINISTRATOR)},
            ["Choose the level of the post: JPT Pratama, JPT Madya or JPT Utama."],
        ),
        ({"level": None}, ["Choose the level of the post: JPT Pratama, JPT Madya or JPT Utama."]),
        ({"name": "kepala dinas 1"}, ["This selection already has a post named kepala dinas 1."]),
        (
            {"requirements": "x" * 5001},
            ["The list of requirements is longer than 5000 characters."],
        ),
    ],
)
def test_a_bad_post_is_refused_and_nothing_is_written(app, fields, messages) -> None:
    selection, secretariat = make_selection(make_agency())
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        planning.add_position(selection, secretariat, _post(**fields))
    assert _messages(refused.value) == messages
    assert _snapshot() == before


def test_a_post_of_another_selection_cannot_be_edited(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    other, _ = make_selection(agency)
    with pytest.raises(ValidationFailed) as refused:
        planning.update_position(selection, secretariat, other.positions[0].id, _post())
    assert _messages(refused.value) == ["That post is not part of this selection; reload."]
    with pytest.raises(ValidationFailed):
        planning.remove_position(selection, secretariat, other.positions[0].id)


# --- committee ----------------------------------------------------------------------------


def test_an_existing_committee_account_is_seated(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency, committee=0)
    person = make_user(Role.COMMITTEE, agency, name="Dr. Maya Puspitasari")
    result = planning.seat_member(
        selection, secretariat, _member(user_id=person.id, committee_role="chair")
    )
    assert result.initial_password is None
    assert (result.member.user_id, result.member.committee_role) == (person.id, CommitteeRole.CHAIR)
    with pytest.raises(ValidationFailed) as twice:
        planning.seat_member(selection, secretariat, _member(user_id=person.id))
    assert _messages(twice.value) == ["Dr. Maya Puspitasari already sits on this committee."]
    planning.remove_member(selection, secretariat, result.member.id)
    assert db.session.get(CommitteeMember, result.member.id) is None
    assert db.session.get(User, person.id) is not None  # the account stays


def test_a_new_person_gets_a_committee_account_that_can_log_in(app, client, browser) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency, committee=0)
    result = planning.seat_member(
        selection,
        secretariat,
        _member(new_name="Prof. Agus Salim", new_email="Agus.Salim@Untirta.example"),
    )
    user = result.member.user
    assert (user.email, user.role, user.agency_id) == (
        "agus.salim@untirta.example",
        Role.COMMITTEE,
        agency.id,
    )
    assert result.initial_password and user.check_password(result.initial_password)
    events = db.session.scalars(
        sa.select(AuditEvent.event).where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq)
    ).all()  # fmt: skip
    assert events[-2:] == ["user_created", "committee_member_added"]
    response = browser.login("agus.salim@untirta.example", result.initial_password)
    assert response.status_code in (302, 303)


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        (
            {"new_name": "", "new_email": ""},
            [
                "Choose an existing account or enter the new member's name.",
                "Enter the new member's email address.",
            ],
        ),
        (
            {"new_name": "Budi", "new_email": "budi@"},
            ["budi@ is not a valid email address."],
        ),
        (
            {"new_name": "Budi", "new_email": "x@example.org", "position_title": " "},
            ["Enter the member's position (jabatan)."],
        ),
        (
            {"new_name": "Budi", "new_email": "x@example.org", "committee_role": "boss"},
            ["Choose chair, secretary or member."],
        ),
        (
            {"new_name": "Budi", "new_email": "x@example.org", "position_level": 9},
            ["Choose the position level of the member."],
        ),
    ],
)
def test_a_bad_seat_is_refused_and_nothing_is_written(app, fields, messages) -> None:
    selection, secretariat = make_selection(make_agency())
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        planning.seat_member(selection, secretariat, _member(**fields))
    assert _messages(refused.value) == messages
    assert _snapshot() == before


def test_accounts_of_other_roles_or_agencies_and_taken_emails_are_refused(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    stranger = make_user(Role.COMMITTEE, make_agency())
    ppk = make_user(Role.PPK, agency)
    for user in (stranger, ppk):
        with pytest.raises(ValidationFailed) as refused:
            planning.seat_member(selection, secretariat, _member(user_id=user.id))
        assert _messages(refused.value) == [
            "Choose a committee account of this agency, or enter a new person."
        ]
    with pytest.raises(ValidationFailed) as taken:
        planning.seat_member(
            selection, secretariat, _member(new_name="Dup", new_email=ppk.email.upper())
        )
    assert _messages(taken.value) == [
        f"{ppk.email} already has an account; choose it from the list instead."
    ]


# --- schedule -----------------------------------------------------------------------------


def test_the_schedule_is_saved_in_order_with_audit(app) -> None:
    selection, secretariat = make_selection(make_agency())
    rows = [
        planning.ScheduleInput("Pengumuman dan pendaftaran", date(2018, 11, 20), date(2018, 12, 4)),
        planning.ScheduleInput("Seleksi administrasi", date(2018, 12, 5), date(2018, 12, 11)),
        planning.ScheduleInput("Wawancara akhir", date(2018, 12, 20), None, "Ruang Rapat"),
    ]
    planning.save_schedule(selection, secretariat, rows)
    assert _fresh(selection).schedule == [
        {"stage": "Pengumuman dan pendaftaran", "starts_on": "2018-11-20", "ends_on": "2018-12-04"},
        {"stage": "Seleksi administrasi", "starts_on": "2018-12-05", "ends_on": "2018-12-11"},
        {
            "stage": "Wawancara akhir",
            "starts_on": "2018-12-20",
            "ends_on": "2018-12-20",
            "place": "Ruang Rapat",
        },
    ]
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.selection_id == selection.id)
        .order_by(AuditEvent.seq.desc())
    ).first()  # fmt: skip
    assert event.event == "schedule_updated" and event.payload["before"] == []


def test_a_bad_schedule_is_refused_naming_each_row(app) -> None:
    selection, secretariat = make_selection(make_agency())
    before = _snapshot()
    rows = [
        planning.ScheduleInput("Pengumuman", date(2018, 11, 20), date(2018, 11, 10)),
        planning.ScheduleInput("", date(2018, 12, 5)),
        planning.ScheduleInput("Wawancara", date(2018, 11, 25)),
        planning.ScheduleInput("Tes kesehatan", None),
        planning.ScheduleInput("Rapat awal", date(2018, 1, 1)),
    ]
    with pytest.raises(ValidationFailed) as refused:
        planning.save_schedule(selection, secretariat, rows)
    assert _messages(refused.value) == [
        "Row 1 ends on 10-11-2018, before it starts on 20-11-2018.",
        "Row 2: enter the stage.",
        "Row 3 starts on 25-11-2018, before row 2 (05-12-2018); list the stages in date order.",
        "Row 4: enter the start date.",
        "Row 5 starts on 01-01-2018, before the selection's start date 19-11-2018.",
        "Row 5 starts on 01-01-2018, before row 3 (25-11-2018); list the stages in date order.",
    ]
    assert _snapshot() == before and _fresh(selection).schedule == []


# --- weights, pass marks, registration ----------------------------------------------------


def test_weights_and_pass_marks_are_stored_as_overrides(app) -> None:
    selection, secretariat = make_selection(make_agency())
    defaults = {"track_record": "20", "interview": "35", "paper": "20", "assessment": "25"}
    assert not planning.save_scoring(selection, secretariat, weights=defaults, pass_marks={})
    assert _fresh(selection).parameters == {}
    planning.save_scoring(
        selection,
        secretariat,
        weights={"track_record": "10", "interview": "40", "paper": "12,5", "assessment": "37.5"},
        pass_marks={"assessment": "68", "interview": ""},
    )
    params = _fresh(selection).parameters
    assert params["weights"] == {
        "track_record": 0.1,
        "interview": 0.4,
        "paper": 0.125,
        "assessment": 0.375,
    }
    assert params["pass_marks"] == {"assessment": 68}
    # Back to the defaults: the overrides disappear.
    planning.save_scoring(selection, secretariat, weights=defaults, pass_marks={})
    assert _fresh(selection).parameters == {}


@pytest.mark.parametrize(
    ("weights", "marks", "messages"),
    [
        (
            {"track_record": "20", "interview": "35", "paper": "20", "assessment": "15"},
            {},
            ["The score weights add up to 90%; they must add up to 100%."],
        ),
        (
            {"track_record": "abc", "interview": "35", "paper": "20", "assessment": "25"},
            {},
            ["The weight of track record must be a number of percent, e.g. 35."],
        ),
        (
            {"track_record": "", "interview": "35", "paper": "20", "assessment": "25"},
            {},
            ["Enter the weight of track record (0 if it does not count)."],
        ),
        (
            {"track_record": "-10", "interview": "45", "paper": "40", "assessment": "25"},
            {},
            ["The weight of track record is -10%; it cannot be negative."],
        ),
        (
            {"track_record": "20", "interview": "35", "paper": "20", "assessment": "25"},
            {"paper": "120", "interview": "x"},
            [
                "The pass mark of interview must be a score from 0 to 100.",
                "The pass mark of paper must be a score from 0 to 100.",
            ],
        ),
    ],
)
def test_bad_weights_are_refused_and_nothing_is_written(app, weights, marks, messages) -> None:
    selection, secretariat = make_selection(make_agency())
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        planning.save_scoring(selection, secretariat, weights=weights, pass_marks=marks)
    assert _messages(refused.value) == messages
    assert _snapshot() == before and _fresh(selection).parameters == {}


def test_registration_settings_are_stored_as_overrides(app) -> None:
    selection, secretariat = make_selection(make_agency())
    planning.save_registration(
        selection,
        secretariat,
        planning.RegistrationInput(
            registration_length=15,
            registration_unit="working",
            closing_time="16:00",
            min_applicants=4,
            extension_length=7,
            extension_unit="calendar",
            extension_max_count=3,
            reference_date=date(2018, 12, 1),
        ),
    )
    assert _fresh(selection).parameters == {
        "registration": {"unit": "working", "closing_time": "16:00"},
        "extension": {"max_count": 3},
        "eligibility": {"reference_date": "2018-12-01", "age_reference": "2018-12-01"},
    }
    planning.save_registration(selection, secretariat, planning.RegistrationInput())
    assert _fresh(selection).parameters == {}


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        (
            {"registration_length": 0},
            ["The registration length must be a whole number from 1 to 90."],
        ),
        (
            {"min_applicants": 0, "extension_max_count": 9},
            [
                "The minimum of applicants per post must be a whole number from 1 to 50.",
                "The number of extensions allowed must be a whole number from 0 to 5.",
            ],
        ),
        ({"registration_unit": "lunar"}, ["Count the days as calendar days or working days."]),
        (
            {"closing_time": "25:00"},
            ["Enter the closing time as hours and minutes, e.g. 23:59 or 16:00."],
        ),
        (
            {"closing_time": "jam 4"},
            ["Enter the closing time as hours and minutes, e.g. 23:59 or 16:00."],
        ),
        (
            {"reference_date": date(2016, 1, 1)},
            [
                "The age reference date 01-01-2016 is more than a year away from the"
                " selection's start date 19-11-2018."
            ],
        ),
    ],
)
def test_bad_registration_settings_are_refused(app, fields, messages) -> None:
    selection, secretariat = make_selection(make_agency())
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        planning.save_registration(selection, secretariat, planning.RegistrationInput(**fields))
    assert _messages(refused.value) == messages
    assert _snapshot() == before


# --- draft only ---------------------------------------------------------------------------


def test_every_edit_is_refused_after_the_plan_is_submitted(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    fire(selection, "submit_for_approval", secretariat)
    person = make_user(Role.COMMITTEE, agency)
    member_id = _fresh(selection).committee[0].id
    position_id = _fresh(selection).positions[0].id
    before = _snapshot()
    edits = [
        lambda: planning.add_position(selection, secretariat, _post(name="Kepala Dinas Sosial")),
        lambda: planning.update_position(selection, secretariat, position_id, _post()),
        lambda: planning.remove_position(selection, secretariat, position_id),
        lambda: planning.seat_member(selection, secretariat, _member(user_id=person.id)),
        lambda: planning.remove_member(selection, secretariat, member_id),
        lambda: planning.save_schedule(selection, secretariat, []),
        lambda: planning.save_scoring(selection, secretariat, weights={}, pass_marks={}),
        lambda: planning.save_registration(selection, secretariat, planning.RegistrationInput()),
    ]
    for edit in edits:
        with pytest.raises(ValidationFailed) as refused:
            edit()
        assert _messages(refused.value) == [
            "This can only be changed while the selection is in draft"
            " (now: Awaiting oversight approval)."
        ]
    assert _snapshot() == before


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PPK, Role.AUDITOR])
def test_other_roles_cannot_edit_the_plan(app, role) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    user = make_user(role, agency)
    before = _snapshot()
    with pytest.raises(Forbidden):
        planning.add_position(selection, user, _post(name="Kepala Dinas Sosial"))
    with pytest.raises(Forbidden):
        planning.save_schedule(selection, user, [])
    assert _snapshot() == before


def test_password_constant_is_not_an_initial_password(app) -> None:
    # The factory password is for fixtures; generated initial passwords are random.
    selection, secretariat = make_selection(make_agency(), committee=0)
    first = planning.seat_member(selection, secretariat, _member(new_name="A", new_email="a@x.org"))
    second = planning.seat_member(
        selection, secretariat, _member(new_name="B", new_email="b@x.org")
    )
    assert first.initial_password != second.initial_password != PASSWORD
    assert len(first.initial_password) >= 12
