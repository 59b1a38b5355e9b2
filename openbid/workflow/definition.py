"""Workflow definitions: load YAML from workflows/, validate, compile for transitions.

A definition reads like the regulation: states, transitions with the roles that may fire them,
named guards and actions, stage parameters and the legal basis cited in documents. Every
mistake is found at load time and reported with the file, the transition and the name.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from openbid.models.states import MACHINE_ENUMS
from openbid.workflow.registry import ACTIONS, GUARDS, Registry

# libyaml's safe loader when PyYAML was built with it; the pure-Python one otherwise.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KNOWN_ROLES = frozenset({"admin", "secretariat", "committee", "ppk", "auditor", "candidate"})
MACHINES = ("selection", "application")
DEFINITION_KEYS = {
    "key",
    "version",
    "title",
    "regulation",
    "oversight_body",
    "valid_from",
    "valid_until",
    "legal_basis",
    "parameters",
    "approval_gates",
    "machines",
}
MACHINE_KEYS = {"initial", "states", "final", "transitions"}
TRANSITION_KEYS = {"trigger", "source", "dest", "roles", "guards", "actions", "label", "requires"}
STATE_KEYS = {"name", "label"}
GATE_KEYS = {"code", "authority", "label", "required", "when"}
LEGAL_KEYS = {"text", "from", "until"}


class DefinitionError(Exception):
    """A workflow definition is invalid; the message names the file and the culprit."""


@dataclass(frozen=True)
class LegalBasis:
    """A regulation cited in documents, with the period it was in force (None: open)."""

    text: str
    in_force_from: date | None = None
    in_force_until: date | None = None

    def in_force_on(self, day: date) -> bool:
        """Return whether the regulation (in this wording) was in force on day."""
        starts = self.in_force_from is None or self.in_force_from <= day
        return starts and (self.in_force_until is None or day <= self.in_force_until)


@dataclass(frozen=True)
class StateDef:
    """A state and its human label (English source, translated for display)."""

    name: str
    label: str


@dataclass(frozen=True)
class TransitionDef:
    """One trigger from one or more source states to a destination."""

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    label: str = ""
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class MachineDef:
    """The states and transitions of one kind of row (selection or application)."""

    name: str
    initial: str
    states: tuple[StateDef, ...]
    final: frozenset[str]
    transitions: tuple[TransitionDef, ...]

    @property
    def state_names(self) -> list[str]:
        """Return the state names in definition order."""
        return [s.name for s in self.states]

    def state_label(self, name: str) -> str:
        """Return the label of a state (its name when unknown)."""
        return next((s.label for s in self.states if s.name == name), name)

    def transitions_from(self, state: str) -> list[TransitionDef]:
        """Return the transitions whose sources include state."""
        return [t for t in self.transitions if state in t.sources]

    def find(self, trigger: str, state: str) -> TransitionDef | None:
        """Return the transition for trigger from state, if there is one."""
        return next((t for t in self.transitions_from(state) if t.trigger == trigger), None)

    def has_trigger(self, trigger: str) -> bool:
        """Return whether any transition uses trigger."""
        return any(t.trigger == trigger for t in self.transitions)

    def machine_config(self, condition: Callable[..., bool]) -> dict[str, Any]:
        """Return keyword arguments for transitions.Machine; roles and guards stay with us."""
        return {
            "states": self.state_names,
            "transitions": [
                {
                    "trigger": t.trigger,
                    "source": list(t.sources),
                    "dest": t.dest,
                    "conditions": [condition],
                }
                for t in self.transitions
            ],
            "auto_transitions": False,
            "send_event": True,
            "ignore_invalid_triggers": False,
        }


@dataclass(frozen=True)
class WorkflowDefinition:
    """A complete, validated definition of one regulation version."""

    key: str
    version: int
    title: str
    regulation: str
    oversight_body: str
    valid_from: date
    valid_until: date | None
    legal_basis: tuple[LegalBasis, ...]
    parameters: Mapping[str, Any]
    approval_gates: tuple[Mapping[str, Any], ...]
    machines: Mapping[str, MachineDef]
    source: str = field(default="", compare=False)

    @property
    def ident(self) -> str:
        """Return "key@version"."""
        return f"{self.key}@{self.version}"

    def machine(self, name: str) -> MachineDef:
        """Return the machine called name ("selection" or "application")."""
        return self.machines[name]

    def params(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return the parameters with a selection's overrides merged in (one level deep)."""
        merged = copy.deepcopy(dict(self.parameters))
        for name, value in (overrides or {}).items():
            if isinstance(value, Mapping) and isinstance(merged.get(name), Mapping):
                merged[name] = {**merged[name], **value}
            else:
                merged[name] = value
        return merged

    def legal_basis_on(self, day: date) -> list[str]:
        """Return the texts to cite in a document dated day (the "Mengingat" list)."""
        return [item.text for item in self.legal_basis if item.in_force_on(day)]

    def applies_on(self, day: date) -> bool:
        """Return whether a selection starting on day falls under this definition."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _check_keys(where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DefinitionError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _parse_date(where: str, value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DefinitionError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _parse_machine(
    where: str, name: str, raw: Mapping[str, Any], guards: Registry, actions: Registry
) -> MachineDef:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: machine {name!r} must be a mapping")
    _check_keys(f"{where}: machine {name!r}", raw, MACHINE_KEYS)
    states: list[StateDef] = []
    for item in _as_list(raw.get("states")):
        if isinstance(item, str):
            states.append(StateDef(item, item.replace("_", " ")))
        elif isinstance(item, Mapping):
            _check_keys(f"{where}: machine {name!r} state", item, STATE_KEYS)
            states.append(StateDef(str(item["name"]), str(item.get("label", item["name"]))))
        else:
            raise DefinitionError(f"{where}: machine {name!r}: bad state entry {item!r}")
    names = [s.name for s in states]
    if not names:
        raise DefinitionError(f"{where}: machine {name!r} has no states")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DefinitionError(f"{where}: machine {name!r}: duplicate state(s) {duplicates}")
    initial = raw.get("initial")
    if initial not in names:
        raise DefinitionError(
            f"{where}: machine {name!r}: initial state {initial!r} is not a state"
        )
    final = frozenset(_as_list(raw.get("final")))
    for state in sorted(final - set(names)):
        raise DefinitionError(f"{where}: machine {name!r}: final state {state!r} is not a state")

    transitions: list[TransitionDef] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(_as_list(raw.get("transitions")), start=1):
        if not isinstance(item, Mapping) or "trigger" not in item:
            raise DefinitionError(f"{where}: machine {name!r}: transition #{index} has no trigger")
        trigger = str(item["trigger"])
        label = f"{where}: machine {name!r}, transition {trigger!r}"
        _check_keys(label, item, TRANSITION_KEYS)
        source_raw = item.get("source")
        sources = (
            tuple(n for n in names if n not in final)
            if source_raw == "*"
            else tuple(str(s) for s in _as_list(source_raw))
        )
        if not sources:
            raise DefinitionError(f"{label}: no source state")
        for source in sources:
            if source not in names:
                raise DefinitionError(f"{label}: source state {source!r} does not exist")
            if (trigger, source) in seen:
                raise DefinitionError(f"{label}: defined twice from state {source!r}")
            seen.add((trigger, source))
        dest = str(item.get("dest"))
        if dest not in names:
            raise DefinitionError(f"{label}: destination state {dest!r} does not exist")
        roles = frozenset(str(r) for r in _as_list(item.get("roles")))
        if not roles:
            raise DefinitionError(f"{label}: names no role that may fire it")
        for role in sorted(roles - KNOWN_ROLES):
            raise DefinitionError(f"{label}: unknown role {role!r}")
        guard_names = tuple(str(g) for g in _as_list(item.get("guards")))
        for guard_name in guard_names:
            if guard_name not in guards:
                raise DefinitionError(f"{label}: unknown guard {guard_name!r}")
        action_names = tuple(str(a) for a in _as_list(item.get("actions")))
        for action_name in action_names:
            if action_name not in actions:
                raise DefinitionError(f"{label}: unknown action {action_name!r}")
        transitions.append(
            TransitionDef(
                trigger=trigger,
                sources=sources,
                dest=dest,
                roles=roles,
                guards=guard_names,
                actions=action_names,
                label=str(item.get("label", trigger.replace("_", " "))),
                requires=tuple(str(r) for r in _as_list(item.get("requires"))),
            )
        )

    # Every state must be reachable from the initial one, or the definition has a typo.
    reachable, queue = {initial}, deque([initial])
    while queue:
        current = queue.popleft()
        for t in transitions:
            if current in t.sources and t.dest not in reachable:
                reachable.add(t.dest)
                queue.append(t.dest)
    for state in names:
        if state not in reachable:
            raise DefinitionError(
                f"{where}: machine {name!r}: state {state!r} is unreachable from {initial!r}"
            )
    return MachineDef(name, initial, tuple(states), final, tuple(transitions))


_ADD_OR_FIX = "add it to openbid/models/states.py or fix the definition"


def _a(enum: type) -> str:
    """Return the enumeration's name with its article: "a SelectionState", "an ApplicationState"."""
    return f"{'an' if enum.__name__[0] in 'AEIOU' else 'a'} {enum.__name__}"


