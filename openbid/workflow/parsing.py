"""Reading one workflow definition: the parsed YAML checked and turned into a WorkflowDefinition.

Every mistake is found here, at load time, and reported with the file, the transition and the
name: an unknown key, a state no transition reaches, a role, guard or action nobody registered,
a state or event that openbid/models/states.py does not name.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import date
from typing import Any

from openbid.models.states import MACHINE_ENUMS
from openbid.workflow.definition import (
    DefinitionError,
    LegalBasis,
    MachineDef,
    StateDef,
    TransitionDef,
    WorkflowDefinition,
)
from openbid.workflow.registry import ACTIONS, GUARDS, Registry

KNOWN_ROLES = frozenset(
    {"admin", "secretariat", "committee", "ppk", "auditor", "candidate", "oversight"}
)
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


# --- one machine ----------------------------------------------------------------------


def _parse_states(where: str, raw: Mapping[str, Any]) -> list[StateDef]:
    """Return a machine's states: names, or mappings with a name and a label.

    :raises DefinitionError: for a bad entry, no state at all, or a name given twice.
    """
    states: list[StateDef] = []
    for item in _as_list(raw.get("states")):
        if isinstance(item, str):
            states.append(StateDef(item, item.replace("_", " ")))
        elif isinstance(item, Mapping):
            _check_keys(f"{where} state", item, STATE_KEYS)
            states.append(StateDef(str(item["name"]), str(item.get("label", item["name"]))))
        else:
            raise DefinitionError(f"{where}: bad state entry {item!r}")
    names = [s.name for s in states]
    if not names:
        raise DefinitionError(f"{where} has no states")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DefinitionError(f"{where}: duplicate state(s) {duplicates}")
    return states


def _initial_and_final(
    where: str, raw: Mapping[str, Any], names: list[str]
) -> tuple[str, frozenset[str]]:
    """Return the initial state and the final states, each of them a state of the machine.

    :raises DefinitionError: naming the one that is not.
    """
    initial = raw.get("initial")
    if initial not in names:
        raise DefinitionError(f"{where}: initial state {initial!r} is not a state")
    final = frozenset(_as_list(raw.get("final")))
    for state in sorted(final - set(names)):
        raise DefinitionError(f"{where}: final state {state!r} is not a state")
    return initial, final


def _sources(
    label: str,
    item: Mapping[str, Any],
    names: list[str],
    final: frozenset[str],
    seen: set[tuple[str, str]],
) -> tuple[str, ...]:
    """Return a transition's source states ("*": every state but the final ones).

    seen collects (trigger, source) pairs, so the same trigger twice from one state is found.

    :raises DefinitionError: for no source, an unknown one, or a trigger defined twice.
    """
    trigger = str(item["trigger"])
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
    return sources


def _roles(label: str, item: Mapping[str, Any]) -> frozenset[str]:
    """Return the roles that may fire a transition: at least one, each a known role.

    :raises DefinitionError: for none, or an unknown role.
    """
    roles = frozenset(str(r) for r in _as_list(item.get("roles")))
    if not roles:
        raise DefinitionError(f"{label}: names no role that may fire it")
    for role in sorted(roles - KNOWN_ROLES):
        raise DefinitionError(f"{label}: unknown role {role!r}")
    return roles


def _registered(label: str, item: Mapping[str, Any], key: str, known: Registry) -> tuple[str, ...]:
    """Return the guard or action names under key, each registered in known.

    :raises DefinitionError: naming the first unknown one ("unknown guard 'x'").
    """
    names = tuple(str(n) for n in _as_list(item.get(key)))
    for name in names:
        if name not in known:
            raise DefinitionError(f"{label}: unknown {known.kind} {name!r}")
    return names


def _parse_transition(
    where: str,
    index: int,
    item: Any,
    names: list[str],
    final: frozenset[str],
    seen: set[tuple[str, str]],
    registries: tuple[Registry, Registry],
) -> TransitionDef:
    """Return the transition numbered index (from 1) of a machine.

    :raises DefinitionError: naming the machine, the trigger and the first problem.
    """
    if not isinstance(item, Mapping) or "trigger" not in item:
        raise DefinitionError(f"{where}: transition #{index} has no trigger")
    trigger = str(item["trigger"])
    label = f"{where}, transition {trigger!r}"
    _check_keys(label, item, TRANSITION_KEYS)
    sources = _sources(label, item, names, final, seen)
    dest = str(item.get("dest"))
    if dest not in names:
        raise DefinitionError(f"{label}: destination state {dest!r} does not exist")
    guards, actions = registries
    return TransitionDef(
        trigger=trigger,
        sources=sources,
        dest=dest,
        roles=_roles(label, item),
        guards=_registered(label, item, "guards", guards),
        actions=_registered(label, item, "actions", actions),
        label=str(item.get("label", trigger.replace("_", " "))),
        requires=tuple(str(r) for r in _as_list(item.get("requires"))),
    )


def _check_reachable(
    where: str, initial: str, names: list[str], transitions: list[TransitionDef]
) -> None:
    """Refuse a state no path of transitions reaches from the initial one (a typo).

    :raises DefinitionError: naming the first unreachable state.
    """
    reachable, queue = {initial}, deque([initial])
    while queue:
        current = queue.popleft()
        for t in transitions:
            if current in t.sources and t.dest not in reachable:
                reachable.add(t.dest)
                queue.append(t.dest)
    for state in names:
        if state not in reachable:
            raise DefinitionError(f"{where}: state {state!r} is unreachable from {initial!r}")


def _parse_machine(
    where: str, name: str, raw: Mapping[str, Any], guards: Registry, actions: Registry
) -> MachineDef:
    """Return the machine called name of the definition in where.

    :raises DefinitionError: naming the file, the machine and the first problem.
    """
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: machine {name!r} must be a mapping")
    machine = f"{where}: machine {name!r}"
    _check_keys(machine, raw, MACHINE_KEYS)
    states = _parse_states(machine, raw)
    names = [s.name for s in states]
    initial, final = _initial_and_final(machine, raw, names)
    seen: set[tuple[str, str]] = set()
    transitions = [
        _parse_transition(machine, index, item, names, final, seen, (guards, actions))
        for index, item in enumerate(_as_list(raw.get("transitions")), start=1)
    ]
    _check_reachable(machine, initial, names, transitions)
    return MachineDef(name, initial, tuple(states), final, tuple(transitions))


# --- states and events the code knows ------------------------------------------------

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


# --- the whole definition ------------------------------------------------------------


def _check_header(where: str, raw: Any) -> None:
    """Refuse a file that is not a mapping with known keys, the required ones, a version.

    :raises DefinitionError: naming the first problem.
    """
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: the file must contain a mapping")
    _check_keys(where, raw, DEFINITION_KEYS)
    for required in ("key", "version", "title", "valid_from", "machines"):
        if required not in raw:
            raise DefinitionError(f"{where}: missing {required!r}")
    if not isinstance(raw["version"], int) or raw["version"] < 1:
        raise DefinitionError(f"{where}: version must be a positive whole number")


def _parse_machines(
    where: str, raw: Mapping[str, Any], guards: Registry, actions: Registry
) -> dict[str, MachineDef]:
    """Return the selection and application machines, checked against the enumerations.

    :raises DefinitionError: for a missing or unknown machine, or a problem in one.
    """
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
    return machines


def _parse_gates(where: str, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the approval gates, each a mapping with a code.

    :raises DefinitionError: for a gate without a code or with an unknown key.
    """
    gates = []
    for gate in _as_list(raw.get("approval_gates")):
        if not isinstance(gate, Mapping) or "code" not in gate:
            raise DefinitionError(f"{where}: each approval gate needs a code")
        _check_keys(f"{where}: approval gate {gate.get('code')!r}", gate, GATE_KEYS)
        gates.append(dict(gate))
    return gates


def _parse_legal_basis(where: str, raw: Mapping[str, Any]) -> list[LegalBasis]:
    """Return the regulations cited: texts, or mappings with a text and its period in force.

    :raises DefinitionError: for an entry without a text, an unknown key or a bad date.
    """
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
    return legal


def parse_definition(
    raw: Any, source: str, guards: Registry = GUARDS, actions: Registry = ACTIONS
) -> WorkflowDefinition:
    """Validate parsed YAML and return the definition.

    :raises DefinitionError: naming source and the first problem found.
    """
    where = source
    _check_header(where, raw)
    machines = _parse_machines(where, raw, guards, actions)
    gates = _parse_gates(where, raw)
    legal = _parse_legal_basis(where, raw)
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
