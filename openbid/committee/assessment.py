"""Workspace pages of the assessment stage (routes on openbid.committee.blueprint.bp).

One page: each post's eligible candidates with their results, editable in place; the
assessment centre's CSV import with its format, a template and the list of bad rows; and
elimination of a candidate with a reason.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from openbid.committee.blueprint import bp, load_application, tab
from openbid.committee.screening import DECIDE_ROLES, VIEW_ROLES, load_for_stage
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import ApplicationEvent, ApplicationState, AuditEvent, Selection, SelectionEvent
from openbid.rules.reasons import N_, ValidationFailed
from openbid.rules.scoring import AssessmentCategory
from openbid.stages import assessment as service
from openbid.workflow import GuardFailed, available_events, definition_of

tab("committee.assessment", N_("Assessment"), 40, roles=VIEW_ROLES)


class ResultForm(FlaskForm):
    """One candidate's results as typed in the page's row (text; the service parses it)."""

    assessment_score = StringField(validators=[Length(max=20)])
    assessment_category = StringField(validators=[Length(max=40)])
    assessed_on = StringField(validators=[Length(max=40)])
    assessment_centre = StringField(validators=[Length(max=300)])
    paper_score = StringField(validators=[Length(max=20)])
    track_record_score = StringField(validators=[Length(max=20)])
    health_fit = StringField(validators=[Length(max=20)])
    psych_fit = StringField(validators=[Length(max=20)])


class ImportForm(FlaskForm):
    """The assessment centre's CSV file."""

    file = FileField()


class EliminateForm(FlaskForm):
    """Eliminating a candidate, with the reason the candidate will read."""

    reason = TextAreaField(validators=[Length(max=4000)])
    version = HiddenField(validators=[DataRequired()])


def _fit_text(value: bool | None) -> str:
    return "" if value is None else ("MS" if value else "TMS")


def _row_values(result) -> dict[str, str]:
    """Return a result's values as the row's inputs show them."""
    if result is None:
        return dict.fromkeys(service.FIELDS, "")
    return {
        "assessment_score": _score_text(result.assessment_score),
        "assessment_category": result.assessment_category or "",
        "assessed_on": result.assessed_on.isoformat() if result.assessed_on else "",
        "assessment_centre": result.assessment_centre or "",
        "paper_score": _score_text(result.paper_score),
        "track_record_score": _score_text(result.track_record_score),
        "health_fit": _fit_text(result.health_fit),
        "psych_fit": _fit_text(result.psych_fit),
    }


def _score_text(value) -> str:
    """Return a score with a decimal comma, as Indonesian users type it: 78,50."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _elimination_reasons(ids: list[int]) -> dict[int, str]:
    """Return the reason each eliminated application was given (one query)."""
    if not ids:
        return {}
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.subject_type == "application",
            AuditEvent.subject_id.in_(ids),
            AuditEvent.event == ApplicationEvent.ELIMINATE,
        )
        .order_by(AuditEvent.id)
    )
    return {e.subject_id: str((e.payload.get("data") or {}).get("reason", "")) for e in events}


def _posts(
    selection: Selection, row_values: dict[int, dict[str, str]] | None
) -> list[dict[str, object]]:
    """Return each post with its candidates' rows and how many are complete or eliminated."""
    items = service.candidates(
        selection, states=(ApplicationState.ELIGIBLE, ApplicationState.ELIMINATED)
    )
    params = definition_of(selection).params(selection.parameters)
    eliminated = _elimination_reasons(
        [i.application.id for i in items if i.application.state == ApplicationState.ELIMINATED]
    )
    by_post: dict[int, list] = defaultdict(list)
    for item in items:
        by_post[item.application.position_id].append(item)
    posts = []
    for position in selection.positions:
        rows = []
        for item in by_post.get(position.id, []):
            live = item.application.state == ApplicationState.ELIGIBLE
            missing = service.missing_components(item.result, params) if live else []
            rows.append(
                {
                    "item": item,
                    "values": (row_values or {}).get(item.application.id)
                    or _row_values(item.result),
                    "missing": [_(service.FIELD_LABELS[name]) for name in missing],
                    "eliminated_reason": eliminated.get(item.application.id, ""),
                }
            )
        live_rows = [r for r in rows if r["item"].application.state == ApplicationState.ELIGIBLE]
        posts.append(
            {
                "position": position,
                "rows": rows,
                "complete": sum(1 for r in live_rows if not r["missing"]),
                "incomplete": sum(1 for r in live_rows if r["missing"]),
                "eliminated": len(rows) - len(live_rows),
            }
        )
    return posts


