"""Loading workflow definitions: every mistake refuses to load, naming file and culprit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from config import TestConfig
from openbid.app import WORKFLOWS_DIR, create_app
from openbid.workflow import DefinitionError, WorkflowRegistry, load_workflows
from openbid.workflow.loading import load_file


def _kasn() -> dict:
    return yaml.safe_load((WORKFLOWS_DIR / "jpt-pratama-kasn.yaml").read_text())


def _write(tmp_path: Path, data: dict, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _transition(data: dict, trigger: str, machine: str = "selection") -> dict:
    return next(t for t in data["machines"][machine]["transitions"] if t["trigger"] == trigger)


def test_installed_definitions_load() -> None:
    registry = load_workflows(WORKFLOWS_DIR)
    idents = [d.ident for d in registry.all()]
    assert idents == ["jpt-pratama-bkn@1", "jpt-pratama-kasn@1"]
    kasn = registry.get("jpt-pratama-kasn", 1)
    assert kasn.machine("selection").state_names == [
        "draft",
        "approval",
        "announcement",
        "administrative_screening",
        "competency_assessment",
        "interview",
        "appointment",
        "completed",
        "cancelled",
    ]
    # cancel is reachable from every open state, and only from those
    cancel_sources = set(kasn.machine("selection").find("cancel", "draft").sources)
    assert cancel_sources == set(kasn.machine("selection").state_names) - {"completed", "cancelled"}


def test_definition_by_start_date() -> None:
    registry = load_workflows(WORKFLOWS_DIR)
    assert registry.for_date(date(2018, 11, 19)).key == "jpt-pratama-kasn"
    assert registry.for_date(date(2025, 3, 1)).key == "jpt-pratama-bkn"


def test_legal_basis_follows_the_date() -> None:
    kasn = load_workflows(WORKFLOWS_DIR).get("jpt-pratama-kasn", 1)
    in_2018 = " ".join(kasn.legal_basis_on(date(2018, 12, 1)))
    assert "Nomor 13 Tahun 2014" in in_2018  # PermenPANRB in force in 2018
    assert "Nomor 17 Tahun 2020" not in in_2018  # the amendment came later
    in_2021 = " ".join(kasn.legal_basis_on(date(2021, 3, 1)))
    assert "Nomor 15 Tahun 2019" in in_2021 and "Nomor 17 Tahun 2020" in in_2021


def test_unknown_guard_refuses_to_load(tmp_path: Path) -> None:
    data = _kasn()
    _transition(data, "submit_for_approval")["guards"].append("moon_is_full")
    with pytest.raises(DefinitionError) as error:
        load_file(_write(tmp_path, data))
    message = str(error.value)
    assert "broken.yaml" in message
    assert "'submit_for_approval'" in message
    assert "unknown guard 'moon_is_full'" in message


def test_unknown_action_refuses_to_load(tmp_path: Path) -> None:
    data = _kasn()
    _transition(data, "complete")["actions"] = ["send_fax"]
    with pytest.raises(
        DefinitionError, match=r"broken.yaml.*'complete'.*unknown action 'send_fax'"
    ):
        load_file(_write(tmp_path, data))


def test_unreachable_state_refuses_to_load(tmp_path: Path) -> None:
    data = _kasn()
    data["machines"]["selection"]["states"].append({"name": "limbo", "label": "Limbo"})
    with pytest.raises(DefinitionError) as error:
        load_file(_write(tmp_path, data))
    assert "broken.yaml" in str(error.value)
    assert "state 'limbo' is unreachable from 'draft'" in str(error.value)


def test_transition_from_missing_state_refuses_to_load(tmp_path: Path) -> None:
    data = _kasn()
    _transition(data, "close_interview")["source"] = "interviews"
    with pytest.raises(
        DefinitionError, match=r"'close_interview'.*source state 'interviews' does not exist"
    ):
        load_file(_write(tmp_path, data))


def test_transition_to_missing_state_refuses_to_load(tmp_path: Path) -> None:
    data = _kasn()
    _transition(data, "withdraw", "application")["dest"] = "gone"
    with pytest.raises(
        DefinitionError, match=r"'withdraw'.*destination state 'gone' does not exist"
    ):
        load_file(_write(tmp_path, data))


def test_unknown_role_and_unknown_key_refuse_to_load(tmp_path: Path) -> None:
    data = _kasn()
    _transition(data, "complete")["roles"] = ["mayor"]
    with pytest.raises(DefinitionError, match="unknown role 'mayor'"):
        load_file(_write(tmp_path, data))
    data = _kasn()
    _transition(data, "complete")["on_enter"] = "os.system"
    with pytest.raises(DefinitionError, match=r"unknown key\(s\) on_enter"):
        load_file(_write(tmp_path, data))


def test_same_version_installed_twice_is_refused(tmp_path: Path) -> None:
    data = _kasn()
    _write(tmp_path, data, "a.yaml")
    _write(tmp_path, data, "b.yaml")
    with pytest.raises(DefinitionError, match="jpt-pratama-kasn@1 is already installed"):
        WorkflowRegistry.load_dir(tmp_path)


def test_app_refuses_to_start_with_a_bad_definition(tmp_path: Path) -> None:
    data = _kasn()
    _transition(data, "submit_for_approval")["guards"] = ["nonexistent_guard"]
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    _write(workflows, data, "jpt-pratama-kasn.yaml")
    config = TestConfig(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    with pytest.raises(DefinitionError, match="jpt-pratama-kasn.yaml.*nonexistent_guard"):
        create_app(config, workflows_dir=workflows)
