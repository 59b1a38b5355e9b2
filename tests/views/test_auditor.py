"""The auditor's read-only area: selections, events, chain status, documents and exports."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import flask_babel
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext

from openbid import audit, clock
from openbid.auditor import events as event_log
from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import AuditEvent, IssuedDocument, Role
from openbid.stages import documents
from openbid.stages import documents as document_contexts
from tests.documents import scenario
from tests.factories import PASSWORD, make_agency, make_selection, make_user
from tests.querycount import statements


def _issue(built: scenario.Scenario, kind: str) -> IssuedDocument:
    at = scenario.ISSUE_TIMES[kind]
    context = document_contexts.build_context(
        db.session, kind, built.selection, issued_at=at, actor=built.secretariat
    )
    document = documents.issue_document(
        db.session,
        kind=kind,
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=at,
    )
    db.session.commit()
    return document


@pytest.fixture
def built(app: Flask) -> scenario.Scenario:
    """The scenario with its first three documents issued."""
    built = scenario.build()
    for kind in ("announcement", "extension_notice", "screening_minutes"):
        _issue(built, kind)
    return built


@pytest.fixture
def auditor_browser(browser, built):
    """A browser logged in as the scenario agency's auditor, reading English pages."""
    browser.login(built.auditor.email, PASSWORD)
    browser.client.get("/audit/?lang=en")
    return browser


def _count_queries(app: Flask, client, url: str) -> tuple[int, int]:
    """Return (status, number of SQL statements) of one GET.

    On SQLite every statement the connection runs is counted, also those sent on the raw
    DB-API connection (the chain check reads plain rows), through the trace callback.
    """
    statements: list[str] = []
    engine = db.engine
    raw = engine.dialect.name == "sqlite"

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def checkout(dbapi_connection, record, proxy) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    def checkin(dbapi_connection, record) -> None:
        dbapi_connection.set_trace_callback(None)

    listeners = [("checkout", checkout), ("checkin", checkin)] if raw else []
    listeners = listeners or [("before_cursor_execute", count)]
    for name, listener in listeners:
        sa.event.listen(engine, name, listener)
    try:
        response = client.get(url)
    finally:
        for name, listener in listeners:
            sa.event.remove(engine, name, listener)
    return response.status_code, len(statements)


def _notes(selection, actor, n: int) -> None:
    for i in range(n):
        audit.append(
            db.session,
            event="note",
            actor=actor,
            subject_type="selection",
            subject_id=selection.id,
            selection_id=selection.id,
            payload={"n": i},
        )
    db.session.commit()


def test_index_lists_only_the_agency_selections(auditor_browser, built) -> None:
    other, _ = make_selection(make_agency())
    page = auditor_browser.client.get("/audit/").get_data(as_text=True)
    assert built.selection.title in page
    assert other.title not in page
    home = auditor_browser.client.get("/home").get_data(as_text=True)
    assert f"/audit/selections/{built.selection.id}" in home


def test_selection_page_shows_events_chain_and_documents(auditor_browser, built) -> None:
    response = auditor_browser.client.get(f"/audit/selections/{built.selection.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Intact" in page
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.selection_id == built.selection.id)
    ).all()
    for event in events:
        assert event.hash in page  # the full hash, on hover
        assert event.hash[:12] in page
    assert "publish_announcement" in page and "approval → announcement" in page
    for document in db.session.scalars(sa.select(IssuedDocument)):
        assert document.number in page
        assert f"/audit/documents/{document.id}" in page
        assert document.verification_code in page


def test_a_tampered_event_is_named(auditor_browser, built) -> None:
    victim = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.selection_id == built.selection.id)
        .order_by(AuditEvent.seq)
        .offset(3)
        .limit(1)
    )
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == victim.id).values(actor="someone else")
    )
    db.session.commit()
    page = auditor_browser.client.get(f"/audit/selections/{built.selection.id}")
    text = page.get_data(as_text=True)
    assert "Broken" in text
    assert f"The first bad event is number {victim.seq}" in text
    assert f"event id {victim.id}" in text


def test_events_are_paginated(auditor_browser, built) -> None:
    for n in range(60):
        audit.append(
            db.session,
            event="note",
            actor=built.secretariat,
            subject_type="selection",
            subject_id=built.selection.id,
            selection_id=built.selection.id,
            payload={"n": n},
        )
    db.session.commit()
    url = f"/audit/selections/{built.selection.id}"
    first = auditor_browser.client.get(url).get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = auditor_browser.client.get(f"{url}?page=2").get_data(as_text=True)
    last = "<dt>n</dt><dd>59</dd>"  # an unlabelled field keeps its key as its label
    assert last in second and last not in first
    assert auditor_browser.client.get(f"{url}?page=3").status_code == 404


