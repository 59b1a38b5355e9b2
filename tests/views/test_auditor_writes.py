"""An auditor can write nothing: every write route of the app answers 403.

The test enumerates ``app.url_map``, fills each rule's arguments with real ids of a
selection carried to its end, sends a valid CSRF token, and expects 403 from every rule
that accepts POST, PUT, PATCH or DELETE, except log-out and the language switch.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from openbid.auditor.views import AUDITOR_WRITE_ALLOWED
from openbid.extensions import db
from openbid.models import (
    Application,
    AuditEvent,
    CommitteeMember,
    DocumentCounter,
    IssuedDocument,
    Position,
    Selection,
)
from openbid.stages import documents
from openbid.stages import documents as document_contexts
from tests.documents import scenario
from tests.factories import PASSWORD

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _snapshot() -> tuple:
    """Counts and states that any successful write would change."""
    return (
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
        db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))),
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DocumentCounter.last_seq), 0))),
        db.session.scalar(sa.select(sa.func.count(Position.id))),
        db.session.scalar(sa.select(sa.func.count(CommitteeMember.id))),
        tuple(db.session.scalars(sa.select(Selection.version).order_by(Selection.id))),
        tuple(db.session.scalars(sa.select(Application.state).order_by(Application.id))),
    )


def _arguments(rule: Rule, ids: dict[str, object], overrides: dict[str, dict]) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        if name in overrides.get(rule.endpoint, {}):
            values[name] = overrides[rule.endpoint][name]
        elif name in ids:
            values[name] = ids[name]
        else:
            values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return values


def test_every_write_route_refuses_an_auditor(app: Flask, browser) -> None:
    built = scenario.build()
    at = scenario.ISSUE_TIMES["announcement"]
    context = document_contexts.build_context(
        db.session, "announcement", built.selection, issued_at=at, actor=built.secretariat
    )
    document = documents.issue_document(
        db.session,
        kind="announcement",
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=at,
    )
    db.session.commit()
    application = db.session.scalar(sa.select(Application).order_by(Application.id))
    ids = {
        "selection_id": built.selection.id,
        "position_id": application.position_id,
        "application_id": application.id,
        "member_id": built.selection.committee[0].id,
        "document_id": document.id,
        "index": 0,
        "event": "cancel",
        "code": document.verification_code,
        "doc_type": "cv",
    }
    overrides = {"committee.record_gate": {"code": "kasn_recommendation"}}
    browser.login(built.auditor.email, PASSWORD)
    token = browser.token("/audit/")
    before = _snapshot()

    tried = []
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
        targets = [
            (rule, method, rule.build(_arguments(rule, ids, overrides))[1])
            for rule in rules
            for method in WRITE_METHODS
            if method in rule.methods and rule.endpoint not in AUDITOR_WRITE_ALLOWED
        ]
    for rule, method, url in targets:
        response = browser.client.open(
            url,
            method=method,
            data={"csrf_token": token, "reason": "audit probe", "version": "1"},
        )
        tried.append(rule.endpoint)
        assert response.status_code == 403, (method, url, response.status_code)
        if url.startswith("/api/"):
            assert response.is_json
    db.session.expire_all()
    assert _snapshot() == before
    # The enumeration really covers the app's forms, including the public ones.
    assert len(tried) >= 30
    assert "committee.fire_event" in tried


def test_log_out_and_language_stay_open_to_auditors(app: Flask, browser) -> None:
    built = scenario.build()
    browser.login(built.auditor.email, PASSWORD)
    response = browser.post("/lang/en", {"next": "/audit/"}, page="/audit/")
    assert response.status_code == 302
    assert browser.client.get("/audit/").get_data(as_text=True).count("Audit of") == 1
    response = browser.post("/auth/logout", page="/audit/")
    assert response.status_code == 302
    assert browser.client.get("/audit/").status_code == 302  # logged out: to the log-in page


def test_the_same_public_form_works_for_everyone_else(app: Flask, browser) -> None:
    """The 403 comes from the auditor gate, not from the route: a visitor gets through."""
    scenario.build()
    response = browser.post("/verify/", {}, page="/verify/", content_type="multipart/form-data")
    assert response.status_code == 422  # no file chosen: a message, not a refusal
