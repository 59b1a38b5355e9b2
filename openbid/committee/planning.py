"""Workspace pages of the planning stage (routes on openbid.committee.blueprint.bp).

A new selection, then its plan: posts, committee, schedule, score weights and pass marks,
registration and eligibility parameters. Everyone on the workspace sees the plan; the
secretariat and the admin edit it while the selection is in draft. Every form re-shows what
was typed with the reasons when the service refuses it (422), and nothing is written. The
forms and how they are filled and read are in ``planning_forms``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from openbid import clock
from openbid.auth import roles_required
from openbid.committee.blueprint import bp, load_selection, tab
from openbid.committee.fields import field_errors
from openbid.committee.planning_forms import (
    UNIT_LABELS,
    MemberForm,
    NewSelectionForm,
    PositionForm,
    RegistrationForm,
    ScheduleForm,
    ScoringForm,
    blank_member_form,
    blank_position_form,
    member_form,
    member_input,
    position_form,
    position_input,
    registration_form,
    registration_input,
    saved_position_form,
    saved_registration_form,
    schedule_form,
    schedule_input,
    scoring_form,
    workflow_choices,
)
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import Selection, SelectionEvent
from openbid.rules.committee import OVERRIDABLE_RULES, POSITION_LEVEL_LABELS, PositionLevel
from openbid.rules.eligibility import RANK_NAMES
from openbid.rules.reasons import N_, ValidationFailed
from openbid.rules.scoring import component_label
from openbid.stages import oversight, planning
from openbid.workflow import (
    EventNotAvailable,
    GuardFailed,
    StaleState,
    available_events,
    definition_of,
    fire,
    workflows,
)

tab("committee.planning", N_("Plan"), 10)

PLANNERS = planning.PLAN_ROLES


# --- page -------------------------------------------------------------------------------


def _can_plan(selection: Selection) -> bool:
    return current_user.role in PLANNERS and selection.state == planning.DRAFT


def _blank_forms(
    forms: dict[str, Any], selection: Selection, params: dict, committee: list
) -> dict[str, Any]:
    """Fill in each section's form a POST did not bring back, from what is saved."""
    forms = dict(forms)
    forms.setdefault("position", blank_position_form(selection))
    forms.setdefault("member", blank_member_form(selection, committee))
    forms.setdefault("schedule", schedule_form(selection))
    forms.setdefault("scoring", scoring_form(params))
    forms.setdefault("registration", saved_registration_form(params))
    return forms


def _labels() -> dict[str, Any]:
    """What the page uses to name components, levels, ranks, units and weights."""
    return {
        "components": planning.SCORE_COMPONENTS,
        "component_label": lambda c: _(component_label(c)),
        "level_label": lambda level: _(POSITION_LEVEL_LABELS[PositionLevel(level)]),
        "rank_name": lambda code: RANK_NAMES.get(code, ""),
        "unit_label": lambda unit: _(UNIT_LABELS.get(unit, unit)),
        "percent": planning.percent_text,
        "suggestions": planning.SCHEDULE_SUGGESTIONS,
    }


