"""PDFs with JavaScript, automatic actions or embedded files are refused as documents (#10, 6).

Every crafted file is a real PDF (pypdf's PdfWriter, or written by hand where pypdf would not
write it) that pypdf opens; the checker must find what a viewer would run or open.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

from openbid import uploads
from openbid.extensions import db
from openbid.models import Application
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from tests.factories import PASSWORD, make_agency
from tests.pdfs import pdf_of_objects, tiny_pdf
from tests.portal.helpers import (
    Clock,
    candidate,
    counts,
    english,
    login,
    open_selection,
    post_file,
    profile_form,
)

MAX = 2 * 1024 * 1024


# --- crafted PDFs -----------------------------------------------------------------------


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(f"/{kind}")})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value) if isinstance(value, str) else value
    return action


def js_pdf() -> bytes:
    """Document-level JavaScript: the catalog's /Names /JavaScript tree (what add_js wrote).

    pypdf 7 removed ``PdfWriter.add_js``; this is the structure it used to add.
    """
    writer = _writer()
    action = writer._add_object(_action("JavaScript", JS="app.alert(1)"))
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("openbid"), action])}
    )
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)
    return _bytes(writer)


def attachment_pdf() -> bytes:
    writer = _writer()
    writer.add_attachment("x.exe", b"MZ\x90\x00 not really a program")
    return _bytes(writer)


def open_action_pdf() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        _action("JavaScript", JS="app.alert(1)")
    )
    return _bytes(writer)


def page_aa_pdf() -> bytes:
    writer = _writer()
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("Launch", F="C:\\Windows\\System32\\calc.exe")}
    )
    return _bytes(writer)


def launch_link_pdf() -> bytes:
    writer = _writer()
    link = Link(rect=(50, 50, 200, 80), url="https://example.org")
    link[NameObject("/A")] = _action("Launch", F="cmd.exe")
    writer.add_annotation(0, link)
    return _bytes(writer)


def xfa_pdf() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}
    )
    return _bytes(writer)


def goto_then_js_pdf() -> bytes:
    """An innocent-looking GoTo on opening whose /Next runs JavaScript."""
    writer = _writer()
    page = writer.pages[0].indirect_reference
    goto = _action(
        "GoTo",
        D=ArrayObject([page, NameObject("/Fit")]),
        Next=_action("JavaScript", JS="app.alert(1)"),
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(goto)
    return _bytes(writer)


def uri_link_pdf() -> bytes:
    """A plain link to a web page, followed only when the reader clicks it: accepted."""
    writer = _writer()
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="https://sscasn.bkn.go.id/"))
    return _bytes(writer)


def libreoffice_open_pdf() -> bytes:
    """LibreOffice's export: /OpenAction [page /XYZ null null 0] (open at page 1): accepted."""
    writer = _writer()
    page = writer.pages[0].indirect_reference
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [page, NameObject("/XYZ"), NullObject(), NullObject(), NumberObject(0)]
    )
    return _bytes(writer)


_PAGES = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def escaped_names_pdf() -> bytes:
    """/OpenAction running JavaScript with its names escaped (#xx): invisible to a byte scan."""
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >>",
            *_PAGES,
            b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        ]
    )


def orphan_js_pdf() -> bytes:
    """A JavaScript action no path from the catalog reaches; only the byte scan sees it."""
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            *_PAGES,
            b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        ]
    )


REFUSED: dict[str, tuple[Callable[[], bytes], str]] = {
    "document-javascript": (js_pdf, "JavaScript"),
    "attachment": (attachment_pdf, "EmbeddedFiles"),
    "open-action": (open_action_pdf, "OpenAction"),
    "page-aa": (page_aa_pdf, "Launch"),
    "launch-link": (launch_link_pdf, "Launch"),
    "xfa": (xfa_pdf, "XFA"),
    "goto-then-js": (goto_then_js_pdf, "JavaScript"),
    "escaped-names": (escaped_names_pdf, "OpenAction"),
    "orphan-js": (orphan_js_pdf, "JavaScript"),
}
ACCEPTED: dict[str, Callable[[], bytes]] = {
    "plain": lambda: tiny_pdf("dokumen"),
    "uri-link": uri_link_pdf,
    "libreoffice-open-at-page-1": libreoffice_open_pdf,
}


# --- the checker ------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "found"), REFUSED.values(), ids=REFUSED.keys())
def test_check_pdf_refuses_active_content_naming_what_it_found(make, found) -> None:
    reasons = uploads.check_pdf(make(), MAX)
    assert [r.code for r in reasons] == ["upload.active_content"]
    assert found in str(reasons[0].params["found"])
    assert "save it again as a plain PDF" in str(reasons[0])


