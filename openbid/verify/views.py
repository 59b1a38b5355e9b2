"""The public verification page: what was issued, by whom, when, its hash and signature.

Anyone holding a printout types the code (or scans the QR code); anyone holding the file
uploads it and learns whether it is byte-identical to the registered document. Nothing
here writes to the database.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Agency, Role, Selection, User
from openbid.rules.reasons import N_, Reason
from openbid.services import documents as service
from openbid.services.documents import KIND_LABELS
from openbid.uploads import read_upload

bp = Blueprint("verify", __name__, url_prefix="/verify")


@bp.app_template_filter("wib_datetime")
def wib_datetime(value: datetime | None) -> str:
    """Format a moment in Western Indonesian Time, e.g. ``14 Nov 2018 09.00.03 WIB``."""
    if value is None:
        return ""
    # Flask-Babel converts to BABEL_DEFAULT_TIMEZONE (Asia/Jakarta) before formatting.
    return format_datetime(value, "d MMM yyyy HH.mm.ss") + " WIB"


@bp.app_template_filter("document_kind")
def document_kind(kind: str) -> str:
    """Return a document kind's name in the interface language."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def _max_bytes() -> int:
    """Largest file accepted for a check: the request limit (issued PDFs can be long)."""
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 32 * 1024 * 1024)


def _may_upload() -> bool:
    """Auditor accounts send no forms at all (read-only); everyone else may check a file."""
    return not (current_user.is_authenticated and current_user.role == Role.AUDITOR)


def _facts(document) -> dict:  # noqa: ANN001
    """Return the agency, selection and issuer of a document for the page."""
    return {
        "agency": db.session.get(Agency, document.agency_id),
        "selection": db.session.get(Selection, document.selection_id)
        if document.selection_id
        else None,
        "issuer": db.session.get(User, document.issued_by_id) if document.issued_by_id else None,
    }


@bp.route("/", methods=["GET", "POST"])
def index():  # noqa: ANN201
    """Ask for a code (GET ?code=) or check an uploaded file against the whole registry."""
    if request.method == "GET":
        typed = request.args.get("code")
        if typed is None:
            return render_template("verify/index.html", may_upload=_may_upload())
        code = service.normalise_code(typed)
        if code is None:
            return render_template(
                "verify/index.html",
                may_upload=_may_upload(),
                code_error=_(
                    "A verification code has 10 letters and digits, like K7QM2-X9PDT; "
                    "check what you typed."
                ),
                typed=typed,
            ), 422
        return redirect(url_for("verify.document", code=code), 303)
    data, reasons = read_upload(request.files.get("file"), _max_bytes())
    if not reasons and not data:
        reasons = [Reason("upload.empty", N_("The file is empty."))]
    if reasons:
        return render_template(
            "verify/index.html",
            may_upload=_may_upload(),
            upload_errors=[reason_text(r) for r in reasons],
        ), 422
    check = service.check_file(db.session, data)
    facts = _facts(check.document) if check.document is not None else {}
    return render_template(
        "verify/index.html",
        may_upload=_may_upload(),
        check=check,
        filename=request.files["file"].filename,
        **facts,
    )


@bp.route("/<code>", methods=["GET", "POST"])
def document(code: str):  # noqa: ANN201
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
        data, reasons = read_upload(request.files.get("file"), _max_bytes())
        if not reasons and not data:
            reasons = [Reason("upload.empty", N_("The file is empty."))]
        if reasons:
            upload_errors = [reason_text(r) for r in reasons]
            status = 422
        else:
            check = service.check_file(db.session, data, found)
    return render_template(
        "verify/document.html",
        document=found,
        **_facts(found),
        registered=registered,
        stored_ok=stored_ok,
        check=check,
        upload_errors=upload_errors,
        may_upload=_may_upload(),
        filename=request.files["file"].filename if check is not None else None,
    ), status
