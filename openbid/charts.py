"""Charts drawn on the server as accessible SVG: no script, no build step, a table beside.

Each chart is plain data (categories, one or more series of numbers) and knows how to draw
itself (``Chart.svg``) and how to read as a table (``Chart.header``, ``Chart.rows``): the
page shows the picture to the eye and the table to a screen reader or to anyone who wants
the numbers. The SVG has ``role="img"`` and is labelled by its own ``<title>`` and
``<desc>``, so it is announced as one image with its summary, not as loose shapes and
letters. Words come in already translated: this module only draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito), darkened
# enough to keep a 3:1 contrast with the white page.
PALETTE = ("#0b5cab", "#c05a00", "#1f7a3f", "#8e3b8e", "#b3261e", "#5b6775", "#7a6a00")
WIDTH = 460  # the drawing's own units; it scales to the width of its box
FONT = 15  # readable at 390 px too, where the drawing shrinks to about 0.6


@dataclass(frozen=True)
class Series:
    """One named row of values, one value per category."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A chart of ``kind`` bars (horizontal, stacked), columns (grouped) or lines."""

    key: str  # unique on the page: the ids of its title and description derive from it
    kind: str
    title: str
    description: str
    category_title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    @property
    def empty(self) -> bool:
        """Return whether there is nothing to draw (no category or only zeros)."""
        return not self.categories or not any(v for s in self.series for v in s.values)

    @property
    def header(self) -> list[str]:
        """Return the data table's column headings."""
        return [self.category_title, *(s.name for s in self.series)]

    @property
    def rows(self) -> list[list[str]]:
        """Return the data table's rows: the category, then each series' value."""
        return [
            [category, *(number(s.values[i]) for s in self.series)]
            for i, category in enumerate(self.categories)
        ]

    def svg(self) -> Markup:
        """Return the chart as an inline SVG element."""
        draw = {"bars": _bars, "columns": _columns, "lines": _lines}[self.kind]
        height, body = draw(self)
        ident = escape(self.key)
        # Every piece of text inside went through escape(); the rest is our own markup.
        return Markup(  # noqa: S704
            f'<svg class="chart chart-{self.kind}" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-title">{escape(self.title)}</title>'
            f'<desc id="{ident}-desc">{escape(self.description)}</desc>'
            f"{_legend(self)}{body}</svg>"
        )


def number(value: float) -> str:
    """Return a value as the table and labels write it: whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def axis_peak(value: float) -> float:
    """Return the top of a value axis cut in four steps of a 1, 2 or 5 times ten (at least 4)."""
    return 4 * nice_ceiling(value / 4)


def nice_ceiling(value: float) -> float:
    """Return the smallest 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _text(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}"{klass}>'
        f"{escape(content)}</text>"
    )


def _legend_places(chart: Chart) -> list[tuple[float, float]]:
    """Return where each series' swatch goes: left to right, wrapping to a new line."""
    places, x, y = [], 0.0, 0.0
    for series in chart.series:
        width = 19 + 8.2 * len(series.name) + 18
        if x and x + width > WIDTH:
            x, y = 0.0, y + 24
        places.append((x, y))
        x += width
    return places


def _legend_height(chart: Chart) -> int:
    if len(chart.series) < 2:
        return 0
    return int(_legend_places(chart)[-1][1]) + 28


def _legend(chart: Chart) -> str:
    """Return the legend (one swatch per series) along the top, when there are several."""
    if len(chart.series) < 2:
        return ""
    parts = ['<g aria-hidden="true">']
    for i, (x, y) in enumerate(_legend_places(chart)):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y + 6}" width="14" height="14" fill="{colour}"/>')
        parts.append(_text(x + 19, y + 18, chart.series[i].name))
    parts.append("</g>")
    return "".join(parts)


