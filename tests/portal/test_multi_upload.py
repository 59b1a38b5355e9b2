"""Several documents on one page: one multipart form (no script needed), each file all or
nothing, each file's result named; the page's script gets each result as JSON."""

from __future__ import annotations

import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from openbid.extensions import db
from openbid.models import ApplicationDocument
from openbid.stages import applications as portal
from tests.factories import make_agency
from tests.portal.helpers import (
    Clock,
    candidate,
    counts,
    english,
    good_pdf,
    login,
    open_selection,
    png_named_pdf,
    profile_form,
    raw_profile,
    start_application,
)


def _draft(monkeypatch, browser, client):
    Clock(monkeypatch)
    selection, _ = open_selection(make_agency())
    user = candidate()
    portal.save_profile(user, raw_profile(profile_form()))
    application = start_application(selection, user)
    login(browser, user)
    english(client)
    return application


def _post_files(browser, url: str, page: str, files: dict[str, tuple[io.BytesIO, str]], **kw):
    fields = MultiDict([("csrf_token", browser.token(page))])
    for name, (stream, filename) in files.items():
        fields.add(
            name, FileStorage(stream=stream, filename=filename, content_type="application/pdf")
        )
    body, _length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return browser.client.post(
        url, data=body.getvalue(), content_type=f"multipart/form-data; boundary={boundary}", **kw
    )


def _in_force() -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(ApplicationDocument).where(ApplicationDocument.superseded_at.is_(None))
    )
    return {row.doc_type: row.original_name for row in rows}


def test_one_form_uploads_several_files_and_a_bad_one_loses_only_itself(
    monkeypatch, browser, client
) -> None:
    application = _draft(monkeypatch, browser, client)
    page = f"/portal/applications/{application.id}"
    html = client.get(page).get_data(as_text=True)
    # One form for every document, each with its own labelled file input and progress bar.
    assert html.count('enctype="multipart/form-data"') == 1
    assert 'name="file-cv"' in html and 'name="file-ijazah"' in html
    assert html.count('class="upload-progress"') == html.count('type="file"') == 11
    before = counts()

    response = _post_files(
        browser,
        f"{page}/documents",
        page,
        {"file-cv": good_pdf("cv"), "file-ijazah": png_named_pdf(), "file-skp": good_pdf("skp")},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _in_force() == {"cv": "cv.pdf", "skp": "skp.pdf"}  # the good ones are kept
    assert "not a PDF document, whatever its name says" in html
    assert 'id="error-ijazah"' in html and 'aria-describedby="error-ijazah"' in html
    assert "Uploaded now:" in html
    # Two files, two uploads: each its file, its row and its audit event; nothing of the bad one.
    after = counts()
    assert after["document"] - before["document"] == 2
    assert after["stored_file"] - before["stored_file"] == 2
    assert after["audit"] - before["audit"] == 2

    response = _post_files(browser, f"{page}/documents", page, {"file-ijazah": good_pdf("ijazah")})
    assert response.status_code == 303
    assert "ijazah" in _in_force()
    response = _post_files(browser, f"{page}/documents", page, {})
    assert response.status_code == 422
    assert "Choose at least one file to upload." in response.get_data(as_text=True)


def test_the_pages_script_gets_each_files_result_as_json(monkeypatch, browser, client) -> None:
    application = _draft(monkeypatch, browser, client)
    page = f"/portal/applications/{application.id}"
    json_headers = {"headers": {"Accept": "application/json"}}
    response = _post_files(
        browser, f"{page}/documents/cv", page, {"file": good_pdf("cv")}, **json_headers
    )
    assert response.status_code == 200 and response.json["ok"] is True
    response = _post_files(
        browser, f"{page}/documents/skp", page, {"file": png_named_pdf()}, **json_headers
    )
    assert response.status_code == 422 and response.json["ok"] is False
    assert any("not a PDF document" in line for line in response.json["errors"])
    assert _in_force() == {"cv": "cv.pdf"}
    # Another candidate's application takes no upload, and does not say it exists.
    browser.client.post("/auth/logout", data={"csrf_token": browser.token("/home")})
    login(browser, candidate("Orang Lain"))
    response = _post_files(browser, f"{page}/documents", "/portal/", {"file-skp": good_pdf("x")})
    assert response.status_code == 404 and _in_force() == {"cv": "cv.pdf"}
