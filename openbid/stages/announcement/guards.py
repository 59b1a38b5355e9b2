"""Guards of the approval and announcement stages (see openbid.stages).

Time comes from ``openbid.clock`` so tests can move it.
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid import clock
from openbid.i18n import short_wib
from openbid.models import Position, RegistrationExtension
from openbid.rules.reasons import N_, Reason
from openbid.stages.announcement.extensions import unlinked_extension_approval
from openbid.stages.announcement.gates import gate_statuses, missing_gate_reasons
from openbid.stages.announcement.posts import min_applicants, short_positions
from openbid.stages.announcement.window import extension_settings
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


@guard("approval_gates_recorded")
def approval_gates_recorded(ctx: Context) -> list[Reason]:
    """Hold when every approval gate required for the selection today has its letter."""
    statuses = gate_statuses(
        ctx.session, ctx.selection, ctx.definition, ctx.params, clock.today_jakarta()
    )
    return missing_gate_reasons(statuses)


@guard("registration_closed")
def registration_closed(ctx: Context) -> Reason | None:
    """Hold once the registration window (with its extensions) has closed."""
    closes_at = ctx.selection.registration_closes_at
    if closes_at is None:
        return Reason("announcement.not_opened", N_("Registration has not been opened yet."))
    if clock.now() < closes_at:
        return Reason(
            "announcement.still_open",
            N_("Registration is open until %(closes)s; wait until it has closed."),
            {"closes": short_wib(closes_at)},
        )
    return None


@guard("short_posts_exist")
def short_posts_exist(ctx: Context) -> Reason | None:
    """Hold when at least one open post has fewer submitted applications than the minimum."""
    if short_positions(ctx.session, ctx.selection, ctx.params):
        return None
    return Reason(
        "announcement.no_short_posts",
        N_("Every open post has at least %(minimum)d applicants; no extension is needed."),
        {"minimum": min_applicants(ctx.params)},
    )


@guard("extensions_left")
def extensions_left(ctx: Context) -> Reason | None:
    """Hold while the selection has been extended fewer times than ``extension.max_count``."""
    _, _, maximum = extension_settings(ctx.params)
    done = ctx.session.scalar(
        sa.select(sa.func.count(RegistrationExtension.id)).where(
            RegistrationExtension.selection_id == ctx.selection.id
        )
    )
    if done < maximum:
        return None
    return Reason(
        "announcement.extensions_used",
        N_(
            "Registration was already extended %(count)d times; the definition allows at most"
            " %(maximum)d."
        ),
        {"count": done, "maximum": maximum},
    )


@guard("extension_approval_recorded")
def extension_approval_recorded(ctx: Context) -> Reason | None:
    """Hold when an approval letter for an extension is on file and not used yet."""
    if unlinked_extension_approval(ctx.session, ctx.selection.id) is not None:
        return None
    return Reason(
        "announcement.extension_unapproved",
        N_("Record the %(authority)s approval letter for this extension first."),
        {"authority": ctx.definition.oversight_body},
    )


@guard("position_short")
def position_short(ctx: Context) -> Reason | None:
    """Hold when the post in ``data["position_id"]`` is open, ours, and below the minimum.

    Without a post chosen yet (a button being drawn), hold when some open post is short.
    """
    raw = ctx.data.get("position_id")
    short = short_positions(ctx.session, ctx.selection, ctx.params)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if short:
            return None
        return Reason(
            "announcement.no_short_posts_to_drop",
            N_("No open post is short of applicants; there is nothing to drop."),
        )
    try:
        position_id = int(raw)
    except (TypeError, ValueError):
        return Reason("announcement.bad_post", N_("Choose a post of this selection."))
    position = ctx.session.get(Position, position_id)
    if position is None or position.selection_id != ctx.selection.id:
        return Reason("announcement.bad_post", N_("Choose a post of this selection."))
    if not position.is_open:
        return Reason(
            "announcement.post_dropped",
            N_("%(post)s was already dropped."),
            {"post": position.name},
        )
    count = next((n for p, n in short if p.id == position.id), None)
    if count is None:
        return Reason(
            "announcement.post_not_short",
            N_("%(post)s has enough applicants (at least %(minimum)d); it cannot be dropped."),
            {"post": position.name, "minimum": min_applicants(ctx.params)},
        )
    return None


@guard("has_open_positions")
def has_open_positions(ctx: Context) -> Reason | None:
    """Hold when at least one post of the selection has not been dropped."""
    open_posts = ctx.session.scalar(
        sa.select(sa.func.count(Position.id)).where(
            Position.selection_id == ctx.selection.id, Position.dropped_at.is_(None)
        )
    )
    if open_posts:
        return None
    return Reason(
        "announcement.no_open_posts",
        N_("Every post of this selection was dropped; it cannot go on and can only be cancelled."),
    )
