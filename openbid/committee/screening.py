"""Workspace pages of the screening stage (routes on openbid.committee.blueprint.bp).

The screening page lists every submitted application per post with each eligibility rule's
result, the uploaded documents and the committee's verdict form; documents download through
an authorization-checked route.
"""

from __future__ import annotations

import io
from collections import defaultdict
from urllib.parse import parse_qsl

import sqlalchemy as sa
from flask import (
    abort,
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
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
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
# The bulk form's "scope" for every rule-clean application the page showed.
ALL_ON_PAGE = "page"
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


def _deciders(items: list[screening_service.Screened]) -> dict[int, str]:
    """Return the names of who gave the verdicts shown, by user id (one query)."""
    ids = {item.verdict.decided_by_id for item in items if item.verdict is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def _rule_label(rule: str) -> str:
    if rule.startswith("document."):
        return document_label(rule.removeprefix("document."))
    return _(screening_service.rule_label(rule))


def _rule_choices() -> list[tuple[str, str]]:
    """Return the rules one can filter the list by (code, label), documents last."""
    rules = [r for r in screening_service.RULE_LABELS if r != "health"]
    rules += [f"document.{code}" for code in REQUIRED_DOCUMENTS]
    return [(rule, _rule_label(rule)) for rule in rules]


def _row_context(selection: Selection, items, filters, errors=None, values=None) -> dict:
    """Return what one applicant's row needs, for the whole page and for a single row."""
    return {
        "selection": selection,
        "deciders": _deciders(items),
        "can_decide": current_user.role in DECIDE_ROLES and selection.state == STAGE,
        "errors": errors or {},
        "values": values or {},
        "filters": filters,
        "rule_label": _rule_label,
        "document_label": document_label,
        "app_state": lambda state: _(
            definition_of(selection).machine("application").state_label(state)
        ),
    }


def _page(
    selection: Selection,
    filters,
    *,
    errors=None,
    values=None,
    status: int = 200,
    bulk_refusals=None,
    bulk_message: str = "",
    bulk_picked=(),
    bulk_all=None,
):
    page = screening_service.listing(selection, filters)
    by_post: dict[int, list[screening_service.Screened]] = defaultdict(list)
    for item in page.items:
        by_post[item.application.position_id].append(item)
    empty = {"pending": 0, "eligible": 0, "ineligible": 0, "other": 0}
    posts = [
        {"position": p, "items": by_post.get(p.id, []), "counts": page.counts.get(p.id, empty)}
        for p in selection.positions
    ]
    totals = {k: sum(post["counts"][k] for post in posts) for k in empty}
    events = [
        e
        for e in available_events(selection, current_user)
        if e.name == SelectionEvent.CLOSE_SCREENING
    ]
    return (
        render_template(
            "committee/screening.html",
            posts=posts,
            totals=totals,
            events=events,
            listing=page,
            statuses=list(screening_service.STATUSES),
            rule_choices=_rule_choices(),
            bulk_refusals=bulk_refusals or [],
            bulk_message=bulk_message,
            bulk_picked=set(bulk_picked),
            bulk_all=bulk_all or {},
            **_row_context(selection, page.items, filters, errors, values),
        ),
        status,
    )


@bp.route("/<int:selection_id>/screening")
def screening(selection_id: int):
    """Show one page of the applications, filtered, with their rules, documents and verdicts."""
    selection = load_for_stage(selection_id)
    return _page(selection, screening_service.Filters.from_args(request.args))


def _back_filters() -> screening_service.Filters:
    """Return the list's filters and page the verdict form was sent from."""
    return screening_service.Filters.from_args(MultiDict(parse_qsl(request.form.get("back", ""))))


def _wants() -> str:
    """Return how to answer a verdict: "json", "row" (a fetch for HTML) or "page"."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    ):
        return "json"
    return "row" if request.headers.get("X-Requested-With") == "fetch" else "page"


def _row_answer(
    selection: Selection,
    application,
    filters,
    *,
    status=200,
    errors=None,
    values=None,
    message: str = "",
):
    """Answer a fetch with the applicant's row only: JSON, or its HTML fragment."""
    (item,) = screening_service.screen(selection, [application])
    if _wants() == "json":
        verdict = item.verdict
        body = {
            "id": application.id,
            "state": application.state,
            "version": application.version,
            "rules_passed": item.rules_passed,
            "verdict": None
            if verdict is None
            else {
                "passed": verdict.passed,
                "overridden": verdict.overridden,
                "reason": verdict.reason,
            },
            "message": message,
            "errors": (errors or {}).get(application.id, []),
        }
        return jsonify(body), status
    html = render_template(
        "committee/screening_row.html",
        item=item,
        message=message,
        **_row_context(selection, [item], filters, errors, values),
    )
    return html, status


@bp.route("/<int:selection_id>/screening/<int:application_id>/verdict", methods=["POST"])
def screening_verdict(selection_id: int, application_id: int):
    """Record the committee's verdict on one application through the workflow engine.

    A form post returns to the same page and filters, at the applicant; a fetch (``Accept:
    application/json``, or ``X-Requested-With: fetch`` for HTML) gets the updated row only.
    """
    selection = load_for_stage(selection_id)
    application = load_application(selection, application_id)
    form = VerdictForm()
    if not form.validate_on_submit() or not form.version.data.isdigit():
        abort(400)
    passed = form.passed.data == "1"
    reason = (form.reason.data or "").strip()
    filters = _back_filters()
    try:
        screening_service.record_verdict(
            application, current_user, passed, reason, expected_version=int(form.version.data)
        )
    except (GuardFailed, ValidationFailed) as error:
        db.session.rollback()
        db.session.expire_all()
        return _refused(selection_id, application_id, filters, error, form.passed.data, reason)
    name = application.candidate.name
    if passed:
        message = _("%(name)s passes administrative screening.", name=name)
    else:
        message = _("%(name)s does not pass administrative screening.", name=name)
    if _wants() != "page":
        return _row_answer(selection, application, filters, message=message)
    flash(message, "success")
    return redirect(
        url_for(
            "committee.screening",
            selection_id=selection_id,
            **filters.args(),
            _anchor=f"app-{application_id}",
        ),
        303,
    )


def _refused(selection_id: int, application_id: int, filters, error, passed: str, reason: str):
    """Answer a refused verdict with its reasons: the row for a fetch, else the page (422)."""
    errors = {application_id: [reason_text(r) for r in error.reasons]}
    values = {application_id: {"passed": passed, "reason": reason}}
    selection = load_selection(selection_id)
    if _wants() != "page":
        application = load_application(selection, application_id)
        return _row_answer(
            selection, application, filters, status=422, errors=errors, values=values
        )
    return _page(selection, filters, errors=errors, values=values, status=422)


def _picks(field: str = "pick") -> dict[int, int] | None:
    """Return the chosen applications (id → version seen) of a bulk form, None if malformed."""
    picks: dict[int, int] = {}
    for value in request.form.getlist(field):
        ident, _sep, version = value.partition(":")
        if not (ident.isdigit() and version.isdigit()):
            return None
        picks[int(ident)] = int(version)
    return picks


@bp.route("/<int:selection_id>/screening/confirm", methods=["POST"])
def screening_confirm(selection_id: int):
    """Confirm the chosen rule-clean applications as eligible, all in one transaction or none.

    :raises Forbidden: 403 for a role or person who may not give single verdicts either.
    """
    selection = load_for_stage(selection_id)
    # "Confirm all rule-clean on this page" (the button without JavaScript) sends every
    # rule-clean application the page showed, as seen, and asks once more before recording.
    every = request.form.get("scope") == ALL_ON_PAGE
    picks = _picks("page_pick" if every else "pick")
    if not FlaskForm().validate_on_submit() or picks is None:
        abort(400)
    filters = _back_filters()
    if not picks:
        message = _("Choose at least one application to confirm.")
        return _page(selection, filters, status=422, bulk_message=message)
    if every:
        return _page(selection, filters, bulk_all=picks, bulk_picked=picks)
    try:
        confirmed = screening_service.confirm_eligible(selection, current_user, picks)
    except screening_service.BulkRefused as refused:
        db.session.expire_all()
        return _page(
            selection, filters, status=422, bulk_refusals=refused.refusals, bulk_picked=picks
        )
    except GuardFailed as error:
        db.session.expire_all()
        message = "; ".join(reason_text(r) for r in error.reasons)
        return _page(selection, filters, status=422, bulk_message=message, bulk_picked=picks)
    flash(
        ngettext(
            "%(num)d application passes administrative screening.",
            "%(num)d applications pass administrative screening.",
            confirmed,
        ),
        "success",
    )
    return redirect(
        url_for("committee.screening", selection_id=selection_id, **filters.args()), 303
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
