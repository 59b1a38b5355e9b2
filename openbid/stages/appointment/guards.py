"""Guards of the appointment stage (see openbid.stages).

The frozen ShortlistResult is the only source of who is among the three best: nobody can
shortlist, unshortlist or appoint by hand against it.
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid.models import Application, ApplicationState, Selection
from openbid.rules.reasons import N_, Reason
from openbid.stages.appointment.checks import APPOINTMENT_STATE
from openbid.stages.appointment.conditions import recommendation_reasons, shortage_reasons
from openbid.stages.common.shortlists import current_result
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


def _not_frozen(post: str) -> Reason:
    return Reason(
        "appointment.not_frozen",
        N_(
            "The three best of %(post)s have not been frozen yet; that happens when the"
            " interviews close."
        ),
        {"post": post},
    )


@guard("matches_frozen_shortlist")
def matches_frozen_shortlist(ctx: Context) -> Reason | None:
    """Hold when the move agrees with the post's latest frozen result (shortlist or not)."""
    application: Application = ctx.row
    post = application.position.name
    result = current_result(ctx.session, application.position_id)
    if result is None:
        return _not_frozen(post)
    listed = application.id in result.shortlist
    params = {"name": application.candidate.name, "post": post, "revision": result.revision}
    if ctx.transition.dest == ApplicationState.SHORTLISTED and not listed:
        return Reason(
            "appointment.not_in_frozen",
            N_("%(name)s is not among the three best of %(post)s in revision %(revision)d."),
            params,
        )
    if ctx.transition.dest != ApplicationState.SHORTLISTED and listed:
        return Reason(
            "appointment.in_frozen",
            N_("%(name)s is among the three best of %(post)s in revision %(revision)d."),
            params,
        )
    return None


@guard("in_shortlist")
def in_shortlist(ctx: Context) -> Reason | None:
    """Hold when the candidate is among the post's three best (current frozen revision)."""
    application: Application = ctx.row
    post = application.position.name
    result = current_result(ctx.session, application.position_id)
    if result is None:
        return _not_frozen(post)
    if application.id in result.shortlist:
        return None
    return Reason(
        "appointment.not_in_shortlist",
        N_("%(name)s is not among the three best for %(post)s."),
        {"name": application.candidate.name, "post": post},
    )


@guard("selection_in_appointment")
def selection_in_appointment(ctx: Context) -> Reason | None:
    """Hold when the selection is at the appointment stage (the PPK picks only then)."""
    selection: Selection = ctx.selection
    if selection.state == APPOINTMENT_STATE:
        return None
    return Reason(
        "appointment.stage",
        N_("The appointing official picks only at the appointment stage."),
    )


def _appointee_name(ctx: Context, position_id: int) -> str | None:
    application = ctx.session.scalar(
        sa.select(Application).where(
            Application.position_id == position_id,
            Application.state == ApplicationState.APPOINTED,
            Application.id != ctx.row.id,
        )
    )
    return application.candidate.name if application is not None else None


@guard("post_not_yet_filled")
def post_not_yet_filled(ctx: Context) -> Reason | None:
    """Hold when nobody has been appointed to the candidate's post yet."""
    application: Application = ctx.row
    name = _appointee_name(ctx, application.position_id)
    if name is None:
        return None
    return Reason(
        "appointment.post_filled",
        N_("%(post)s is already filled: %(name)s was appointed."),
        {"post": application.position.name, "name": name},
    )


@guard("post_already_filled")
def post_already_filled(ctx: Context) -> Reason | None:
    """Hold when someone else was appointed to the post, so the others are not appointed."""
    application: Application = ctx.row
    if _appointee_name(ctx, application.position_id) is not None:
        return None
    return Reason(
        "appointment.post_open",
        N_(
            "%(name)s can be marked not appointed only after the appointing official has"
            " appointed someone to %(post)s."
        ),
        {"name": application.candidate.name, "post": application.position.name},
    )


@guard("shortlist_sufficient_or_overridden")
def shortlist_sufficient_or_overridden(ctx: Context) -> list[Reason]:
    """Hold when each post concerned has its full three best or an override on file.

    On an application: its post; on the selection: every open post.
    """
    only = [ctx.row.position_id] if isinstance(ctx.row, Application) else None
    return shortage_reasons(ctx.session, ctx.selection, ctx.params, only)


@guard("result_recommendation_recorded")
def result_recommendation_recorded(ctx: Context) -> list[Reason]:
    """Hold when the oversight body's word on the current results is on file."""
    return recommendation_reasons(ctx.session, ctx.selection)
