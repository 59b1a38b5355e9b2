"""Indonesian first: candidates' emails, the workflow diagram and missing-field lists (#13)."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import force_locale, gettext

from openbid.models import ApplicationState
from openbid.rules.reasons import Reason
from openbid.stages.applications.guards import profile_complete
from openbid.workflow import definition_of
from openbid.workflow.diagram import render_svg
from tests.factories import make_agency, make_selection
from tests.portal.helpers import Clock, candidate, open_selection, start_application


class _Named:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


@pytest.mark.parametrize(
    ("template", "context", "indonesian"),
    [
        ("result.txt", {"outcome": ApplicationState.ELIGIBLE}, "Anda lulus seleksi administrasi"),
        ("confirm.txt", {"confirm_url": "u", "hours": 48}, "Tautan ini berlaku 48 jam"),
        ("reset.txt", {"reset_url": "u", "minutes": 30}, "dalam 30 menit"),
        ("already_registered.txt", {"login_url": "u", "forgot_url": "f"}, "Tidak ada akun baru"),
    ],
)
def test_candidate_emails_are_written_in_indonesian(app, template, context, indonesian) -> None:
    person = _Named(name="Siti")
    extra = {
        "user": person,
        "selection": _Named(title="Seleksi"),
        "position": _Named(name="Kepala Dinas"),
        "reason": "",
        "link": "u",
        "state_label": "",
        **context,
    }
    with app.test_request_context(), force_locale("id"):
        body = render_template(f"portal/email/{template}", **extra)
    assert "Yth. Siti," in body and indonesian in body, body
    assert "Hello" not in body


def test_the_diagram_says_from_any_open_stage_in_indonesian(app) -> None:
    selection, _ = make_selection(make_agency())
    with app.test_request_context(), force_locale("id"):
        svg = str(
            render_svg(
                definition_of(selection).machine("selection"), selection.state, translate=gettext
            )
        )
    assert "dari setiap tahap yang masih berjalan" in svg
    assert "from any open stage" not in svg


def test_the_missing_profile_fields_are_named_in_indonesian(app, monkeypatch) -> None:
    Clock(monkeypatch)
    selection, _ = open_selection(make_agency())
    application = start_application(selection, candidate())
    reason = profile_complete(_Named(row=application, params={}))
    assert isinstance(reason, Reason)
    with app.test_request_context(), force_locale("id"):
        text = reason.translate(gettext)
    assert "Tempat lahir" in text and "Nomor telepon seluler" in text
    assert "Place of birth" not in text