def test_query_count_does_not_grow_with_rows(app, auditor_browser, built) -> None:
    selection, secretary = make_selection(built.agency)
    chain = audit.chain_for(selection.id)
    have = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.chain == chain))
    _notes(selection, secretary, 10 - have)
    url = f"/audit/selections/{selection.id}"
    assert auditor_browser.client.get(url).status_code == 200  # records the verification
    _notes(selection, secretary, 1)
    status, few = _count_queries(app, auditor_browser.client, url)  # 11 events, 1 new
    assert status == 200
    _notes(selection, secretary, 189)
    status, many = _count_queries(app, auditor_browser.client, url)  # 200 events, 189 new
    assert status == 200
    assert many == few
    for kind in ("screening_announcement", "results_announcement", "plenary_minutes"):
        _issue(built, kind)
    status, index_few = _count_queries(app, auditor_browser.client, "/audit/")
    make_selection(built.agency)
    make_selection(built.agency)
    status, index_many = _count_queries(app, auditor_browser.client, "/audit/")
    assert index_many == index_few


def test_csv_exports_list_every_event_and_document(auditor_browser, built) -> None:
    base = f"/audit/selections/{built.selection.id}"
    response = auditor_browser.client.get(f"{base}/events.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_for(built.selection.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert [int(r["seq"]) for r in rows] == [e.seq for e in events]
    assert [r["hash"] for r in rows] == [e.hash for e in events]
    assert [r["prev_hash"] for r in rows] == [e.prev_hash for e in events]
    response = auditor_browser.client.get(f"{base}/documents.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    registered = db.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.id)).all()
    assert [(r["number"], r["sha256"]) for r in rows] == [(d.number, d.sha256) for d in registered]


@pytest.mark.real_pdf
def test_trail_pdf_lists_every_event_and_document(auditor_browser, built) -> None:
    before = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_for(built.selection.id))
        .order_by(AuditEvent.seq)
    ).all()
    registered = db.session.scalars(sa.select(IssuedDocument)).all()
    page = f"/audit/selections/{built.selection.id}"
    response = auditor_browser.post(f"{page}/trail.pdf", page=page)
    assert response.status_code == 303
    download = auditor_browser.client.get(response.headers["Location"])
    assert download.mimetype == "application/pdf"
    db.session.expire_all()
    trail = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.kind == "audit_trail"))
    assert download.data == documents.document_bytes(trail)
    assert trail.issued_by_id == built.auditor.id
    text = pdf_text(download.data)
    flat = "".join(text.split())
    for event in before:
        assert event.hash[:12] in flat, event.seq
    for document in registered:
        assert document.sha256 in flat
        assert "".join(document.number.split()) in flat
    assert before[-1].hash in flat  # the chain's final hash
    assert trail.verification_code in text
    again = auditor_browser.post(f"{page}/trail.pdf", page=page)
    assert again.headers["Location"] == response.headers["Location"]  # same export, no new number


@pytest.mark.real_pdf
def test_trail_pdf_names_events_in_indonesian_and_english_beside_the_machine_name(
    auditor_browser, built, tmp_path
) -> None:
    page = f"/audit/selections/{built.selection.id}"
    response = auditor_browser.post(f"{page}/trail.pdf", page=page)
    pdf = auditor_browser.client.get(response.headers["Location"]).data
    (tmp_path / "trail.pdf").write_bytes(pdf)  # to look at: pdftoppm -png -r 60
    flat = " ".join(pdf_text(pdf).split())
    # The scenario's events include the issue of its documents ("document_issued").
    assert "Dokumen diterbitkan — Dokumen #" in flat
    assert "Document issued — Document #" in flat
    assert "document_issued (document #" in flat
    with auditor_browser.client.application.test_request_context():
        with force_locale("id"):
            created = gettext(event_log.event_label("selection_created"))
    assert created != "Selection created" and created in flat
    assert "Selection created" in flat and "selection_created" in flat


