"""The monitoring view's charts, drawn with the agency dashboards' SVG components."""

from __future__ import annotations

from flask_babel import gettext as _

from openbid.charts import Chart, Series
from openbid.stages import oversight as service
from openbid.workflow.installed import state_label


def _gate_labels() -> dict[str, str]:
    """Return each gate's name in the request's language, in the gates' order."""
    names = {
        service.PLAN: _("Plan"),
        service.RESULTS: _("Results (three best)"),
        service.EXTENSION: _("Extension of registration"),
        service.REPORT: _("Final report"),
    }
    return {gate: names[gate] for gate in service.GATES}


def monitoring_charts(data: service.Monitoring) -> list[Chart]:
    """Return the charts: selections by stage and agency, and working days waited per gate."""
    charts = []
    agencies = data.agencies
    if data.rows:
        by_state = {}
        for row in data.rows:
            by_state.setdefault(row.selection.state, row.selection)
        states = list(by_state)
        charts.append(
            Chart(
                key="by-stage",
                kind="bars",
                title=_("Selections by stage and agency"),
                description=_("How many selections of each agency are at each stage."),
                category_title=_("Stage"),
                categories=tuple(state_label(by_state[s]) for s in states),
                series=tuple(
                    Series(name, tuple(float(data.by_stage[s][name]) for s in states))
                    for name in agencies
                ),
            )
        )
        waited = [r for r in data.rows if any(v is not None for v in r.waits.values())]
        charts.append(
            Chart(
                key="waiting",
                kind="bars",
                title=_("Working days waited per gate"),
                description=_(
                    "Working days each selection waited at each gate: plan, results, "
                    "extension, final report."
                ),
                category_title=_("Selection"),
                categories=tuple(
                    f"{r.selection.agency.region_name} {r.selection.year} (#{r.selection.id})"
                    for r in waited
                ),
                series=tuple(
                    Series(label, tuple(float(r.waits.get(gate) or 0) for r in waited))
                    for gate, label in _gate_labels().items()
                ),
            )
        )
    return charts
