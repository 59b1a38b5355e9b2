"""The reviewer's decisions, each one event through fire(): give the letter, return the plan."""

from __future__ import annotations

from collections.abc import Mapping

from openbid.models import Selection, SelectionEvent, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.oversight.dossier import NOTE_ITEMS
from openbid.workflow.engine import FireResult, fire

MAX_NOTE = 2000


def _check_lengths(texts: Mapping[str, str]) -> None:
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


def approve_plan(
    selection: Selection, actor: User, *, notes: str = "", expected_version: int | None = None
) -> FireResult:
    """Give the body's letter on the plan (recommendation or Pertek), with optional remarks.

    :raises Forbidden: for anyone but a reviewer of the supervising body.
    :raises GuardFailed: when a letter is already on file.
    :raises ValidationFailed: for remarks that are too long.
    """
    _check_lengths({"other": notes})
    return fire(
        selection,
        SelectionEvent.APPROVE_PLAN,
        actor,
        {"notes": notes.strip()},
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
    _check_lengths({"reason": reason, **cleaned})
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
    _check_lengths({"other": notes})
    return fire(
        selection,
        SelectionEvent.RECOMMEND_RESULTS,
        actor,
        {"notes": notes.strip()},
        expected_version=expected_version,
    )
