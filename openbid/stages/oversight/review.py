"""The reviewer's decisions, each one event through fire(): give the letter, return the plan,
approve or refuse an extension, acknowledge the final report; and the secretariat's request
for an extension."""

from __future__ import annotations

from collections.abc import Mapping

from openbid.extensions import db
from openbid.models import Selection, SelectionEvent, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.oversight.dossier import NOTE_ITEMS
from openbid.stages.oversight.requests import extensions_done, final_report, short_posts
from openbid.workflow.engine import FireResult, fire

MAX_NOTE = 2000


def check_note_lengths(texts: Mapping[str, str]) -> None:
    """Refuse a note longer than MAX_NOTE characters, naming the item.

    :raises ValidationFailed: one reason per long note.
    """
    reasons = [
        Reason(
            "oversight.note_long",
            N_("The note on %(item)s is longer than %(max)s characters."),
            {"item": item, "max": MAX_NOTE},
        )
        for item, text in texts.items()
        if len(text) > MAX_NOTE
    ]
    if reasons:
        raise ValidationFailed(reasons)


def remarks(notes: str) -> dict[str, str]:
    """Return the event data of a decision that gives a letter: its remarks, checked.

    :raises ValidationFailed: for remarks that are too long.
    """
    check_note_lengths({"other": notes})
    return {"notes": notes.strip()}


def approve_plan(
    selection: Selection, actor: User, *, notes: str = "", expected_version: int | None = None
) -> FireResult:
    """Give the body's letter on the plan (recommendation or Pertek), with optional remarks.

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: when a letter is already on file.
    :raises ValidationFailed: for remarks that are too long.
    """
    return fire(
        selection,
        SelectionEvent.APPROVE_PLAN,
        actor,
        remarks(notes),
        expected_version=expected_version,
    )


def return_plan(
    selection: Selection,
    actor: User,
    *,
    reason: str,
    notes: Mapping[str, str],
    expected_version: int | None = None,
) -> FireResult:
    """Return the plan to draft with a reason and a note per item (posts, committee, ...).

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: without a reason, or when a letter is already on file.
    :raises ValidationFailed: for notes that are too long.
    """
    cleaned = {item: str(notes.get(item) or "").strip() for item in NOTE_ITEMS}
    check_note_lengths({"reason": reason, **cleaned})
    return fire(
        selection,
        SelectionEvent.RETURN_PLAN,
        actor,
        {"reason": reason.strip(), "notes": {k: v for k, v in cleaned.items() if v}},
        expected_version=expected_version,
    )


def recommend_results(
    selection: Selection, actor: User, *, notes: str = "", expected_version: int | None = None
) -> FireResult:
    """Give the body's recommendation on the three best.

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: when a recommendation is already on file.
    :raises ValidationFailed: for remarks that are too long.
    """
    return fire(
        selection,
        SelectionEvent.RECOMMEND_RESULTS,
        actor,
        remarks(notes),
        expected_version=expected_version,
    )


def request_extension(
    selection: Selection, actor: User, *, reason: str, expected_version: int | None = None
) -> FireResult:
    """Ask the oversight body to approve extending registration for the short posts.

    The event's data keeps the reason, which extension it would be, and each short post
    with its applicants as they stood when asked.

    :raises Forbidden: for anyone but the agency's secretariat.
    :raises GuardFailed: without a reason, while registration is open, with no short post,
        with the extensions used up, or while a request or an unused approval is on file.
    :raises ValidationFailed: for a reason that is too long.
    """
    check_note_lengths({"reason": reason})
    session = db.session
    posts = [
        {"id": post.id, "name": post.name, "applicants": count}
        for post, count in short_posts(session, selection)
    ]
    data = {
        "reason": reason.strip(),
        "number": extensions_done(session, selection.id) + 1,
        "posts": posts,
    }
    return fire(
        selection, SelectionEvent.REQUEST_EXTENSION, actor, data, expected_version=expected_version
    )


def approve_extension(
    selection: Selection, actor: User, *, notes: str = "", expected_version: int | None = None
) -> FireResult:
    """Give the body's letter approving the extension asked for (issued by a job).

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: when no extension request waits for the body's word.
    :raises ValidationFailed: for remarks that are too long.
    """
    return fire(
        selection,
        SelectionEvent.APPROVE_EXTENSION,
        actor,
        remarks(notes),
        expected_version=expected_version,
    )


def refuse_extension(
    selection: Selection, actor: User, *, reason: str, expected_version: int | None = None
) -> FireResult:
    """Refuse the extension asked for, with a reason the secretariat reads.

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: without a reason, or when no extension request waits.
    :raises ValidationFailed: for a reason that is too long.
    """
    check_note_lengths({"reason": reason})
    return fire(
        selection,
        SelectionEvent.REFUSE_EXTENSION,
        actor,
        {"reason": reason.strip()},
        expected_version=expected_version,
    )


def acknowledge_report(
    selection: Selection, actor: User, *, notes: str = "", expected_version: int | None = None
) -> FireResult:
    """Acknowledge that the body received the agency's final report.

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: when no report waits for its receipt.
    :raises ValidationFailed: for remarks that are too long.
    """
    check_note_lengths({"other": notes})
    report = final_report(db.session, selection)
    return fire(
        selection,
        SelectionEvent.ACKNOWLEDGE_REPORT,
        actor,
        {"notes": notes.strip(), "report_id": report.id if report else None},
        expected_version=expected_version,
    )