def test_downloads_are_limited_to_the_agency(auditor_browser, built) -> None:
    document = db.session.scalar(sa.select(IssuedDocument).order_by(IssuedDocument.id))
    response = auditor_browser.client.get(f"/audit/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == documents.document_bytes(document)
    assert "attachment" in response.headers["Content-Disposition"]
    other = scenario.build()
    foreign = _issue(other, "announcement")
    assert auditor_browser.client.get(f"/audit/documents/{foreign.id}").status_code == 404
    assert auditor_browser.client.get(f"/audit/selections/{other.selection.id}").status_code == 404
    assert auditor_browser.client.get("/audit/documents/999999").status_code == 404


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.COMMITTEE, Role.PPK, Role.ADMIN])
def test_other_roles_are_refused(browser, built, role: Role) -> None:
    user = make_user(role, built.agency)
    browser.login(user.email, PASSWORD)
    assert browser.client.get("/audit/").status_code == 403
    assert browser.client.get(f"/audit/selections/{built.selection.id}").status_code == 403
    document = db.session.scalar(sa.select(IssuedDocument))
    assert browser.client.get(f"/audit/documents/{document.id}").status_code == 403


def test_candidates_and_visitors_are_refused(browser, built) -> None:
    assert browser.client.get("/audit/").status_code == 302  # to the log-in page
    candidate = make_user(Role.CANDIDATE)
    browser.login(candidate.email, PASSWORD)
    assert browser.client.get("/audit/").status_code == 403


def test_events_read_as_names_and_labelled_fields_machine_names_kept(
    auditor_browser, built
) -> None:
    url = f"/audit/selections/{built.selection.id}"
    page = auditor_browser.client.get(url + "?lang=id").get_data(as_text=True)
    # Indonesian first: the event's name, its fields labelled, the role translated.
    assert "Seleksi dibuat" in page and "Jabatan ditambahkan" in page
    assert "<dt>Eselon</dt><dd>2</dd>" in page
    assert "<dt>Pangkat minimal</dt>" in page
    assert "level: 2; min_rank" not in page
    assert '<span class="muted small">Sekretariat (BKPSDM)</span>' in page
    assert ">secretariat</span>" not in page
    # The machine names stay, in a secondary place, for citing.
    assert '<code class="machine muted small">selection_created' in page
    assert '<code class="machine muted small">position_added' in page
    assert '<br><span class="small">Jabatan #' in page  # the subject named, not "position"
    english = auditor_browser.client.get(url + "?lang=en").get_data(as_text=True)
    assert "Selection created" in english and "<dt>Minimum rank</dt>" in english


def test_events_filter_by_actor_type_and_date_with_reasons(auditor_browser, built) -> None:
    url = f"/audit/selections/{built.selection.id}"
    chain = audit.chain_for(built.selection.id)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
    ).all()
    seqs = re.compile(r'<td class="num">(\d+)</td>')

    def shown(query: str) -> list[int]:
        response = auditor_browser.client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        return [int(s) for s in seqs.findall(response.get_data(as_text=True))]

    kind = events[0].event
    assert shown(f"event={kind}") == [e.seq for e in events if e.event == kind]
    actor = built.secretariat
    mine = [e.seq for e in events if e.actor_id == actor.id]
    assert mine and shown(urlencode({"actor": f"{actor.name} <{actor.email}>"})) == mine
    day = clock.to_jakarta(events[-1].occurred_at).date()
    on_day = [e.seq for e in events if clock.to_jakarta(e.occurred_at).date() == day]
    assert shown(f"since={day}&until={day}") == on_day
    assert len(on_day) < len(events)  # the range really narrows the list
    # Unreadable filters are named, linked to their field, and left out (not guessed).
    response = auditor_browser.client.get(f"{url}?since=03/12/2018&event=nope")
    text = response.get_data(as_text=True)
    assert 'role="alert"' in text
    assert "Enter the date as year-month-day, e.g. 2018-12-03 (not “03/12/2018”)." in text
    assert "has no event of the type “nope”" in text
    assert 'href="#filter-since"' in text and 'aria-invalid="true"' in text
    assert len(seqs.findall(text)) == min(len(events), 50)
    reversed_range = auditor_browser.client.get(f"{url}?since=2018-12-10&until=2018-12-01")
    assert "is before its start (2018-12-10)" in reversed_range.get_data(as_text=True)


