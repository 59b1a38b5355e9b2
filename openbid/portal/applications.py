"""Open selections, applying, documents, submitting, withdrawing, and the timeline."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from openbid import clock, storage
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    Position,
    Selection,
)
from openbid.portal.blueprint import bp, load_own_application
from openbid.rules.eligibility import RANK_NAMES
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import applications as portal
from openbid.workflow import GuardFailed, available_events, definition_of, fire


@bp.route("/")
def index():
    """Show the candidate's home: what is missing, and each application's status."""
    return render_template("portal/index.html", board=portal.dashboard(current_user))


def _render_selections(failed: tuple[Position, list[Reason]] | None = None, status: int = 200):
    selections = portal.open_selections()
    position_ids = [p.id for s in selections for p in s.positions]
    mine = {}
    if position_ids:
        mine = {
            a.position_id: a
            for a in db.session.scalars(
                sa.select(Application).where(
                    Application.candidate_id == current_user.id,
                    Application.position_id.in_(position_ids),
                )
            )
        }
    return (
        render_template(
            "portal/selections.html",
            selections=selections,
            mine=mine,
            documents={s.id: portal.required_documents(s) for s in selections},
            rules={s.id: portal.eligibility_summary(s) for s in selections},
            failed=failed,
            rank_names=RANK_NAMES,
        ),
        status,
    )


@bp.route("/selections")
def selections():
    """List the selections taking applications now, with their posts and deadlines."""
    return _render_selections()


@bp.route("/positions/<int:position_id>/apply", methods=["POST"])
def apply(position_id: int):
    """Start an application to a post, then go to it to upload the documents."""
    position = db.session.scalar(
        sa.select(Position)
        .where(Position.id == position_id)
        .options(joinedload(Position.selection).joinedload(Selection.agency))
    )
    if position is None:
        abort(404)
    try:
        application = portal.start_application(current_user, position)
    except ValidationFailed as error:
        db.session.rollback()
        return _render_selections((position, error.reasons), 422)
    flash(
        _(
            "Your application to %(post)s is started. Upload the documents, then submit it "
            "before the deadline.",
            post=position.name,
        ),
        "success",
    )
    return redirect(url_for("portal.application_detail", application_id=application.id), 303)


def _render_detail(
    application: Application,
    *,
    status: int = 200,
    upload_errors: dict[str, list[Reason]] | None = None,
    action_errors: list[Reason] | None = None,
    uploaded: list[str] | None = None,
):
    selection = application.position.selection
    timeline = portal.timelines([application])[application.id]
    events = {e.name: e for e in available_events(application, current_user)}
    return (
        render_template(
            "portal/application.html",
            application=application,
            position=application.position,
            selection=selection,
            timeline=timeline,
            app_machine=definition_of(selection).machine("application"),
            required=portal.required_documents(selection),
            current=portal.current_documents(application),
            history=portal.document_history(application),
            submit_event=events.get(ApplicationEvent.SUBMIT),
            withdraw_event=events.get(ApplicationEvent.WITHDRAW),
            registration_problem=portal.registration_reason(selection),
            upload_errors=upload_errors or {},
            uploaded=uploaded or [],
            action_errors=[reason_text(r) for r in action_errors or []],
            max_mb=current_app.config["UPLOAD_MAX_BYTES"] / (1024 * 1024),
        ),
        status,
    )


@bp.route("/applications/<int:application_id>")
def application_detail(application_id: int):
    """Show one of the candidate's applications: documents, actions and timeline."""
    return _render_detail(load_own_application(application_id))


def _wants_json() -> bool:
    # The page's upload script asks for JSON to show each file's result in place.
    return request.accept_mimetypes.best == "application/json"


def _store(application: Application, doc_type: str, upload) -> list[Reason]:
    """Upload one document in its own transaction; return why it was refused, if it was."""
    try:
        portal.upload_document(
            application, current_user, doc_type, upload, current_app.config["UPLOAD_MAX_BYTES"]
        )
    except ValidationFailed as error:
        db.session.rollback()
        return error.reasons
    return []


