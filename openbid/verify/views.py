"""The public verification page: what was issued, by whom, when, its hash and signature.

Anyone holding a printout types the code (or scans the QR code); anyone holding the file
uploads it and learns whether it is byte-identical to the registered document. Nothing
here writes to the database.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from openbid import security
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Agency, Selection, User
from openbid.rules.reasons import N_, Reason
from openbid.stages import documents as service
from openbid.stages.documents import KIND_LABELS
from openbid.uploads import read_upload

bp = Blueprint("verify", __name__, url_prefix="/verify")

# Anyone may upload here without logging in: an issued PDF is well under 5 MB, and ten
# checks a minute is more than a person needs. Config VERIFY_MAX_BYTES and
# VERIFY_CHECKS_PER_MINUTE override them.
VERIFY_MAX_BYTES = 5 * 1024 * 1024
VERIFY_CHECKS_PER_MINUTE = 10
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and CSRF token around the file
limit_checks = security.rate_limit(
    "verify.file", "VERIFY_CHECKS_PER_MINUTE", VERIFY_CHECKS_PER_MINUTE
)
limit_body = security.limit_body("VERIFY_REQUEST_MAX_BYTES", VERIFY_MAX_BYTES + FORM_OVERHEAD)


@bp.app_template_filter("document_kind")
def document_kind(kind: str) -> str:
    """Return a document kind's name in the interface language."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def _max_bytes() -> int:
    """Largest file accepted for a check (never above the app's request limit)."""
    limit = int(current_app.config.get("VERIFY_MAX_BYTES", VERIFY_MAX_BYTES))
    return min(limit, int(current_app.config.get("MAX_CONTENT_LENGTH") or limit))


def _too_large() -> str:
    """Say that the file is over the limit, and what to do."""
    return _(
        "The file is larger than %(limit)s MB; a PDF issued through openbid is much smaller. "
        "Check that you chose the right file.",
        limit=f"{_max_bytes() / (1024 * 1024):g}",
    )


@bp.errorhandler(RequestEntityTooLarge)
def _request_too_large(error: RequestEntityTooLarge):
    """Answer an oversized upload (refused before it is read) with the form and why."""
    return render_template("verify/index.html", upload_errors=[_too_large()]), 413


def _upload_problems() -> tuple[bytes, list[str], int]:
    """Read the uploaded file; return its bytes, what is wrong with it and the status."""
    data, reasons = read_upload(request.files.get("file"), _max_bytes())
    if any(r.code == "upload.too_large" for r in reasons):
        return b"", [_too_large()], 413
    if not reasons and not data:
        reasons = [Reason("upload.empty", N_("The file is empty."))]
    return data, [reason_text(r) for r in reasons], 422 if reasons else 200


def _facts(document) -> dict:
    """Return the agency, selection and issuer of a document for the page."""
    return {
        "agency": db.session.get(Agency, document.agency_id),
        "selection": db.session.get(Selection, document.selection_id)
        if document.selection_id
        else None,
        "issuer": db.session.get(User, document.issued_by_id) if document.issued_by_id else None,
    }


@bp.route("/", methods=["GET", "POST"])
@limit_checks
@limit_body
def index():
    """Ask for a code (GET ?code=) or check an uploaded file against the whole registry."""
    if request.method == "GET":
        typed = request.args.get("code")
        if typed is None:
            return render_template("verify/index.html")
        code = service.normalise_code(typed)
        if code is None:
            return render_template(
                "verify/index.html",
                code_error=_(
                    "A verification code has 10 letters and digits, like K7QM2-X9PDT; "
                    "check what you typed."
                ),
                typed=typed,
            ), 422
        return redirect(url_for("verify.document", code=code), 303)
    data, problems, status = _upload_problems()
    if problems:
        return render_template("verify/index.html", upload_errors=problems), status
    check = service.check_file(db.session, data)
    facts = _facts(check.document) if check.document is not None else {}
    return render_template(
        "verify/index.html",
        check=check,
        filename=request.files["file"].filename,
        **facts,
    )


@bp.route("/<code>", methods=["GET", "POST"])
@limit_checks
@limit_body
def document(code: str):
    """Show a registered document; on POST compare an uploaded file with it."""
    canonical = service.normalise_code(code)
    found = service.find_by_code(db.session, canonical) if canonical else None
    if found is None:
        return render_template("verify/not_found.html", code=code), 404
    if canonical != code:
        return redirect(url_for("verify.document", code=canonical), 301)
    try:
        registered = service.check_file(db.session, service.document_bytes(found), found)
        stored_ok = True
    except OSError:
        registered, stored_ok = None, False
    check = upload_errors = None
    status = 200
    if request.method == "POST":
        data, upload_errors, status = _upload_problems()
        if not upload_errors:
            check = service.check_file(db.session, data, found)
    return render_template(
        "verify/document.html",
        document=found,
        **_facts(found),
        registered=registered,
        stored_ok=stored_ok,
        check=check,
        upload_errors=upload_errors,
        filename=request.files["file"].filename if check is not None else None,
    ), status