def _bars(chart: Chart) -> tuple[int, str]:
    """Horizontal bars, one row per category, series stacked: label above, bar below."""
    top, row, bar = _legend_height(chart) + 4, 46, 18
    totals = [sum(s.values[i] for s in chart.series) for i in range(len(chart.categories))]
    scale = (WIDTH - 60) / max(max(totals, default=0), 1)
    parts = ['<g aria-hidden="true">']
    for i, category in enumerate(chart.categories):
        y = top + i * row
        parts.append(_text(0, y + FONT, category))
        x = 0.0
        for j, series in enumerate(chart.series):
            w = series.values[i] * scale
            if w > 0:
                colour = PALETTE[j % len(PALETTE)]
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 21}" width="{w:.1f}" height="{bar}" '
                    f'fill="{colour}"/>'
                )
            x += w
        parts.append(_text(x + 6, y + 21 + bar - 4, number(totals[i]), "value"))
    parts.append("</g>")
    return top + row * len(chart.categories), "".join(parts)


def _axes(top: int, height: int, peak: float) -> tuple[list[str], float]:
    """Draw the value axis (four steps) and return the parts and the units per value."""
    left, base = 40, top + height
    scale = height / peak
    parts = []
    for step in range(5):
        value = peak * step / 4
        y = base - value * scale
        parts.append(
            f'<line x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" class="grid-line"/>'
        )
        parts.append(_text(left - 6, y + 5, number(value), "axis", "end"))
    return parts, scale


def _category_labels(chart: Chart, xs: list[float], y: float, end: bool = False) -> list[str]:
    """Label the first, the last and a few categories between, so labels never collide."""
    n = len(chart.categories)
    every = max(1, math.ceil(n / 6))
    shown = set(range(0, n, every))
    # The last category is always labelled; a label too close before it makes way.
    shown = {i for i in shown if n - 1 - i > every / 2 or i == n - 1} | {n - 1}
    # With end, the last label ends at its point, so it never runs past the right edge.
    return [
        _text(
            xs[i],
            y,
            chart.categories[i],
            "axis",
            "end" if end and i == n - 1 and n > 1 else "middle",
        )
        for i in sorted(shown)
    ]


def _columns(chart: Chart) -> tuple[int, str]:
    """Grouped columns: one group per category, one column per series."""
    top, height, left = _legend_height(chart) + 12, 180, 40
    peak = axis_peak(max((v for s in chart.series for v in s.values), default=0))
    parts, scale = _axes(top, height, peak)
    slot = (WIDTH - left) / max(len(chart.categories), 1)
    width = slot * 0.8 / max(len(chart.series), 1)
    xs = []
    for i in range(len(chart.categories)):
        x0 = left + i * slot + slot * 0.1
        xs.append(x0 + slot * 0.4)
        for j, series in enumerate(chart.series):
            h = series.values[i] * scale
            colour = PALETTE[j % len(PALETTE)]
            parts.append(
                f'<rect x="{x0 + j * width:.1f}" y="{top + height - h:.1f}" '
                f'width="{max(width - 1, 1):.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
    # The last group's label ends at the right edge instead of spilling past it.
    if xs:
        xs[-1] = WIDTH
    parts += _category_labels(chart, xs, top + height + 22, end=True)
    return top + height + 30, '<g aria-hidden="true">' + "".join(parts) + "</g>"


def _lines(chart: Chart) -> tuple[int, str]:
    """One line per series across the categories (e.g. days), with a dot on the last point."""
    top, height, left = _legend_height(chart) + 12, 180, 40
    peak = axis_peak(max((v for s in chart.series for v in s.values), default=0))
    parts, scale = _axes(top, height, peak)
    n = len(chart.categories)
    step = (WIDTH - left - 12) / max(n - 1, 1)
    xs = [left + 6 + i * step for i in range(n)]
    for j, series in enumerate(chart.series):
        colour = PALETTE[j % len(PALETTE)]
        points = " ".join(
            f"{xs[i]:.1f},{top + height - v * scale:.1f}" for i, v in enumerate(series.values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"/>'
        )
        if series.values:
            last = series.values[-1]
            parts.append(
                f'<circle cx="{xs[-1]:.1f}" cy="{top + height - last * scale:.1f}" r="4" '
                f'fill="{colour}"/>'
            )
    parts += _category_labels(chart, xs, top + height + 22, end=True)
    return top + height + 30, '<g aria-hidden="true">' + "".join(parts) + "</g>"
