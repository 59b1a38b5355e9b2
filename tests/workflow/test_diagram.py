"""The workflow diagram is drawn from the definition with the current state highlighted."""

from __future__ import annotations

import re

from openbid.app import WORKFLOWS_DIR
from openbid.workflow import load_workflows
from openbid.workflow.diagram import render_svg
from tests.factories import PASSWORD, make_agency, make_selection


def _machine():
    return load_workflows(WORKFLOWS_DIR).get("jpt-pratama-kasn", 1).machine("selection")


def test_every_state_is_drawn_once_and_only_the_current_is_highlighted() -> None:
    machine = _machine()
    svg = str(render_svg(machine, "interview", visited={"draft", "approval"}))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('<g class="wf-state') == len(machine.states)
    current = re.findall(r'<g class="([^"]*wf-current[^"]*)"', svg)
    assert len(current) == 1
    assert svg.count("wf-visited") == 2
    assert "Interview" in svg.split("wf-current", 1)[1].split("</g>", 1)[0]


def test_labels_are_escaped_and_translated() -> None:
    machine = _machine()
    svg = str(render_svg(machine, "draft", translate=lambda s: s.replace("Draft", "<Draf>")))
    assert "&lt;Draf&gt;" in svg and "<Draf>" not in svg


def test_the_overview_page_shows_the_diagram(app, client, browser) -> None:
    selection, secretariat = make_selection(make_agency())
    browser.login(secretariat.email, PASSWORD)
    html = client.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert 'class="workflow-diagram"' in html
    assert html.count("wf-current") == 1
