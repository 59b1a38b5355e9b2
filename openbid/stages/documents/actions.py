"""Actions that issue each stage's documents (see openbid.stages).

They run last on their transitions, after the actions that write the stage's data
(registration window, extension, verdicts, frozen rankings, appointments), inside fire()'s
transaction: each document is numbered and registered ``pending`` with its context frozen
(a context that fails to build rolls the whole transition back, numbers included), and its
id is appended to ``ctx.outputs["documents"]``. After the commit a job renders, signs and
stores them (``openbid.stages.documents.pending``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openbid import clock
from openbid.models import IssuedDocument
from openbid.stages.documents.announcement import announcement_context, extension_notice_context
from openbid.stages.documents.decree import decree_context
from openbid.stages.documents.issuing import reserve_document
from openbid.stages.documents.report import oversight_report_context
from openbid.stages.documents.results import (
    plenary_minutes_context,
    results_announcement_context,
    top_three_announcement_context,
)
from openbid.stages.documents.screening import (
    screening_announcement_context,
    screening_minutes_context,
)
from openbid.workflow.engine import Context
from openbid.workflow.registry import action


def _issue(
    ctx: Context,
    kind: str,
    context: Mapping[str, Any],
    issued_at: datetime,
    *,
    subject: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> IssuedDocument:
    """Number one pending document for the transition's selection; record it in the outputs."""
    document = reserve_document(
        ctx.session,
        kind=kind,
        selection=ctx.selection,
        actor=ctx.actor,
        context=context,
        subject={"event": ctx.transition.trigger, **(subject or {})},
        title=title,
        issued_at=issued_at,
    )
    ctx.outputs.setdefault("documents", []).append(document.id)
    return document


@action("issue_announcement")
def issue_announcement(ctx: Context) -> None:
    """Issue the announcement that opens registration (after open_registration)."""
    now = clock.now()
    context = announcement_context(ctx.session, ctx.selection, ctx.definition, ctx.params, now)
    _issue(ctx, "announcement", context, now)


@action("issue_extension_notice")
def issue_extension_notice(ctx: Context) -> None:
    """Issue the notice of the extension just recorded (after extend_registration_window)."""
    now = clock.now()
    context, extension = extension_notice_context(ctx.session, ctx.selection, ctx.params)
    title = f"Pengumuman Perpanjangan ke-{extension.number} Masa Pendaftaran"
    _issue(
        ctx,
        "extension_notice",
        context,
        now,
        subject={"extension_id": extension.id, "extension": extension.number},
        title=title,
    )


@action("issue_screening_documents")
def issue_screening_documents(ctx: Context) -> None:
    """Issue the screening minutes, then the announcement of who passed, which cites them."""
    now = clock.now()
    minutes = screening_minutes_context(ctx.session, ctx.selection, ctx.params, now)
    _issue(ctx, "screening_minutes", minutes, now)
    announcement = screening_announcement_context(ctx.session, ctx.selection, ctx.params, now)
    _issue(ctx, "screening_announcement", announcement, now)


@action("issue_results_documents")
def issue_results_documents(ctx: Context) -> None:
    """Issue the results, the plenary minutes and the three best (after freeze_shortlist)."""
    now = clock.now()
    results = results_announcement_context(ctx.session, ctx.selection, ctx.params, now)
    _issue(ctx, "results_announcement", results, now)
    minutes = plenary_minutes_context(ctx.session, ctx.selection, ctx.params, now)
    _issue(ctx, "plenary_minutes", minutes, now)
    top_three = top_three_announcement_context(ctx.session, ctx.selection, ctx.params)
    _issue(ctx, "top_three_announcement", top_three, now)


@action("issue_decree")
def issue_decree(ctx: Context) -> None:
    """Issue the appointment decree of the appointed candidates."""
    now = clock.now()
    context = decree_context(ctx.session, ctx.selection, ctx.definition, ctx.params, now)
    _issue(ctx, "decree", context, now)


@action("issue_oversight_report")
def issue_oversight_report(ctx: Context) -> None:
    """Issue the report to the oversight body, citing the decree (after issue_decree)."""
    now = clock.now()
    context = oversight_report_context(ctx.session, ctx.selection, ctx.definition, now)
    _issue(ctx, "oversight_report", context, now)
