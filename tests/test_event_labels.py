"""Every audit event the code can write has a readable label, in Indonesian too.

The event names are found in the code itself, not listed by hand: every trigger of the
workflow machines (an event fire() records), every string given as ``event=`` to a call or
as the ``event`` argument of a function that takes one (``audit.append``,
``commit_parameters``, ``record_letter``...), and module constants named ``*_EVENT``. A new
event written without a label in ``openbid/audit/labels.py`` fails here.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from openbid.audit.labels import EVENT_LABELS, SUBJECT_LABELS
from openbid.models import ApplicationEvent, SelectionEvent

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "openbid" / "translations" / "id" / "LC_MESSAGES" / "messages.po"
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def _params(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def _given(node: ast.Call, conduits: dict[str, int]) -> list[ast.expr]:
    """Return the expressions a call passes as an event name."""
    given = [k.value for k in node.keywords if k.arg == "event"]
    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
    index = conduits.get(name or "")
    if index is not None and len(node.args) > index:
        given.append(node.args[index])
    return given


def _conduits(functions: dict[str, list[ast.Call]]) -> dict[str, int]:
    """Return each function handing its ``event`` argument on to the audit chain.

    Starting from the keyword ``event=event`` (as to ``audit.append``), then every function
    handing its own ``event`` to one of those, until no more are found.
    """
    conduits: dict[str, int] = {}
    while True:
        found = {
            key.split(":")[0]: int(key.split(":")[1])
            for key, calls in functions.items()
            if key.split(":")[0] not in conduits
            and any(
                isinstance(v, ast.Name) and v.id == "event"
                for call in calls
                for v in _given(call, conduits)
            )
        }
        if not found:
            return conduits
        conduits.update(found)


@cache
def written_events() -> frozenset[str]:
    """Return every event name the code of openbid can write to the audit chain."""
    functions: dict[str, list[ast.Call]] = {}  # "name:index of event" -> calls inside it
    calls: list[ast.Call] = []
    found = {str(e) for e in (*SelectionEvent, *ApplicationEvent)}
    for path in (ROOT / "openbid").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and "event" in _params(node):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
                functions[f"{node.name}:{_params(node).index('event')}"] = inner
            elif isinstance(node, ast.Call):
                calls.append(node)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                if any(isinstance(t, ast.Name) and t.id.endswith("_EVENT") for t in node.targets):
                    calls.append(ast.Call(ast.Name("_"), [], [ast.keyword("event", node.value)]))
    conduits = _conduits(functions)
    for call in calls:
        found.update(
            v.value
            for v in _given(call, conduits)
            if isinstance(v, ast.Constant) and isinstance(v.value, str) and NAME.match(v.value)
        )
    return frozenset(found)


def test_the_scan_finds_the_events_it_must() -> None:
    events = written_events()
    # One of each way an event name is given: a trigger, audit.append(event=...), a
    # positional argument (commit_parameters), a keyword to record_letter, a constant.
    assert {"pass_screening", "selection_created", "scoring_updated"} <= events
    assert {"approval_recorded", "candidates_notified", "election_window_removed"} <= events
    assert len(events) > 50


def test_every_event_the_code_writes_has_a_label() -> None:
    missing = sorted(written_events() - set(EVENT_LABELS))
    assert not missing, f"add a label to openbid/audit/labels.py for: {missing}"


def test_every_event_label_has_an_indonesian_translation() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = sorted(
        label
        for label in EVENT_LABELS.values()
        if not (catalog.get(label) and catalog.get(label).string)
    )
    assert not untranslated


def test_every_subject_the_code_writes_has_a_label() -> None:
    pattern = re.compile(r'subject_type="([a-z_]+)"')
    written = {"selection", "application"}  # fire()'s subjects
    for path in (ROOT / "openbid").rglob("*.py"):
        written.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert "position" in written and "approval" in written
    assert not sorted(written - set(SUBJECT_LABELS))