def _page(
    selection: Selection,
    *,
    row_errors: dict[int, list[str]] | None = None,
    row_values: dict[int, dict[str, str]] | None = None,
    import_problems: list[tuple[int | None, str]] | None = None,
    status: int = 200,
):
    posts = _posts(selection, row_values)
    can_act = current_user.role in DECIDE_ROLES
    rules = service.assessment_rules(selection)
    return (
        render_template(
            "committee/assessment.html",
            selection=selection,
            posts=posts,
            events=[
                e
                for e in available_events(selection, current_user)
                if e.name == SelectionEvent.CLOSE_ASSESSMENT
            ],
            can_edit=can_act and selection.state == service.ASSESSMENT_STAGE,
            can_eliminate=can_act and selection.state in service.ELIMINATION_STAGES,
            row_errors=row_errors or {},
            import_problems=import_problems,
            categories=[
                (c.value, service.CATEGORY_ABBREVIATIONS[c], service.CATEGORY_LABELS[c])
                for c in AssessmentCategory
            ],
            category_label=service.category_label,
            columns=service.TEMPLATE_HEADER,
            rules=rules,
            upload_limit_mb=current_app.config["UPLOAD_MAX_BYTES"] / (1024 * 1024),
        ),
        status,
    )


@bp.route("/<int:selection_id>/assessment")
def assessment(selection_id: int):
    """Show each post's candidates with their assessment results, the import and the buttons."""
    return _page(load_for_stage(selection_id))


@bp.route("/<int:selection_id>/assessment/<int:application_id>", methods=["POST"])
def assessment_save(selection_id: int, application_id: int):
    """Save one candidate's results from their row (partial entries allowed)."""
    selection = load_for_stage(selection_id)
    application = load_application(selection, application_id)
    form = ResultForm()
    if not form.validate_on_submit():
        abort(400)
    values = {name: (getattr(form, name).data or "").strip() for name in service.FIELDS}
    try:
        service.save_result(application, current_user, **values)
    except ValidationFailed as error:
        db.session.rollback()
        db.session.expire_all()
        return _page(
            db.session.get(Selection, selection_id),
            row_errors={application_id: [reason_text(r) for r in error.reasons]},
            row_values={application_id: values},
            status=422,
        )
    flash(_("Results saved for %(name)s.", name=application.candidate.name), "success")
    for warning in service.unusual_scores(values):
        flash(reason_text(warning), "warning")
    return redirect(
        url_for("committee.assessment", selection_id=selection_id, _anchor=f"row-{application_id}"),
        303,
    )


@bp.route("/<int:selection_id>/assessment/import", methods=["POST"])
def assessment_import(selection_id: int):
    """Import an assessment centre's CSV: every row, or nothing with the list of bad rows."""
    selection = load_for_stage(selection_id)
    form = ImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = upload.stream.read(limit + 1) if upload is not None and upload.filename else b""
    filename = (upload.filename if upload is not None else "") or "import.csv"
    try:
        report = service.import_csv(selection, current_user, data, filename)
    except service.ImportFailed as error:
        db.session.rollback()
        db.session.expire_all()
        return _page(
            db.session.get(Selection, selection_id),
            import_problems=[(p.line, reason_text(p.reason)) for p in error.problems],
            status=422,
        )
    except ValidationFailed as error:
        db.session.rollback()
        db.session.expire_all()
        return _page(
            db.session.get(Selection, selection_id),
            import_problems=[(None, reason_text(r)) for r in error.reasons],
            status=422,
        )
    flash(
        _(
            "Imported %(rows)d rows from %(file)s; results changed for %(changed)d candidates.",
            rows=report.rows,
            file=filename,
            changed=report.changed,
        ),
        "success",
    )
    return redirect(url_for("committee.assessment", selection_id=selection_id), 303)


@bp.route("/<int:selection_id>/assessment/template.csv")
def assessment_template(selection_id: int):
    """Download a CSV to fill in: the header and every eligible candidate's NIP and name."""
    selection = load_for_stage(selection_id)
    return Response(
        service.template_csv(selection),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="asesmen-seleksi-{selection.id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/<int:selection_id>/assessment/<int:application_id>/eliminate", methods=["POST"])
def assessment_eliminate(selection_id: int, application_id: int):
    """Eliminate a candidate with a reason (e.g. absent from the assessment)."""
    selection = load_for_stage(selection_id)
    application = load_application(selection, application_id)
    form = EliminateForm()
    if not form.validate_on_submit() or not form.version.data.isdigit():
        abort(400)
    try:
        service.eliminate(
            application,
            current_user,
            form.reason.data or "",
            expected_version=int(form.version.data),
        )
    except (GuardFailed, ValidationFailed) as error:
        db.session.rollback()
        db.session.expire_all()
        return _page(
            db.session.get(Selection, selection_id),
            row_errors={application_id: [reason_text(r) for r in error.reasons]},
            status=422,
        )
    flash(
        _("%(name)s is eliminated from the selection.", name=application.candidate.name), "success"
    )
    return redirect(url_for("committee.assessment", selection_id=selection_id), 303)
