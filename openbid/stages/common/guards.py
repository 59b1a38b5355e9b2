"""Named guards: conditions a transition needs, each returning the reasons it fails.

A guard takes the engine's Context and returns None (holds), a Reason, or a list of Reasons.
Guards read; they never write.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from openbid.models import (
    Application,
    ApplicationState,
    CommitteeException,
    CommitteeMember,
    Position,
)
from openbid.rules.committee import CommitteeParams, MemberInfo, check_composition, waive
from openbid.rules.reasons import N_, Reason
from openbid.stages.common.posts import open_post_counts
from openbid.stages.common.shortlists import vacant_by_approval
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


@guard("has_positions")
def has_positions(ctx: Context) -> Reason | None:
    """Hold when the selection has at least one post to fill."""
    count = ctx.session.scalar(
        sa.select(sa.func.count(Position.id)).where(Position.selection_id == ctx.selection.id)
    )
    if count:
        return None
    return Reason("selection.no_positions", N_("The selection has no post to fill yet."))


@guard("committee_composition_valid")
def committee_composition_valid(ctx: Context) -> list[Reason]:
    """Hold when the committee meets the composition rules, or a recorded exception waives one."""
    excepted = ctx.session.scalars(
        sa.select(CommitteeException.rule).where(
            CommitteeException.selection_id == ctx.selection.id
        )
    )
    return waive(committee_composition_reasons(ctx), excepted)


def committee_composition_reasons(ctx: Context) -> list[Reason]:
    """Return every composition rule the committee breaks, whether excepted or not."""
    members = ctx.session.scalars(
        sa.select(CommitteeMember)
        .where(CommitteeMember.selection_id == ctx.selection.id)
        .options(sa.orm.joinedload(CommitteeMember.user))
    ).all()
    levels = ctx.session.scalars(
        sa.select(Position.level).where(Position.selection_id == ctx.selection.id)
    ).all()
    rules = ctx.params["committee"]
    bkn_from = rules.get("bkn_excluded_from")
    params = CommitteeParams(
        on_date=ctx.selection.start_date,
        min_size=int(rules["min_size"]),
        max_size=int(rules["max_size"]),
        max_internal_share=Decimal(str(rules["max_internal_share"])),
        bkn_officials_excluded_from=date.fromisoformat(str(bkn_from)) if bkn_from else None,
    )
    infos = [
        MemberInfo(
            name=m.user.name,
            is_internal=m.is_internal,
            position_level=m.position_level,
            role=str(m.committee_role),
            is_bkn_official=m.is_bkn_official,
        )
        for m in members
    ]
    # Internal members must match the most senior post being filled.
    return check_composition(infos, max(levels, default=2), params)


@guard("positions_have_min_applicants")
def positions_have_min_applicants(ctx: Context) -> list[Reason]:
    """Hold when every open post has at least the minimum of submitted applications.

    Dropped posts no longer count: they are out of the selection.
    """
    minimum = int(ctx.params["min_applicants_per_post"])
    rows = open_post_counts(ctx.session, ctx.selection.id, ApplicationState.SUBMITTED)
    return [
        Reason(
            "announcement.too_few_applicants",
            N_("%(post)s has %(count)d applicants; at least %(minimum)d are needed."),
            {"post": name, "count": count, "minimum": minimum},
        )
        for name, count in rows
        if count < minimum
    ]


@guard("all_applications_screened")
def all_applications_screened(ctx: Context) -> Reason | None:
    """Hold when no submitted application is still waiting for its screening verdict."""
    waiting = ctx.session.scalar(
        sa.select(sa.func.count(Application.id))
        .join(Position)
        .where(
            Position.selection_id == ctx.selection.id,
            Application.state == ApplicationState.SUBMITTED,
        )
    )
    if not waiting:
        return None
    return Reason(
        "screening.pending",
        N_("%(count)d applications still have no screening verdict."),
        {"count": waiting},
    )


@guard("appointees_chosen")
def appointees_chosen(ctx: Context) -> list[Reason]:
    """Hold when the PPK has appointed one candidate for every open post.

    Dropped posts are not filled; a post where nobody qualified may stay vacant when its
    override is on file (it is filled by a new selection).
    """
    appointed = sa.func.count(Application.id).filter(
        Application.state == ApplicationState.APPOINTED
    )
    rows = ctx.session.execute(
        sa.select(Position.id, Position.name, appointed)
        .outerjoin(Application, Application.position_id == Position.id)
        .where(Position.selection_id == ctx.selection.id, Position.dropped_at.is_(None))
        .group_by(Position.id, Position.name)
        .order_by(Position.id)
    ).all()
    vacant = vacant_by_approval(ctx.session, ctx.selection)
    return [
        Reason(
            "appointment.not_chosen",
            N_("The appointing official has not chosen anyone for %(post)s yet."),
            {"post": name},
        )
        for position_id, name, count in rows
        if count != 1 and not (count == 0 and position_id in vacant)
    ]