@pytest.mark.parametrize("make", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_check_pdf_accepts_plain_pdfs_and_links_to_web_pages(make) -> None:
    assert uploads.check_pdf(make(), MAX) == []


def test_each_check_alone_and_why_both_are_done() -> None:
    # Escaped names hide the action from the byte scan; the parse decodes them.
    assert uploads.raw_active_content(escaped_names_pdf()) == []
    # An unreachable object is never walked; a viewer repairing the file may still find it.
    assert uploads.raw_active_content(orphan_js_pdf()) == ["JavaScript", "JS"]
    # Crafted with pypdf, the rest are caught by both.
    for make, _found in REFUSED.values():
        if make not in (escaped_names_pdf, orphan_js_pdf):
            assert uploads.raw_active_content(make()), make.__name__


def test_the_walk_is_bounded(monkeypatch) -> None:
    writer = _writer()
    for i in range(60):
        writer.add_annotation(0, Link(rect=(10, i, 20, i + 5), url=f"https://example.org/{i}"))
    data = _bytes(writer)
    assert uploads.check_pdf(data, MAX) == []
    monkeypatch.setattr(uploads, "PDF_MAX_VISITS", 40)
    assert [r.code for r in uploads.check_pdf(data, MAX)] == ["upload.too_complex"]


def test_a_damaged_pdf_is_still_refused_as_damaged() -> None:
    assert [r.code for r in uploads.check_pdf(b"%PDF-1.4\n garbage", MAX)] == ["upload.corrupt"]


# --- through the candidate portal ------------------------------------------------------


@pytest.fixture
def draft(app, client, browser, monkeypatch):
    """A logged-in candidate (Indonesian, the default) with a draft application."""
    Clock(monkeypatch)
    selection, _secretariat = open_selection(make_agency())
    user = candidate()
    login(browser, user)
    response = browser.post("/portal/profile", profile_form(), page="/portal/profile")
    assert response.status_code == 303
    position = selection.positions[0]
    response = browser.post(f"/portal/positions/{position.id}/apply", page="/portal/selections")
    assert response.status_code == 303
    return db.session.scalar(sa.select(Application).where(Application.candidate_id == user.id))


def _upload(browser, application, data: bytes):
    page = f"/portal/applications/{application.id}"
    return post_file(browser, f"{page}/documents/cv", page, (io.BytesIO(data), "cv.pdf"))


@pytest.mark.parametrize(
    "name", ["document-javascript", "attachment", "open-action", "page-aa", "launch-link"]
)
def test_the_portal_refuses_active_pdfs_in_both_languages_and_stores_nothing(
    draft, browser, client, name
) -> None:
    make, found = REFUSED[name]
    before = counts()
    response = _upload(browser, draft, make())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Berkas PDF berisi JavaScript/tindakan otomatis (" in html
    assert "simpan ulang sebagai PDF biasa lalu unggah lagi" in html
    assert found in html
    assert counts() == before
    english(client)
    response = _upload(browser, draft, make())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The PDF contains JavaScript or automatic actions (" in html
    assert "save it again as a plain PDF and upload it again" in html
    assert found in html
    assert counts() == before


def test_the_portal_names_the_open_action(draft, browser) -> None:
    html = _upload(browser, draft, open_action_pdf()).get_data(as_text=True)
    assert "(OpenAction: JavaScript)" in html


def test_the_portal_accepts_a_pdf_with_a_web_link(draft, browser) -> None:
    before = counts()
    assert _upload(browser, draft, uri_link_pdf()).status_code == 303
    after = counts()
    assert after["document"] == before["document"] + 1
    assert after["stored_file"] == before["stored_file"] + 1


# --- through the API --------------------------------------------------------------------


def test_the_api_refuses_active_pdfs_and_stores_nothing(app, client, monkeypatch) -> None:
    Clock(monkeypatch)
    selection, _secretariat = open_selection(make_agency())
    user = candidate()
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert token.status_code == 201, token.get_json()
    headers = {"Authorization": f"Bearer {token.get_json()['token']}", "Accept-Language": "id"}
    files = {
        code: (io.BytesIO(js_pdf() if code == "cv" else tiny_pdf(code)), f"{code}.pdf")
        for code in REQUIRED_DOCUMENTS
    }
    before = counts()
    response = client.post(
        f"/api/v1/positions/{selection.positions[0].id}/applications",
        headers=headers,
        data=files,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert [e["code"] for e in errors] == ["document.invalid"]
    assert "Berkas PDF berisi JavaScript/tindakan otomatis (JavaScript)" in errors[0]["message"]
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
