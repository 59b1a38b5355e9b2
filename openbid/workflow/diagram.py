"""An SVG diagram of a machine, drawn from its definition, with the current state highlighted.

States stand in definition order on a row (wrapping every ``per_row`` states); a transition
between neighbours is a straight arrow, a loop (e.g. extending registration) a small arc
over its state, a jump back an arc above the row, and the transitions into a state reached
from every open state (cancelled) are summarised as one dashed line, so the picture stays
readable for a person rather than showing all 20 edges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from openbid.rules.reasons import N_
from openbid.workflow.definition import MachineDef

# The label of the dashed line into a sink state (cancelled), in the interface language.
FROM_ANY_OPEN_STAGE = N_("from any open stage")

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 150, 54, 42, 70, 24


@dataclass(frozen=True)
class _Box:
    name: str
    x: int
    y: int


def _wrap(label: str, width: int = 18) -> list[str]:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines[:3]


@dataclass(frozen=True)
class _Layout:
    """Where each state's box stands, the picture's size and the states drawn as sinks."""

    boxes: dict[str, _Box]
    order: list[str]  # the states on the rows, in definition order
    sinks: set[str]
    sink_y: int
    width: int
    height: int


def _sinks(machine: MachineDef) -> set[str]:
    """Return the states reached from every open state (cancelled): drawn apart, below."""
    return {
        t.dest
        for t in machine.transitions
        if len(t.sources) > 1 and set(t.sources) >= (set(machine.state_names) - machine.final)
    }


def _layout(machine: MachineDef, per_row: int) -> _Layout:
    """Place the states on rows of per_row, snaking, and the sinks on a row of their own."""
    sinks = _sinks(machine)
    main = [s for s in machine.states if s.name not in sinks]
    boxes: dict[str, _Box] = {}
    for index, state in enumerate(main):
        row, col = divmod(index, per_row)
        if row % 2:  # snake layout: odd rows run right to left so arrows stay short
            col = per_row - 1 - col
        boxes[state.name] = _Box(
            state.name, MARGIN + col * (BOX_W + GAP_X), MARGIN + 30 + row * (BOX_H + GAP_Y)
        )
    rows = (len(main) + per_row - 1) // per_row
    width = MARGIN * 2 + per_row * BOX_W + (per_row - 1) * GAP_X
    sink_y = MARGIN + 30 + rows * (BOX_H + GAP_Y)
    height = sink_y + (BOX_H + MARGIN if sinks else 0)
    for index, name in enumerate(sorted(sinks)):
        boxes[name] = _Box(name, width - MARGIN - BOX_W - index * (BOX_W + GAP_X), sink_y)
    return _Layout(boxes, [s.name for s in main], sinks, sink_y, width, height)


def render_svg(
    machine: MachineDef,
    current: str,
    *,
    visited: Iterable[str] = (),
    translate: Callable[[str], str] = str,
    per_row: int = 5,
) -> Markup:
    """Return the machine as an inline SVG element; current is filled, visited are tinted."""
    visited = set(visited)
    layout = _layout(machine, per_row)
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width} {layout.height}" '
        f'class="workflow-diagram" role="img" aria-label="{escape(translate("Workflow"))}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#5b6775"/></marker></defs>',
    ]
    for t in machine.transitions:
        if t.dest in layout.sinks:
            continue
        for source in t.sources:
            parts.append(_edge(layout.boxes[source], layout.boxes[t.dest], layout.order))
    for name in layout.sinks:
        parts.append(_sink_line(layout, layout.boxes[name], translate))
    for state in machine.states:
        css = "wf-state"
        if state.name == current:
            css += " wf-current"
        elif state.name in visited:
            css += " wf-visited"
        if state.name in machine.final:
            css += " wf-final"
        parts.append(_state_box(layout.boxes[state.name], translate(state.label), css))
    parts.append("</svg>")
    # Every text in it went through escape() above; the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704


def _sink_line(layout: _Layout, sink: _Box, translate: Callable[[str], str]) -> str:
    """Draw the one dashed line into a sink, "from any open stage"."""
    sink_y = layout.sink_y
    return (
        f'<path d="M{MARGIN} {sink_y - GAP_Y // 2} H{sink.x + BOX_W // 2} V{sink.y}" '
        'fill="none" stroke="#b3261e" stroke-dasharray="5 4" marker-end="url(#arrow)"/>'
        f'<text x="{MARGIN}" y="{sink_y - GAP_Y // 2 - 6}" class="wf-note">'
        f"{escape(translate(FROM_ANY_OPEN_STAGE))}</text>"
    )


def _state_box(box: _Box, label: str, css: str) -> str:
    """Draw a state: a rounded box with its label on up to three centred lines."""
    lines = _wrap(label)
    top = box.y + BOX_H / 2 - (len(lines) - 1) * 8
    text = "".join(
        f'<tspan x="{box.x + BOX_W / 2}" y="{top + i * 16 + 4}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="{css}"><rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" '
        f'rx="8"/><text text-anchor="middle">{text}</text></g>'
    )


def _edge(a: _Box, b: _Box, order: list[str]) -> str:
    """Draw one transition: a loop, a neighbour arrow, or an arc for a jump."""
    stroke = 'fill="none" stroke="#5b6775" stroke-width="1.4" marker-end="url(#arrow)"'
    if a.name == b.name:
        x, y = a.x + BOX_W / 2, a.y
        loop = f"M{x - 18} {y} C{x - 30} {y - 34}, {x + 30} {y - 34}, {x + 18} {y}"
        return f'<path d="{loop}" {stroke}/>'
    ia, ib = order.index(a.name), order.index(b.name)
    if ib == ia + 1:
        if a.y == b.y:
            left_to_right = b.x > a.x
            x1 = a.x + BOX_W if left_to_right else a.x
            x2 = b.x if left_to_right else b.x + BOX_W
            y = a.y + BOX_H / 2
            return f'<path d="M{x1} {y} H{x2}" {stroke}/>'
        x = a.x + BOX_W / 2
        return f'<path d="M{x} {a.y + BOX_H} V{b.y}" {stroke}/>'
    # A jump (usually back to an earlier stage): an arc above both boxes.
    x1, x2 = a.x + BOX_W / 2 + 12, b.x + BOX_W / 2 - 12
    top = min(a.y, b.y) - 26
    return (
        f'<path d="M{x1} {a.y} C{x1} {top}, {x2} {top}, {x2} {b.y}" {stroke} '
        'stroke-dasharray="3 3"/>'
    )
