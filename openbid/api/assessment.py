"""API v1 the competency assessment: importing an assessment centre's CSV of results.

The same roles (the secretariat, the seated committee), state and reasons as the assessment
page, through ``stages.assessment.import_csv``: the file is read by its content (UTF-8, a
header naming known columns, one row per candidate's NIP), every row or none is written,
and a refusal lists each problem with its line.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from openbid.api import schemas as s
from openbid.api.blueprint import actor, bp
from openbid.api.spec import api_route
from openbid.api.visibility import require, visible_selection
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.stages import assessment


def _problems_answer(error: assessment.ImportFailed) -> Any:
    """Return the 422 of a refused file: each problem with its line (null: the whole file)."""
    db.session.rollback()
    errors = [
        {"code": p.reason.code, "message": reason_text(p.reason), "line": p.line}
        for p in error.problems
    ]
    response = jsonify(
        {"error": "unprocessable", "message": errors[0]["message"], "errors": errors}
    )
    response.status_code = 422
    return response


@api_route(
    bp,
    "/selections/<int:selection_id>/assessment/import",
    "POST",
    summary="Import the assessment centre's CSV of results (multipart, field file): every row "
    "or nothing, each problem with its line (secretariat, seated committee)",
    tag="assessment",
    multipart=s.ASSESSMENT_UPLOAD,
    responses={200: ("What the import wrote", s.IMPORT_REPORT)},
)
def post_assessment_import(selection_id: int):
    """Import through ``assessment.import_csv`` (which checks the role, seat and state)."""
    selection = visible_selection(selection_id)
    require(*assessment.EDIT_ROLES)
    upload = request.files.get("file")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = upload.stream.read(limit + 1) if upload is not None and upload.filename else b""
    # The name goes into the audit trail: printable characters only (PostgreSQL refuses NUL).
    raw = (upload.filename if upload is not None else "") or ""
    filename = "".join(c for c in raw if c.isprintable())[:200] or "import.csv"
    try:
        report = assessment.import_csv(selection, actor(), data, filename)
    except assessment.ImportFailed as error:
        return _problems_answer(error)
    return jsonify(
        {
            "selection_id": selection.id,
            "filename": filename,
            "rows": report.rows,
            "changed": report.changed,
            "sha256": report.file.sha256 if report.file is not None else None,
        }
    )
