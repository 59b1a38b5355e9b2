"""API v1 the competency assessment: importing an assessment centre's CSV of results.

The same roles (the secretariat, the seated committee), state and reasons as the assessment
page, through ``stages.assessment.import_csv``: the file is read by its content (UTF-8, a
header naming known columns, one row per candidate's NIP), every row or none is written,
and a refusal lists each problem with its line.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, jsonify
from flask_smorest.fields import Upload

from openbid.api.blueprint import actor, bp
from openbid.api.fields import Out
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


class AssessmentUploadSchema(ma.Schema):
    """The CSV file (multipart field ``file``); a missing or empty one is the stage's refusal."""

    file = Upload(metadata={"contentMediaType": "text/csv"})


class ImportReportSchema(Out):
    """What an import wrote: rows read, rows changed, the stored file's hash."""

    selection_id = ma.fields.Integer(required=True)
    filename = ma.fields.String(required=True)
    rows = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0))
    changed = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0))
    sha256 = ma.fields.String(allow_none=True)


@bp.operation(
    "/selections/<int:selection_id>/assessment/import",
    "POST",
    summary="Import the assessment centre's CSV of results (multipart, field file): every row "
    "or nothing, each problem with its line (secretariat, seated committee)",
    tag="assessment",
    body=True,
)
@bp.arguments(AssessmentUploadSchema, location="files")
@bp.response(200, ImportReportSchema, description="What the import wrote")
def post_assessment_import(files: dict[str, Any], selection_id: int):
    """Import through ``assessment.import_csv`` (which checks the role, seat and state)."""
    selection = visible_selection(selection_id)
    require(*assessment.EDIT_ROLES)
    upload = files.get("file")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = upload.stream.read(limit + 1) if upload is not None and upload.filename else b""
    # The name goes into the audit trail: printable characters only (PostgreSQL refuses NUL).
    raw = (upload.filename if upload is not None else "") or ""
    filename = "".join(c for c in raw if c.isprintable())[:200] or "import.csv"
    try:
        report = assessment.import_csv(selection, actor(), data, filename)
    except assessment.ImportFailed as error:
        return _problems_answer(error)
    return {
        "selection_id": selection.id,
        "filename": filename,
        "rows": report.rows,
        "changed": report.changed,
        "sha256": report.file.sha256 if report.file is not None else None,
    }
