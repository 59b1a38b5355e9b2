"""Actions of the oversight body's events: number its letter (issued by a job after the
commit) and record it as the gate's approval, record the plan's return with the reviewer's
notes per item, an extension refused, or the final report's receipt."""

from __future__ import annotations

from typing import Any

from openbid import clock
from openbid.models import Approval, OversightReview, Position
from openbid.stages.documents import committee_context, selection_context
from openbid.stages.oversight.dossier import NOTE_ITEMS, post_rankings
from openbid.stages.oversight.letters import body_context, reserve_body_letter
from openbid.stages.oversight.requests import extension_request, short_posts
from openbid.stages.oversight.waiting import (
    EXTENSION,
    PLAN,
    REPORT,
    RESULTS,
    gate_purpose,
    sent_moments,
    waited_days,
)
from openbid.workflow.engine import Context
from openbid.workflow.registry import action

HEADINGS = {
    ("KASN", PLAN): "Rekomendasi Pelaksanaan Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
    ("BKN", PLAN): "Pertimbangan Teknis Pelaksanaan Seleksi Terbuka Jabatan Pimpinan Tinggi"
    " Pratama",
    ("KASN", RESULTS): "Rekomendasi atas Hasil Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
    ("BKN", RESULTS): "Validasi Hasil Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
    ("KASN", EXTENSION): "Persetujuan Perpanjangan Masa Pendaftaran Seleksi Terbuka Jabatan"
    " Pimpinan Tinggi Pratama",
    ("BKN", EXTENSION): "Persetujuan Perpanjangan Masa Pendaftaran Seleksi Terbuka Jabatan"
    " Pimpinan Tinggi Pratama",
}


def _waited(ctx: Context, gate: str) -> int:
    sent = sent_moments(ctx.session, [ctx.selection.id], gate).get(ctx.selection.id)
    if sent is None:
        return 0
    return waited_days(ctx.selection.agency, sent, clock.today_jakarta())


def _posts(ctx: Context, gate: str) -> list[dict[str, Any]]:
    """Return the posts as ``contexts.ReviewedPost``; for the results, their three best;
    for an extension, the short posts and their applicants."""
    if gate == EXTENSION:
        return [
            {"name": p.name, "unit": p.unit, "top_three": [], "applicants": count}
            for p, count in short_posts(ctx.session, ctx.selection)
        ]
    rankings = post_rankings(ctx.session, ctx.selection) if gate == RESULTS else {}
    return [
        {
            "name": post.name,
            "unit": post.unit,
            "top_three": [c.name for c in rankings.get(post.id, []) if c.shortlisted],
        }
        for post in ctx.selection.positions
        if isinstance(post, Position) and post.is_open
    ]


def _give(ctx: Context, gate: str) -> None:
    """Issue the body's letter on gate and record it as the gate's approval and review."""
    body = ctx.actor.oversight_body
    heading = HEADINGS.get((body.code, gate), HEADINGS[("KASN", gate)])
    notes = str(ctx.data.get("notes") or "").strip()
    context = {
        "body": body_context(body),
        "gate": gate,
        "heading": heading,
        "addressee": ctx.selection.agency.head_title,
        "selection": selection_context(ctx.selection),
        "posts": _posts(ctx, gate),
        "committee": committee_context(ctx.session, ctx.selection) if gate == PLAN else [],
        "notes": notes,
        "signatory": {"title": body.head_title or body.name, "name": body.head_name},
    }
    if gate == EXTENSION:
        asked = extension_request(ctx.session, ctx.selection)
        context["extension"] = {
            "number": asked.number if asked else 1,
            "reason": asked.reason if asked else "",
        }
    document = reserve_body_letter(
        ctx.session,
        body=body,
        selection=ctx.selection,
        actor=ctx.actor,
        context=context,
        title=heading,
        subject={"event": ctx.transition.trigger, "body": body.code, "gate": gate},
    )
    approval = Approval(
        selection_id=ctx.selection.id,
        purpose=gate_purpose(ctx.selection, gate),
        authority=body.code,
        letter_number=document.number,
        letter_date=clock.to_jakarta(document.issued_at).date(),
        subject=heading,
        notes=notes,
        file_id=None,  # set when the job has issued the letter (pending._mark_issued)
        source="openbid",
        document_id=document.id,
        recorded_by_id=ctx.actor.id,
        recorded_at=document.issued_at,
    )
    ctx.session.add(approval)
    _review(ctx, gate, "approved", {"other": notes} if notes else {}, document.id)
    ctx.outputs.setdefault("documents", []).append(document.id)


def _review(
    ctx: Context, gate: str, outcome: str, notes: dict[str, str], document_id: int | None
) -> OversightReview:
    review = OversightReview(
        selection_id=ctx.selection.id,
        body_id=ctx.actor.oversight_body_id,
        gate=gate,
        outcome=outcome,
        notes=notes,
        waited_days=_waited(ctx, gate),
        reviewer_id=ctx.actor.id,
        document_id=document_id,
        created_at=clock.now(),  # the engine's clock, like the audit event's moment
    )
    ctx.session.add(review)
    ctx.session.flush()
    return review


@action("issue_plan_letter")
def issue_plan_letter(ctx: Context) -> None:
    """Issue the recommendation (KASN) or Pertek (BKN) on the plan; it satisfies the gate."""
    _give(ctx, PLAN)


@action("issue_results_letter")
def issue_results_letter(ctx: Context) -> None:
    """Issue the body's recommendation on the three best; it is the result recommendation."""
    _give(ctx, RESULTS)


@action("record_plan_return")
def record_plan_return(ctx: Context) -> None:
    """Record the returned plan with the reviewer's note per item, for the secretariat."""
    given = ctx.data.get("notes") or {}
    notes = {item: str(given.get(item, "")).strip() for item in NOTE_ITEMS}
    notes = {item: text for item, text in notes.items() if text}
    notes["reason"] = str(ctx.data.get("reason") or "").strip()
    # fire()'s audit event already carries the notes (its data); the review row is what
    # the secretariat's page reads.
    _review(ctx, PLAN, "returned", notes, None)


@action("issue_extension_letter")
def issue_extension_letter(ctx: Context) -> None:
    """Issue the body's approval of the extension asked for; extend_registration uses it."""
    _give(ctx, EXTENSION)


@action("record_extension_refusal")
def record_extension_refusal(ctx: Context) -> None:
    """Record the refused extension with the reviewer's reason, for the secretariat."""
    _review(ctx, EXTENSION, "refused", {"reason": str(ctx.data.get("reason") or "").strip()}, None)


@action("record_report_receipt")
def record_report_receipt(ctx: Context) -> None:
    """Record that the body received the agency's final report (the report document)."""
    notes = str(ctx.data.get("notes") or "").strip()
    report_id = ctx.data.get("report_id")
    _review(ctx, REPORT, "received", {"other": notes} if notes else {}, report_id)
