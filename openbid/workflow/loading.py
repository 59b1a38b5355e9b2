"""Loading workflow definitions: the YAML files of a folder, parsed once per process, and the
registry of the installed definitions by key and version.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import yaml

from openbid.models.states import MACHINE_ENUMS
from openbid.workflow.definition import DefinitionError, WorkflowDefinition
from openbid.workflow.parsing import parse_definition
from openbid.workflow.registry import ACTIONS, GUARDS, Registry

# libyaml's safe loader when PyYAML was built with it; the pure-Python one otherwise.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Parsed definitions by (file, its mtime and size, registries): every create_app() (one per
# test, one per worker) would otherwise parse and validate the same YAML again (~0.4 s).
# Definitions are frozen, so sharing them between apps is safe; an edited file is re-read.
_parsed: dict[tuple[str, int, int, int, int], WorkflowDefinition] = {}
_parsed_lock = threading.Lock()


def load_file(
    path: Path, guards: Registry = GUARDS, actions: Registry = ACTIONS
) -> WorkflowDefinition:
    """Load and validate one YAML definition file (parsed once per process and version)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, id(guards), id(actions))
    with _parsed_lock:
        cached = _parsed.get(key)
    if cached is not None:
        return cached
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None
    definition = parse_definition(raw, path.name, guards, actions)
    with _parsed_lock:
        _parsed[key] = definition
    return definition


def _check_enumerations_used(where: str, definitions: Iterable[WorkflowDefinition]) -> None:
    """Refuse an enumeration member that no installed definition has (code naming a ghost).

    :raises DefinitionError: naming the member and where it is declared.
    """
    installed = list(definitions)
    for name, (state_enum, event_enum) in MACHINE_ENUMS.items():
        machines = [d.machine(name) for d in installed]
        used = {
            state_enum: {s for m in machines for s in m.state_names},
            event_enum: {t.trigger for m in machines for t in m.transitions},
        }
        for enum, names in used.items():
            for member in enum:
                if member.value not in names:
                    raise DefinitionError(
                        f"{where}: no workflow definition has {enum.__name__}.{member.name} "
                        f"({member.value!r}) in machine {name!r}; remove it from "
                        "openbid/models/states.py or add it to a definition"
                    )


class WorkflowRegistry:
    """The installed definitions, by key and version."""

    def __init__(self, definitions: Iterable[WorkflowDefinition] = ()) -> None:
        self._by_id: dict[tuple[str, int], WorkflowDefinition] = {}
        for definition in definitions:
            self.install(definition)

    @classmethod
    def load_dir(
        cls, directory: Path, guards: Registry = GUARDS, actions: Registry = ACTIONS
    ) -> WorkflowRegistry:
        """Load every *.yaml file in directory.

        :raises DefinitionError: on the first invalid file, when there is none, or when a state
            or event of openbid/models/states.py is in none of them.
        """
        files = sorted(Path(directory).glob("*.yaml"))
        if not files:
            raise DefinitionError(f"{directory}: no workflow definitions (*.yaml) found")
        registry = cls(load_file(f, guards, actions) for f in files)
        _check_enumerations_used(str(directory), registry.all())
        return registry

    def install(self, definition: WorkflowDefinition) -> None:
        """Add a definition; the same key and version twice is an error."""
        ident = (definition.key, definition.version)
        if ident in self._by_id:
            raise DefinitionError(
                f"{definition.source}: {definition.ident} is already installed "
                f"from {self._by_id[ident].source}"
            )
        self._by_id[ident] = definition

    def get(self, key: str, version: int) -> WorkflowDefinition:
        """Return the definition a selection is pinned to.

        :raises LookupError: when that key and version are not installed.
        """
        try:
            return self._by_id[(key, version)]
        except KeyError:
            raise LookupError(f"workflow {key}@{version} is not installed") from None

    def latest(self, key: str) -> WorkflowDefinition:
        """Return the newest installed version of key."""
        versions = [d for (k, _), d in self._by_id.items() if k == key]
        if not versions:
            raise LookupError(f"workflow {key} is not installed")
        return max(versions, key=lambda d: d.version)

    def for_date(self, day: date) -> WorkflowDefinition:
        """Return the newest definition that applies to a selection starting on day."""
        candidates = [d for d in self._by_id.values() if d.applies_on(day)]
        if not candidates:
            raise LookupError(f"no installed workflow applies to {day.isoformat()}")
        return max(candidates, key=lambda d: (d.valid_from, d.version))

    def all(self) -> list[WorkflowDefinition]:
        """Return every installed definition, by key then version."""
        return [self._by_id[k] for k in sorted(self._by_id)]


def load_workflows(directory: Path) -> WorkflowRegistry:
    """Load and validate every definition against the registered guards and actions.

    The stages register their names when imported (``import openbid.stages``); create_app
    does that first.

    :raises DefinitionError: as ``WorkflowRegistry.load_dir``.
    """
    return WorkflowRegistry.load_dir(directory)
