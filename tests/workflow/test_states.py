"""States and events as enumerations, checked against every definition at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config import TestConfig
from openbid.app import WORKFLOWS_DIR, create_app
from openbid.models import ApplicationEvent, ApplicationState, SelectionEvent, SelectionState
from openbid.workflow import DefinitionError, WorkflowRegistry, load_workflows


def _definition(name: str = "jpt-pratama-kasn.yaml") -> dict:
    return yaml.safe_load((WORKFLOWS_DIR / name).read_text())


def _write(directory: Path, data: dict, name: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _rename_state(machine: dict, old: str, new: str) -> None:
    """Rename a state everywhere the machine names it, so only the enumeration check fails."""
    for state in machine["states"]:
        if state["name"] == old:
            state["name"] = new
    if machine["initial"] == old:
        machine["initial"] = new
    machine["final"] = [new if s == old else s for s in machine.get("final", [])]
    for transition in machine["transitions"]:
        source = transition["source"]
        if isinstance(source, list):
            transition["source"] = [new if s == old else s for s in source]
        elif source == old:
            transition["source"] = new
        if transition["dest"] == old:
            transition["dest"] = new


def test_members_compare_equal_to_the_stored_strings() -> None:
    assert SelectionState.DRAFT == "draft"
    assert "administrative_screening" in (SelectionState.ADMINISTRATIVE_SCREENING,)
    assert f"{ApplicationState.NOT_SHORTLISTED}" == "not_shortlisted"
    assert SelectionEvent.SUBMIT_FOR_APPROVAL == "submit_for_approval"


def test_the_real_definitions_have_exactly_the_enumerations() -> None:
    registry = load_workflows(WORKFLOWS_DIR)
    for definition in registry.all():
        selection, application = definition.machine("selection"), definition.machine("application")
        assert set(selection.state_names) == set(SelectionState)
        assert {t.trigger for t in selection.transitions} == set(SelectionEvent)
        assert set(application.state_names) == set(ApplicationState)
        assert {t.trigger for t in application.transitions} == set(ApplicationEvent)


def test_a_renamed_state_refuses_to_load(tmp_path: Path) -> None:
    data = _definition()
    _rename_state(data["machines"]["selection"], "interview", "interviews")
    _write(tmp_path, data, "renamed.yaml")
    with pytest.raises(DefinitionError) as error:
        WorkflowRegistry.load_dir(tmp_path)
    assert str(error.value) == (
        "renamed.yaml: machine 'selection': state 'interviews' is not a SelectionState; "
        "add it to openbid/models/states.py or fix the definition"
    )


def test_a_renamed_application_state_refuses_to_start_the_app(tmp_path: Path) -> None:
    data = _definition()
    _rename_state(data["machines"]["application"], "shortlisted", "short_listed")
    workflows = tmp_path / "workflows"
    _write(workflows, data, "jpt-pratama-kasn.yaml")
    config = TestConfig(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    with pytest.raises(
        DefinitionError,
        match=r"jpt-pratama-kasn.yaml: machine 'application': "
        r"state 'short_listed' is not an ApplicationState",
    ):
        create_app(config, workflows_dir=workflows)


def test_a_renamed_event_refuses_to_load(tmp_path: Path) -> None:
    data = _definition()
    for transition in data["machines"]["selection"]["transitions"]:
        if transition["trigger"] == "close_interview":
            transition["trigger"] = "finish_interview"
    _write(tmp_path, data, "renamed.yaml")
    with pytest.raises(
        DefinitionError,
        match=r"machine 'selection': event 'finish_interview' is not a SelectionEvent",
    ):
        WorkflowRegistry.load_dir(tmp_path)


def _without_eliminated(data: dict) -> dict:
    """Drop the application state 'eliminated' and the only event that reaches it."""
    application = data["machines"]["application"]
    application["states"] = [s for s in application["states"] if s["name"] != "eliminated"]
    application["final"] = [s for s in application["final"] if s != "eliminated"]
    application["transitions"] = [
        t for t in application["transitions"] if t["trigger"] != "eliminate"
    ]
    return data


def test_a_member_in_no_definition_refuses_to_start(tmp_path: Path) -> None:
    workflows = tmp_path / "workflows"
    _write(workflows, _without_eliminated(_definition()), "jpt-pratama-kasn.yaml")
    _write(workflows, _without_eliminated(_definition("jpt-pratama-bkn.yaml")), "bkn.yaml")
    with pytest.raises(DefinitionError) as error:
        WorkflowRegistry.load_dir(workflows)
    message = str(error.value)
    assert "ApplicationState.ELIMINATED ('eliminated')" in message
    assert "no workflow definition has" in message
    config = TestConfig(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    with pytest.raises(DefinitionError, match=r"ApplicationState.ELIMINATED"):
        create_app(config, workflows_dir=workflows)


def test_a_member_in_one_definition_of_several_is_enough(tmp_path: Path) -> None:
    _write(tmp_path, _without_eliminated(_definition()), "jpt-pratama-kasn.yaml")
    _write(tmp_path, _definition("jpt-pratama-bkn.yaml"), "jpt-pratama-bkn.yaml")
    registry = WorkflowRegistry.load_dir(tmp_path)
    assert len(registry.all()) == 2
