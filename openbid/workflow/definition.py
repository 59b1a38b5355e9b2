"""Workflow definitions: what a validated definition holds.

A definition reads like the regulation: states, transitions with the roles that may fire them,
named guards and actions, stage parameters and the legal basis cited in documents. Reading and
validating the YAML is ``openbid.workflow.parsing``; the files of a folder and the installed set
are ``openbid.workflow.loading``.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


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
        # A fresh deep copy per call (callers may change it), from bytes pickled once per
        # definition: copy.deepcopy of the whole tree cost more than the rules that read it.
        merged = pickle.loads(self._pickled_parameters)  # noqa: S301 - our own bytes
        for name, value in (overrides or {}).items():
            if isinstance(value, Mapping) and isinstance(merged.get(name), Mapping):
                merged[name] = {**merged[name], **value}
            else:
                merged[name] = value
        return merged

    @functools.cached_property
    def _pickled_parameters(self) -> bytes:
        return pickle.dumps(dict(self.parameters), protocol=pickle.HIGHEST_PROTOCOL)

    def legal_basis_on(self, day: date) -> list[str]:
        """Return the texts to cite in a document dated day (the "Mengingat" list)."""
        return [item.text for item in self.legal_basis if item.in_force_on(day)]

    def applies_on(self, day: date) -> bool:
        """Return whether a selection starting on day falls under this definition."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