def test_event_details_read_as_values_not_json() -> None:
    fields = {
        f.key: f.value
        for f in event_log.describe(
            {
                "data": {"passed": True, "failed_rules": [], "reason": "x" * 300},
                "workflow": "jpt-pratama-kasn@1",
                "committee_role": "chair",
                "sha256": "ab" * 32,
                "changes": {"rank": {"from": None, "to": "IV/b"}},
            }
        )
    }
    assert fields["passed"] == "yes" and fields["failed_rules"] == "–"
    assert fields["committee_role"] == "Chair"
    assert fields["sha256"] == "ab" * 6 + "…"
    assert fields["changes"] == "rank: – → IV/b"
    assert len(fields["reason"]) == event_log.VALUE_LIMIT and fields["reason"].endswith("…")
    assert "workflow" not in fields


def test_the_page_takes_the_number_of_events_from_the_chain_head(auditor_browser, built) -> None:
    selection, secretary = make_selection(built.agency)
    _notes(selection, secretary, 3)
    chain = audit.chain_for(selection.id)
    stored = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.chain == chain))
    with statements() as sent:
        page = auditor_browser.client.get(f"/audit/selections/{selection.id}?lang=en")
    assert page.status_code == 200
    # Counting a chain's events reads every one of them (~40 ms at 100k on PostgreSQL); the
    # head's seq is the same number for an intact chain, read by its key.
    assert not [s for s in sent if "count(" in s and "FROM audit_event" in s]
    assert f"<dd>{stored}</dd>" in page.get_data(as_text=True)


def test_the_filters_choices_read_only_the_events_since_the_last_view(
    auditor_browser, built
) -> None:
    selection, secretary = make_selection(built.agency)
    _notes(selection, secretary, 3)
    url = f"/audit/selections/{selection.id}?lang=en"

    def distinct_reads() -> list[str]:
        with statements() as sent:
            assert auditor_browser.client.get(url).status_code == 200
        return [s for s in sent if "DISTINCT" in s.upper() and "FROM audit_event" in s]

    first = distinct_reads()
    assert len(first) == 1  # the chain's actors and event types, once
    assert distinct_reads() == []  # nothing new: nothing read again
    _notes(selection, secretary, 1)
    [since] = distinct_reads()  # one new event: only the events after the last read
    assert "seq >" in since
    page = auditor_browser.client.get(url).get_data(as_text=True)
    assert secretary.email in page  # the actor is still offered in the filter


def test_translations_looked_up_do_not_grow_with_rows(auditor_browser, built, monkeypatch) -> None:
    """Each label of the log is translated once per page, not once per row."""
    selection, secretary = make_selection(built.agency)
    chain = audit.chain_for(selection.id)
    have = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.chain == chain))
    url = f"/audit/selections/{selection.id}?lang=en"
    lookups: list[str] = []
    lookup = flask_babel.Domain.get_translations

    def counted(domain):
        lookups.append("")
        return lookup(domain)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)

    def page() -> tuple[int, str]:
        auditor_browser.client.get(url)  # records the verification of the new events
        lookups.clear()
        response = auditor_browser.client.get(url)
        assert response.status_code == 200
        return len(lookups), response.get_data(as_text=True)

    _notes(selection, secretary, 10 - have)
    few, text = page()
    assert text.count('<td class="num">') == 10
    _notes(selection, secretary, 40)
    many, text = page()
    assert text.count('<td class="num">') == 50
    assert many == few


def test_a_page_of_the_whole_log_starts_at_its_sequence_number(auditor_browser, built) -> None:
    """Unfiltered pages are found by seq in the chain's index, never by an OFFSET scan."""
    selection, secretary = make_selection(built.agency)
    chain = audit.chain_for(selection.id)
    _notes(selection, secretary, 120)
    url = f"/audit/selections/{selection.id}?lang=en"
    seqs = re.compile(r'<td class="num">(\d+)</td>')
    total = audit.head_of(db.session, chain)[0]
    for page, first in ((1, 1), (2, 51), (3, 101)):
        with statements() as sent:
            text = auditor_browser.client.get(f"{url}&page={page}").get_data(as_text=True)
        shown = [int(n) for n in seqs.findall(text)]
        assert shown == list(range(first, min(first + 49, total) + 1))
        [query] = [s for s in sent if "FROM audit_event" in s and "audit_event.seq <= " in s]
        assert "audit_event.seq > " in query and "OFFSET" not in query.upper()
    # A filtered view still counts and skips what matches.
    filtered = auditor_browser.client.get(f"{url}&event=note&page=2").get_data(as_text=True)
    notes = db.session.scalars(
        sa.select(AuditEvent.seq)
        .where(AuditEvent.chain == chain, AuditEvent.event == "note")
        .order_by(AuditEvent.seq)
    ).all()
    assert [int(n) for n in seqs.findall(filtered)] == notes[50:100]
