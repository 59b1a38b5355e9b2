"""scripts/check_system.py: what `make` does first on a machine missing system packages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_system.py"
spec = importlib.util.spec_from_file_location("check_system", SCRIPT)
check_system = importlib.util.module_from_spec(spec)
sys.modules["check_system"] = check_system
spec.loader.exec_module(check_system)


class Machine:
    """A machine whose packages come and go as apt-get installs them."""

    def __init__(self, absent: set[str], *, tools: tuple[str, ...] = ("apt-get",)) -> None:
        self.absent = set(absent)
        self.tools = tools
        self.installed: list[list[str]] = []

    def needs(self) -> list:
        return [
            check_system.Need(need.package, need.why, lambda p=need.package: p not in self.absent)
            for need in check_system.NEEDS
        ]

    def which(self, tool: str) -> str | None:
        return f"/usr/bin/{tool}" if tool in self.tools else None

    def install(self, packages) -> int:
        self.installed.append(list(packages))
        self.absent -= set(packages)
        return 0


def run(machine: Machine, argv: list[str], *, root: bool) -> int:
    return check_system.main(
        argv, needs=machine.needs(), is_root=root, which=machine.which, install=machine.install
    )


def test_harfbuzz_subset_is_required_and_installed_by_root(capsys) -> None:
    machine = Machine({"libharfbuzz-subset0"})
    assert run(machine, ["--install"], root=True) == 0
    assert machine.installed == [["libharfbuzz-subset0"]]
    assert "missing libharfbuzz-subset0" in capsys.readouterr().err


def test_a_user_without_root_is_stopped_with_the_exact_command(capsys) -> None:
    machine = Machine({"libharfbuzz-subset0", "fonts-liberation"}, tools=("apt-get", "sudo"))
    assert run(machine, ["--install"], root=False) == 1
    assert machine.installed == []
    err = capsys.readouterr().err
    assert (
        "sudo apt-get update && sudo apt-get install -y libharfbuzz-subset0 fonts-liberation" in err
    )


def test_without_sudo_the_command_is_for_root(capsys) -> None:
    machine = Machine({"libpango-1.0-0"})
    assert run(machine, [], root=False) == 1
    assert "su -c 'apt-get update && apt-get install -y libpango-1.0-0'" in capsys.readouterr().err


def test_root_without_install_flag_only_names_the_command(capsys) -> None:
    machine = Machine({"python3-venv"})
    assert run(machine, [], root=True) == 1
    assert machine.installed == []
    assert "apt-get update && apt-get install -y python3-venv" in capsys.readouterr().err


def test_a_failed_install_stops_make(capsys) -> None:
    machine = Machine({"libharfbuzz-subset0"})
    machine.install = lambda packages: 100  # apt-get's own failure
    assert run(machine, ["--install"], root=True) == 1
    assert "installing the system packages failed" in capsys.readouterr().err


def test_not_debian_names_the_libraries(capsys) -> None:
    machine = Machine({"libharfbuzz-subset0"}, tools=())
    assert run(machine, ["--install"], root=True) == 1
    err = capsys.readouterr().err
    assert "not a Debian/Ubuntu machine" in err and "libharfbuzz-subset0" in err


def test_this_machine_has_everything() -> None:
    # The suite runs after `make` set the machine up; the real probes must agree.
    assert [need.package for need in check_system.missing()] == []


def test_dev_adds_chromium_for_the_browser_tests(capsys) -> None:
    """`make test` (--dev) needs Debian's Chromium; `make run` does not."""
    installed = []
    status = check_system.main(
        ["--install", "--dev"],
        needs=(),
        is_root=True,
        which=lambda name: "/usr/bin/" + name,
        install=lambda packages: installed.append(list(packages)) or 0,
    )
    assert [need.package for need in check_system.DEV_NEEDS] == ["chromium"]
    if check_system.CHROMIUM.exists():
        assert status == 0 and installed == []
    else:
        assert installed == [["chromium"]]
    assert check_system.main(["--install"], needs=(), is_root=True, install=installed.append) == 0
