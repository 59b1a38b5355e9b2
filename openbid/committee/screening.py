"""Workspace pages of the screening stage (routes on openbid.committee.blueprint.bp).

The screening page lists every submitted application per post with each eligibility rule's
result, the uploaded documents and the committee's verdict form; documents download through
an authorization-checked route.
"""

from __future__ import annotations

import io
from collections import defaultdict

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from openbid import storage
from openbid.committee.blueprint import bp, load_application, load_selection, tab
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    ApplicationDocument,
    Role,
    Selection,
    SelectionEvent,
    SelectionState,
    User,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.rules.reasons import N_, ValidationFailed
from openbid.stages import screening as screening_service
from openbid.workflow import GuardFailed, available_events, definition_of

# Candidates' files and eligibility details are for those who run the selection; the PPK
# sees the outcome (the three best), not every applicant's papers.
VIEW_ROLES = (Role.SECRETARIAT, Role.COMMITTEE, Role.ADMIN)
DECIDE_ROLES = (Role.SECRETARIAT, Role.COMMITTEE)
STAGE = SelectionState.ADMINISTRATIVE_SCREENING
tab("committee.screening", N_("Screening"), 30, roles=VIEW_ROLES)


class VerdictForm(FlaskForm):
    """The committee's verdict on one application."""

    passed = StringField(validators=[AnyOf(["1", "0"])])
    reason = TextAreaField(validators=[Length(max=4000)])
    version = HiddenField(validators=[DataRequired()])


def load_for_stage(selection_id: int) -> Selection:
    """Return the selection if the current user may see its screening and assessment pages.

    :raises NotFound: when the selection is not visible to the user.
    :raises Forbidden: for a role that does not screen or assess (the PPK).
    """
    selection = load_selection(selection_id)
    if current_user.role not in VIEW_ROLES:
        abort(403)
    return selection


def document_label(code: str) -> str:
    """Return a document type's name in the current language."""
    doc = REQUIRED_DOCUMENTS.get(code)
    return _(doc.label) if doc else code


def _page(selection: Selection, *, errors=None, values=None, status: int = 200):
    applications = screening_service.applications_to_screen(selection)
    screened = screening_service.screen(selection, applications)
    by_post: dict[int, list[screening_service.Screened]] = defaultdict(list)
    for item in screened:
        by_post[item.application.position_id].append(item)
    posts = [
        {
            "position": p,
            "items": by_post.get(p.id, []),
            "counts": screening_service.counts(by_post.get(p.id, [])),
        }
        for p in selection.positions
    ]
    decider_ids = {item.verdict.decided_by_id for item in screened if item.verdict is not None}
    deciders = (
        dict(
            db.session.execute(sa.select(User.id, User.name).where(User.id.in_(decider_ids))).all()
        )
        if decider_ids
        else {}
    )
    events = [
        e
        for e in available_events(selection, current_user)
        if e.name == SelectionEvent.CLOSE_SCREENING
    ]
    can_decide = current_user.role in DECIDE_ROLES and selection.state == STAGE
    return (
        render_template(
            "committee/screening.html",
            selection=selection,
            posts=posts,
            totals=screening_service.counts(screened),
            deciders=deciders,
            events=events,
            can_decide=can_decide,
            errors=errors or {},
            values=values or {},
            rule_label=lambda rule: (
                document_label(rule.removeprefix("document."))
                if rule.startswith("document.")
                else _(screening_service.rule_label(rule))
            ),
            document_label=document_label,
            app_state=lambda state: _(
                definition_of(selection).machine("application").state_label(state)
            ),
        ),
        status,
    )


@bp.route("/<int:selection_id>/screening")
def screening(selection_id: int):
    """Show every application per post with its rules, documents and verdict."""
    return _page(load_for_stage(selection_id))


@bp.route("/<int:selection_id>/screening/<int:application_id>/verdict", methods=["POST"])
def screening_verdict(selection_id: int, application_id: int):
    """Record the committee's verdict on one application through the workflow engine."""
    selection = load_for_stage(selection_id)
    application = load_application(selection, application_id)
    form = VerdictForm()
    if not form.validate_on_submit() or not form.version.data.isdigit():
        abort(400)
    passed = form.passed.data == "1"
    reason = (form.reason.data or "").strip()
    try:
        screening_service.record_verdict(
            application,
            current_user,
            passed,
            reason,
            expected_version=int(form.version.data),
        )
    except (GuardFailed, ValidationFailed) as error:
        db.session.rollback()
        db.session.expire_all()
        return _page(
            load_selection(selection_id),
            errors={application_id: [reason_text(r) for r in error.reasons]},
            values={application_id: {"passed": form.passed.data, "reason": reason}},
            status=422,
        )
    name = application.candidate.name
    if passed:
        flash(_("%(name)s passes administrative screening.", name=name), "success")
    else:
        flash(_("%(name)s does not pass administrative screening.", name=name), "success")
    return redirect(
        url_for("committee.screening", selection_id=selection_id, _anchor=f"app-{application_id}"),
        303,
    )


@bp.route("/<int:selection_id>/applications/<int:application_id>/documents/<int:document_id>")
def application_document(selection_id: int, application_id: int, document_id: int):
    """Send an applicant's uploaded document to staff who may screen this selection."""
    selection = load_for_stage(selection_id)
    load_application(selection, application_id)
    document = db.session.get(ApplicationDocument, document_id)
    if document is None or document.application_id != application_id:
        abort(404)
    response = send_file(
        io.BytesIO(storage.read(document.file)),
        mimetype=document.file.content_type,
        as_attachment=True,
        download_name=document.original_name or f"{document.doc_type}.pdf",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