def _page(
    selection: Selection,
    *,
    forms: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """Render the planning page; forms and errors replace a section's defaults after a POST."""
    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    committee = planning.plan_committee(selection)
    can_plan = _can_plan(selection)
    forms = dict(forms or {})
    if can_plan:
        forms = _blank_forms(forms, selection, params, committee)
    events = [
        e
        for e in available_events(selection, current_user)
        if e.name == SelectionEvent.SUBMIT_FOR_APPROVAL
    ]
    return (
        render_template(
            "committee/planning.html",
            selection=selection,
            definition=definition,
            params=params,
            defaults=definition.parameters,
            positions=planning.plan_posts(selection),
            committee=committee,
            checks=planning.plan_checks(selection, current_user),
            can_plan=can_plan,
            forms=forms,
            errors=errors or {},
            notice=notice,
            events=events,
            returned=oversight.latest_return(db.session, selection),
            exceptions=planning.committee_exceptions(db.session, selection),
            exception_rules=planning.broken_overridable_rules(selection, current_user)
            if can_plan
            else {},
            rule_label=lambda rule: _(OVERRIDABLE_RULES[rule]),
            note_labels=_note_labels(),
            default_closing_time=definition.parameters["registration"]["closing_time"],
            **_labels(),
        ),
        status,
    )


def _note_labels() -> dict[str, str]:
    """Return the oversight body's note items as the planning page names them."""
    return {
        "reason": _("Why it was returned"),
        "posts": _("Posts and requirements"),
        "committee": _("Committee"),
        "schedule": _("Schedule"),
        "methods": _("Methods and weights"),
        "other": _("Other notes"),
    }


def _refused(error: ValidationFailed) -> list[str]:
    return [reason_text(r) for r in error.reasons]


def _done(selection: Selection, message: str, anchor: str):
    flash(message, "success")
    return redirect(url_for("committee.planning", selection_id=selection.id, _anchor=anchor), 303)


@bp.route("/<int:selection_id>/plan", endpoint="planning")
def planning_page(selection_id: int):
    """Show the plan: posts, committee and its composition check, schedule, parameters."""
    return _page(load_selection(selection_id))


def _plannable(selection_id: int) -> Selection:
    selection = load_selection(selection_id)
    if current_user.role not in PLANNERS:
        abort(403)
    return selection


# --- new selection ----------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def new_selection():
    """Create a selection: title, start date, the workflow definition (default by date)."""
    form = NewSelectionForm()
    form.workflow.choices = workflow_choices()
    errors: list[str] = []
    status = 200
    if request.method == "GET":
        form.start_date.data = clock.today_jakarta()
    else:
        errors = [] if form.validate() else field_errors(form)
        # An unreadable start date reaches the service as None: it refuses, writing nothing.
        try:
            selection = planning.start_selection(
                current_user.agency,
                current_user,
                title=form.title.data or "",
                start_date=form.start_date.data,
                workflow=form.workflow.data or None,
            )
        except ValidationFailed as error:
            skip = {"selection.start"} if errors else set()
            errors += [reason_text(r) for r in error.reasons if r.code not in skip]
            status = 422
        else:
            flash(_("The selection was created in draft. Now plan it."), "success")
            return redirect(url_for("committee.planning", selection_id=selection.id), 303)
    default = None
    if form.start_date.data:
        try:
            default = workflows().for_date(form.start_date.data)
        except LookupError:
            default = None
    return (
        render_template(
            "committee/planning_new.html",
            form=form,
            errors=errors,
            definitions=workflows().all(),
            default=default,
        ),
        status,
    )


# --- posts ------------------------------------------------------------------------------


@bp.route("/<int:selection_id>/plan/positions", methods=["POST"])
def add_position(selection_id: int):
    """Add a post to the plan."""
    selection = _plannable(selection_id)
    form = position_form(PositionForm())
    try:
        position = planning.add_position(selection, current_user, position_input(form))
    except ValidationFailed as error:
        return _page(
            selection, forms={"position": form}, errors={"position": _refused(error)}, status=422
        )
    return _done(selection, _("Post added: %(name)s.", name=position.name), "posts")


@bp.route("/<int:selection_id>/plan/positions/<int:position_id>", methods=["GET", "POST"])
def edit_position(selection_id: int, position_id: int):
    """Show and save the form of one post."""
    selection = _plannable(selection_id)
    position = planning.find_post(selection, position_id)
    if position is None:
        abort(404)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = position_form(PositionForm())
        try:
            planning.update_position(selection, current_user, position_id, position_input(form))
        except ValidationFailed as error:
            errors, status = _refused(error), 422
        else:
            return _done(selection, _("Post saved: %(name)s.", name=position.name), "posts")
    else:
        form = saved_position_form(position)
    return (
        render_template(
            "committee/planning_position.html",
            selection=selection,
            position=position,
            form=form,
            errors=errors,
            can_plan=_can_plan(selection),
        ),
        status,
    )


@bp.route("/<int:selection_id>/plan/positions/<int:position_id>/remove", methods=["POST"])
def remove_position(selection_id: int, position_id: int):
    """Remove a post from the plan."""
    selection = _plannable(selection_id)
    try:
        planning.remove_position(selection, current_user, position_id)
    except ValidationFailed as error:
        return _page(selection, errors={"posts": _refused(error)}, status=422)
    return _done(selection, _("The post was removed."), "posts")


# --- committee --------------------------------------------------------------------------


@bp.route("/<int:selection_id>/plan/committee", methods=["POST"])
def seat_member(selection_id: int):
    """Seat an existing committee account or a new person on the committee."""
    selection = _plannable(selection_id)
    seated = planning.plan_committee(selection)
    form = member_form(MemberForm(), planning.committee_candidates(selection, seated))
    try:
        result = planning.seat_member(selection, current_user, member_input(form))
    except ValidationFailed as error:
        return _page(
            selection, forms={"member": form}, errors={"member": _refused(error)}, status=422
        )
    name = result.member.user.name
    if result.initial_password:
        # Shown once, on this page only (not flashed into the session cookie).
        notice = _(
            "%(name)s now has a committee account (%(email)s). Give them this initial"
            " password in person: %(password)s — they can change it with “Forgot password”.",
            name=name,
            email=result.member.user.email,
            password=result.initial_password,
        )
        return _page(selection, notice=notice)
    return _done(selection, _("%(name)s now sits on the committee.", name=name), "committee")


@bp.route("/<int:selection_id>/plan/committee/exceptions", methods=["POST"])
def record_exception(selection_id: int):
    """Record an exception to a broken composition rule, with its justification (engine)."""
    selection = _plannable(selection_id)
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    data = {
        "rule": request.form.get("rule", "").strip()[:60],
        "reason": request.form.get("reason", "").strip()[:4000],
    }
    try:
        fire(
            selection,
            SelectionEvent.RECORD_COMMITTEE_EXCEPTION,
            current_user,
            data,
            expected_version=expected,
        )
    except (GuardFailed, EventNotAvailable, StaleState) as error:
        errors = [reason_text(r) for r in error.reasons]
        return _page(selection, errors={"exception": errors}, status=422)
    return _done(selection, _("The exception was recorded."), "committee")


@bp.route("/<int:selection_id>/plan/committee/<int:member_id>/remove", methods=["POST"])
def remove_member(selection_id: int, member_id: int):
    """Remove a member from the committee."""
    selection = _plannable(selection_id)
    try:
        planning.remove_member(selection, current_user, member_id)
    except ValidationFailed as error:
        return _page(selection, errors={"committee": _refused(error)}, status=422)
    return _done(selection, _("The member was removed from the committee."), "committee")


# --- schedule, scoring, registration ----------------------------------------------------


@bp.route("/<int:selection_id>/plan/schedule", methods=["POST"])
def save_schedule(selection_id: int):
    """Save the whole schedule; empty rows are left out."""
    selection = _plannable(selection_id)
    form = ScheduleForm()
    errors = field_errors(form) if not form.validate() else []
    rows = schedule_input(form)
    if not errors:
        try:
            planning.save_schedule(selection, current_user, rows)
        except ValidationFailed as error:
            errors = _refused(error)
    if errors:
        form.rows.append_entry()
        return _page(selection, forms={"schedule": form}, errors={"schedule": errors}, status=422)
    return _done(selection, _("The schedule was saved."), "schedule")


@bp.route("/<int:selection_id>/plan/scoring", methods=["POST"])
def save_scoring(selection_id: int):
    """Save the score weights and pass marks."""
    selection = _plannable(selection_id)
    form = ScoringForm()
    weights = {c: form[f"weight_{c}"].data for c in planning.SCORE_COMPONENTS}
    marks = {c: form[f"pass_{c}"].data for c in planning.SCORE_COMPONENTS}
    try:
        planning.save_scoring(selection, current_user, weights=weights, pass_marks=marks)
    except ValidationFailed as error:
        return _page(
            selection, forms={"scoring": form}, errors={"scoring": _refused(error)}, status=422
        )
    return _done(selection, _("The score weights and pass marks were saved."), "scoring")


@bp.route("/<int:selection_id>/plan/registration", methods=["POST"])
def save_registration(selection_id: int):
    """Save the registration, extension and eligibility parameters."""
    selection = _plannable(selection_id)
    form = registration_form(RegistrationForm())
    errors = field_errors(form) if not form.validate() else []
    if not errors:
        try:
            planning.save_registration(selection, current_user, registration_input(form))
        except ValidationFailed as error:
            errors = _refused(error)
    if errors:
        return _page(
            selection,
            forms={"registration": form},
            errors={"registration": errors},
            status=422,
        )
    return _done(selection, _("The registration settings were saved."), "registration")