@bp.route("/applications/<int:application_id>/documents/<doc_type>", methods=["POST"])
def upload(application_id: int, doc_type: str):
    """Upload (or replace) one required document as PDF (JSON answer for the page's script)."""
    application = load_own_application(application_id)
    reasons = _store(application, doc_type, request.files.get("file"))
    if _wants_json():
        if reasons:
            return jsonify(ok=False, errors=[reason_text(r) for r in reasons]), 422
        return jsonify(ok=True, message=_("Uploaded"))
    if reasons:
        if application.state != ApplicationState.DRAFT:  # no upload forms: say it at the top
            return _render_detail(application, status=422, action_errors=reasons)
        return _render_detail(application, status=422, upload_errors={doc_type: reasons})
    flash(_("The document is uploaded."), "success")
    return redirect(
        url_for("portal.application_detail", application_id=application.id, _anchor="documents"),
        303,
    )


@bp.route("/applications/<int:application_id>/documents", methods=["POST"])
def upload_many(application_id: int):
    """Upload every document chosen on the page's one form; each file is all or nothing.

    A refused file leaves the others uploaded; the page names each file's result.
    """
    application = load_own_application(application_id)
    chosen = [
        (doc, request.files.get(f"file-{doc.code}"))
        for doc in portal.required_documents(application.position.selection)
    ]
    chosen = [(doc, file) for doc, file in chosen if file is not None and file.filename]
    if not chosen:
        problem = Reason("upload.none_chosen", N_("Choose at least one file to upload."))
        return _render_detail(application, status=422, action_errors=[problem])
    errors, uploaded = {}, []
    for doc, file in chosen:
        reasons = _store(application, doc.code, file)
        if reasons:
            errors[doc.code] = reasons
        else:
            uploaded.append(doc.name_id)
    if errors:
        if application.state != ApplicationState.DRAFT:
            first = next(iter(errors.values()))
            return _render_detail(application, status=422, action_errors=first)
        return _render_detail(application, status=422, upload_errors=errors, uploaded=uploaded)
    flash(
        ngettext("%(num)d document is uploaded.", "%(num)d documents are uploaded.", len(uploaded)),
        "success",
    )
    return redirect(
        url_for("portal.application_detail", application_id=application.id, _anchor="documents"),
        303,
    )


@bp.route("/applications/<int:application_id>/documents/<int:document_id>/download")
def download(application_id: int, document_id: int):
    """Send one of the candidate's own uploaded files (404 for anything else)."""
    application = load_own_application(application_id)
    document = db.session.scalar(
        sa.select(ApplicationDocument)
        .where(
            ApplicationDocument.id == document_id,
            ApplicationDocument.application_id == application.id,
        )
        .options(joinedload(ApplicationDocument.file))
    )
    if document is None:
        abort(404)
    name = document.original_name
    if not name.lower().endswith(".pdf"):
        name = f"{document.doc_type}.pdf"
    response = send_file(
        io.BytesIO(storage.read(document.file)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _expected_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
def submit(application_id: int):
    """Submit the application through the workflow engine (its guards say what is missing).

    In time or not is decided by the moment the request arrived, taken first.
    """
    received = clock.now()
    application = load_own_application(application_id)
    try:
        portal.submit_application(
            application, current_user, received=received, expected_version=_expected_version()
        )
    except GuardFailed as error:
        return _render_detail(application, status=422, action_errors=error.reasons)
    flash(
        _("Your application is submitted. Follow its progress on this page."),
        "success",
    )
    return redirect(url_for("portal.application_detail", application_id=application.id), 303)


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
def withdraw(application_id: int):
    """Withdraw the application, after the candidate ticked that they mean it."""
    application = load_own_application(application_id)
    expected = _expected_version()
    if request.form.get("confirm") != "1":
        problem = Reason(
            "application.withdraw_unconfirmed",
            N_("Tick the box to confirm that you withdraw; a withdrawal cannot be undone."),
        )
        return _render_detail(application, status=422, action_errors=[problem])
    try:
        fire(application, ApplicationEvent.WITHDRAW, current_user, expected_version=expected)
    except GuardFailed as error:
        return _render_detail(application, status=422, action_errors=error.reasons)
    flash(_("Your application is withdrawn."), "info")
    return redirect(url_for("portal.application_detail", application_id=application.id), 303)