def _check_enumerations(where: str, machines: Mapping[str, MachineDef]) -> None:
    """Refuse a state or trigger that openbid/models/states.py does not name.

    Code compares rows with these enumerations, so a state renamed only in the YAML would
    otherwise never match again, silently.

    :raises DefinitionError: naming the file, the machine and the state or event.
    """
    for name, machine in machines.items():
        state_enum, event_enum = MACHINE_ENUMS[name]
        known_states = {member.value for member in state_enum}
        for state in machine.state_names:
            if state not in known_states:
                raise DefinitionError(
                    f"{where}: machine {name!r}: state {state!r} is not {_a(state_enum)}; "
                    f"{_ADD_OR_FIX}"
                )
        known_events = {member.value for member in event_enum}
        for transition in machine.transitions:
            if transition.trigger not in known_events:
                raise DefinitionError(
                    f"{where}: machine {name!r}: event {transition.trigger!r} is not "
                    f"{_a(event_enum)}; {_ADD_OR_FIX}"
                )


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


def parse_definition(
    raw: Any, source: str, guards: Registry = GUARDS, actions: Registry = ACTIONS
) -> WorkflowDefinition:
    """Validate parsed YAML and return the definition.

    :raises DefinitionError: naming source and the first problem found.
    """
    where = source
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: the file must contain a mapping")
    _check_keys(where, raw, DEFINITION_KEYS)
    for required in ("key", "version", "title", "valid_from", "machines"):
        if required not in raw:
            raise DefinitionError(f"{where}: missing {required!r}")
    if not isinstance(raw["version"], int) or raw["version"] < 1:
        raise DefinitionError(f"{where}: version must be a positive whole number")
    machines_raw = raw["machines"]
    if not isinstance(machines_raw, Mapping):
        raise DefinitionError(f"{where}: 'machines' must be a mapping")
    for missing in [m for m in MACHINES if m not in machines_raw]:
        raise DefinitionError(f"{where}: machine {missing!r} is missing")
    _check_keys(f"{where}: machines", machines_raw, set(MACHINES))
    machines = {
        name: _parse_machine(where, name, machines_raw[name], guards, actions) for name in MACHINES
    }
    _check_enumerations(where, machines)
    gates = []
    for gate in _as_list(raw.get("approval_gates")):
        if not isinstance(gate, Mapping) or "code" not in gate:
            raise DefinitionError(f"{where}: each approval gate needs a code")
        _check_keys(f"{where}: approval gate {gate.get('code')!r}", gate, GATE_KEYS)
        gates.append(dict(gate))
    legal = []
    for item in _as_list(raw.get("legal_basis")):
        if isinstance(item, str):
            legal.append(LegalBasis(item))
            continue
        if not isinstance(item, Mapping) or "text" not in item:
            raise DefinitionError(f"{where}: each legal_basis entry needs a text")
        _check_keys(f"{where}: legal_basis", item, LEGAL_KEYS)
        legal.append(
            LegalBasis(
                str(item["text"]),
                _parse_date(f"{where}: legal_basis from", item.get("from")),
                _parse_date(f"{where}: legal_basis until", item.get("until")),
            )
        )
    parameters = raw.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise DefinitionError(f"{where}: 'parameters' must be a mapping")
    return WorkflowDefinition(
        key=str(raw["key"]),
        version=raw["version"],
        title=str(raw["title"]),
        regulation=str(raw.get("regulation", "")),
        oversight_body=str(raw.get("oversight_body", "")),
        valid_from=_parse_date(f"{where}: valid_from", raw["valid_from"]),
        valid_until=_parse_date(f"{where}: valid_until", raw.get("valid_until")),
        legal_basis=tuple(legal),
        parameters=dict(parameters),
        approval_gates=tuple(gates),
        machines=machines,
        source=source,
    )


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
