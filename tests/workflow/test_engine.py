"""fire(): one transaction, role and guard checks, audit event, rollback on any failure."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
import yaml

from openbid import audit
from openbid.app import WORKFLOWS_DIR
from openbid.extensions import db
from openbid.models import AuditEvent, Role, Selection
from openbid.stages.common.applications import create_application
from openbid.workflow import (
    EventNotAvailable,
    Forbidden,
    GuardFailed,
    StaleState,
    WorkflowRegistry,
    available_events,
    fire,
    workflows,
)
from openbid.workflow.parsing import parse_definition
from openbid.workflow.registry import ACTIONS
from tests.factories import make_agency, make_selection, make_user
from tests.stage_factories import (
    close_registration,
    make_candidate,
    record_gates,
    upload_documents,
)


def _events(selection_id: int) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == selection_id)
        .order_by(AuditEvent.seq)
    ).all()


def _snapshot(selection: Selection) -> tuple:
    db.session.expire_all()
    row = db.session.get(Selection, selection.id)
    events = _events(selection.id)
    return row.state, row.version, len(events), events[-1].hash


def test_fire_moves_state_and_appends_one_audit_event(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    before = len(_events(selection.id))
    result = fire(selection, "submit_for_approval", secretariat)
    assert (result.from_state, result.to_state) == ("draft", "approval")
    db.session.expire_all()
    row = db.session.get(Selection, selection.id)
    assert row.state == "approval"
    assert row.version == 2
    events = _events(selection.id)
    assert len(events) == before + 1
    last = events[-1]
    assert (last.event, last.from_state, last.to_state) == (
        "submit_for_approval",
        "draft",
        "approval",
    )
    assert last.actor_id == secretariat.id
    assert last.occurred_at.tzinfo is not None
    assert last.payload["workflow"] == "jpt-pratama-kasn@1"
    assert audit.verify_all(db.session).ok


def test_guard_failure_changes_nothing_and_gives_its_reason(app) -> None:
    agency = make_agency()
    # 6 members: an even committee
    selection, secretariat = make_selection(agency, committee=6, internal=2)
    before = _snapshot(selection)
    with pytest.raises(GuardFailed) as error:
        fire(selection, "submit_for_approval", secretariat)
    assert [r.code for r in error.value.reasons] == ["committee.size_even"]
    assert "6 members" in str(error.value.reasons[0])
    assert _snapshot(selection) == before
    assert audit.verify_all(db.session).ok


def test_action_that_raises_rolls_everything_back(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    before = _snapshot(selection)
    registry = workflows()
    raw = yaml.safe_load((WORKFLOWS_DIR / "jpt-pratama-kasn.yaml").read_text())
    raw["version"] = 99
    submit = next(
        t
        for t in raw["machines"]["selection"]["transitions"]
        if t["trigger"] == "submit_for_approval"
    )
    submit["actions"] = ["explode_after_move"]

    def explode(ctx) -> None:
        # The state has moved and the audit event is appended when an action runs: the event
        # is written, the row's change waits for the next flush (an action's first query, or
        # fire()'s own after them).
        assert ctx.row.state == "approval"
        assert ctx.audit_event in ctx.session and ctx.audit_event.hash
        assert ctx.audit_event.id is not None
        assert ctx.row in ctx.session.dirty
        ctx.session.flush()
        raise RuntimeError("renderer crashed")

    with ACTIONS.temporarily("explode_after_move", explode):
        definition = parse_definition(raw, "test.yaml")
        registry.install(definition)
        selection.workflow_version = 99  # test set-up only: point the row at the exploding version
        db.session.commit()
        before = _snapshot(selection)
        with pytest.raises(RuntimeError, match="renderer crashed"):
            fire(selection, "submit_for_approval", secretariat)
    assert _snapshot(selection) == before
    assert db.session.get(Selection, selection.id).state == "draft"
    assert audit.verify_all(db.session).ok


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PPK, Role.COMMITTEE])
def test_role_not_named_on_the_transition_is_refused(app, role: Role) -> None:
    agency = make_agency()
    selection, _ = make_selection(agency)
    actor = selection.committee[0].user if role == Role.COMMITTEE else make_user(role, agency)
    before = _snapshot(selection)
    with pytest.raises(Forbidden) as error:
        fire(selection, "submit_for_approval", actor)
    assert error.value.status == 403
    assert error.value.reasons[0].code == "access.role"
    assert _snapshot(selection) == before


def test_staff_of_another_agency_is_refused(app) -> None:
    selection, _ = make_selection(make_agency())
    outsider = make_user(Role.SECRETARIAT, make_agency())
    with pytest.raises(Forbidden) as error:
        fire(selection, "submit_for_approval", outsider)
    assert error.value.reasons[0].code == "access.other_agency"


def _to_screening(selection: Selection, secretariat) -> None:
    """Drive a one-post selection into administrative screening through the engine."""
    fire(selection, "submit_for_approval", secretariat)
    record_gates(selection, secretariat)  # publishing needs the approval letters on file
    fire(selection, "publish_announcement", secretariat)
    for _ in range(4):
        candidate = make_candidate()  # a complete profile and every document: submit needs them
        application = create_application(selection.positions[0], candidate)
        upload_documents(application)
        fire(application, "submit", candidate)
    close_registration(selection, secretariat)  # with the clock moved past the window


def test_committee_member_of_another_selection_is_refused(app) -> None:
    agency = make_agency()
    selection, secretariat = make_selection(agency)
    other, _ = make_selection(agency)
    _to_screening(selection, secretariat)
    outsider = other.committee[0].user
    with pytest.raises(Forbidden) as error:
        fire(selection, "close_screening", outsider)
    assert error.value.reasons[0].code == "access.not_member"
    member = selection.committee[0].user
    with pytest.raises(GuardFailed) as error:
        fire(selection, "close_screening", member)
    # A seated member passes the access check and reaches the stage's guards.
    assert "screening.pending" in [r.code for r in error.value.reasons]


def test_candidate_fires_only_on_own_application(app) -> None:
    selection, secretariat = make_selection(make_agency())
    fire(selection, "submit_for_approval", secretariat)
    record_gates(selection, secretariat)  # publishing needs the approval letters on file
    fire(selection, "publish_announcement", secretariat)
    owner, intruder = make_candidate(), make_user(Role.CANDIDATE)
    application = create_application(selection.positions[0], owner)
    with pytest.raises(Forbidden) as error:
        fire(application, "withdraw", intruder)
    assert error.value.reasons[0].code == "access.not_own"
    upload_documents(application)
    fire(application, "submit", owner)
    assert application.state == "submitted"
    assert _events(selection.id)[-1].subject_type == "application"


def test_event_not_valid_from_state_is_a_conflict(app) -> None:
    selection, secretariat = make_selection(make_agency())
    with pytest.raises(EventNotAvailable) as error:
        fire(selection, "complete", secretariat)
    assert error.value.status == 409
    assert error.value.reasons[0].code == "event.not_available"
    with pytest.raises(EventNotAvailable) as error:
        fire(selection, "teleport", secretariat)
    assert error.value.reasons[0].code == "event.unknown"


def test_stale_version_is_a_conflict(app) -> None:
    selection, secretariat = make_selection(make_agency())
    before = _snapshot(selection)
    with pytest.raises(StaleState) as error:
        fire(
            selection,
            "submit_for_approval",
            secretariat,
            expected_version=selection.version - 1 or 99,
        )
    assert error.value.status == 409
    assert _snapshot(selection) == before


def test_required_data_is_checked(app) -> None:
    selection, secretariat = make_selection(make_agency())
    with pytest.raises(GuardFailed) as error:
        fire(selection, "cancel", secretariat, {"reason": "   "})
    assert [r.code for r in error.value.reasons] == ["data.required"]
    fire(selection, "cancel", secretariat, {"reason": "Anggaran tidak tersedia"})
    db.session.expire_all()
    assert db.session.get(Selection, selection.id).state == "cancelled"
    assert _events(selection.id)[-1].payload["data"] == {"reason": "Anggaran tidak tersedia"}


def test_available_events_lists_disabled_buttons_with_reasons(app) -> None:
    selection, secretariat = make_selection(make_agency(), committee=7, internal=4)
    options = {o.name: o for o in available_events(selection, secretariat)}
    assert set(options) == {"submit_for_approval", "record_committee_exception", "cancel"}
    submit = options["submit_for_approval"]
    assert not submit.enabled
    assert [r.code for r in submit.reasons] == ["committee.internal_share"]
    assert options["cancel"].enabled and options["cancel"].requires == ("reason",)


def test_selection_keeps_its_pinned_definition_when_another_is_installed(app) -> None:
    selection, secretariat = make_selection(make_agency(), start=date(2018, 11, 19))
    assert (selection.workflow_key, selection.workflow_version) == ("jpt-pratama-kasn", 1)
    registry: WorkflowRegistry = workflows()
    # A newer KASN version arrives, whose submit_for_approval would need an unknown-to-v1 guard.
    raw = yaml.safe_load((WORKFLOWS_DIR / "jpt-pratama-kasn.yaml").read_text())
    raw["version"] = 2
    raw["machines"]["selection"]["states"][1]["label"] = "Menunggu KASN (v2)"
    registry.install(parse_definition(raw, "jpt-pratama-kasn-v2.yaml"))
    assert registry.latest("jpt-pratama-kasn").version == 2
    fire(selection, "submit_for_approval", secretariat)
    db.session.expire_all()
    row = db.session.get(Selection, selection.id)
    assert (row.workflow_key, row.workflow_version) == ("jpt-pratama-kasn", 1)
    assert _events(selection.id)[-1].payload["workflow"] == "jpt-pratama-kasn@1"
    # A selection started in 2025 gets the BKN definition; the 2018 one still runs KASN.
    newer, _ = make_selection(make_agency(), start=date(2025, 8, 1))
    assert newer.workflow_key == "jpt-pratama-bkn"
    assert row.workflow_key == "jpt-pratama-kasn"
