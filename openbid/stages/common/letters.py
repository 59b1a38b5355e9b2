"""Check and store an oversight letter: the one way every kind of letter is recorded.

A letter (``Approval``) is a number, a date, a subject, the authority that signed it, notes
and an optional scanned PDF. The stage services decide when a kind of letter may be
recorded and which purpose and audit event it gets; this module checks the fields and
writes the row, the PDF and the audit event in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from openbid import audit, clock, storage
from openbid.extensions import db
from openbid.models import Approval, Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.uploads import check_pdf

MAX_NUMBER = 120
MAX_AUTHORITY = 120
MAX_SUBJECT = 300
MAX_NOTES = 4000


@dataclass(frozen=True)
class Letter:
    """The fields of a letter as the secretariat entered them."""

    letter_number: str
    letter_date: date | None
    subject: str = ""
    notes: str = ""
    pdf: bytes | None = None
    filename: str = ""
    authority: str = ""

    def stripped(self) -> Letter:
        """Return the letter with its text fields stripped of surrounding blanks."""
        return Letter(
            letter_number=(self.letter_number or "").strip(),
            letter_date=self.letter_date,
            subject=(self.subject or "").strip(),
            notes=(self.notes or "").strip(),
            pdf=self.pdf,
            filename=self.filename,
            authority=(self.authority or "").strip(),
        )


@dataclass(frozen=True)
class LetterRules:
    """Which fields a family of letters requires, and how its reasons read.

    The announcement's letters (gates, extensions) and the appointment's letters (overrides,
    the word on the results) were checked apart and worded apart. API clients match the
    reason codes and the messages are translated, so both wordings stay; the checks are here
    once.
    """

    code: str  # the prefix of every reason code
    subject_required: bool
    authority_checked: bool  # typed in by the secretariat rather than taken from the definition
    notes_limit: int | None
    empty_pdf_is_missing: bool  # an empty upload counts as no PDF rather than a bad one
    number_long: str
    date_future: str
    date_format: str
    subject_long: str


ANNOUNCEMENT_RULES = LetterRules(
    code="letter",
    subject_required=True,
    authority_checked=False,
    notes_limit=None,
    empty_pdf_is_missing=True,
    number_long=N_("The letter number is longer than 120 characters."),
    date_future=N_("The letter is dated %(date)s, which is in the future."),
    date_format="%d-%m-%Y",
    subject_long=N_("The subject is longer than 300 characters."),
)
APPOINTMENT_RULES = LetterRules(
    code="approval",
    subject_required=False,
    authority_checked=True,
    notes_limit=MAX_NOTES,
    empty_pdf_is_missing=False,
    number_long=N_("The letter number is too long (120 characters at most)."),
    date_future=N_("The letter's date %(date)s is in the future."),
    date_format="%Y-%m-%d",
    subject_long=N_("The subject is too long (300 characters at most)."),
)


def letter_reasons(letter: Letter, rules: LetterRules, *, pdf_required: bool) -> list[Reason]:
    """Return what is wrong with a letter's authority, number, date, subject, notes and PDF."""
    letter = letter.stripped()
    code = rules.code
    reasons = []
    if rules.authority_checked and not letter.authority:
        reasons.append(
            Reason(f"{code}.authority", N_("Enter the authority that signed the letter."))
        )
    elif rules.authority_checked and len(letter.authority) > MAX_AUTHORITY:
        reasons.append(
            Reason(
                f"{code}.authority_long",
                N_("The authority's name is too long (120 characters at most)."),
            )
        )
    if not letter.letter_number:
        reasons.append(Reason(f"{code}.number", N_("Enter the letter's number.")))
    elif len(letter.letter_number) > MAX_NUMBER:
        reasons.append(Reason(f"{code}.number_long", rules.number_long))
    if letter.letter_date is None:
        reasons.append(Reason(f"{code}.date", N_("Enter the letter's date.")))
    elif letter.letter_date > clock.today_jakarta():
        reasons.append(
            Reason(
                f"{code}.date_future",
                rules.date_future,
                {"date": letter.letter_date.strftime(rules.date_format)},
            )
        )
    if rules.subject_required and not letter.subject:
        reasons.append(Reason(f"{code}.subject", N_("Enter the letter's subject (perihal).")))
    elif len(letter.subject) > MAX_SUBJECT:
        reasons.append(Reason(f"{code}.subject_long", rules.subject_long))
    if rules.notes_limit is not None and len(letter.notes) > rules.notes_limit:
        reasons.append(
            Reason(
                f"{code}.notes_long",
                N_("The notes are longer than %(limit)d characters; shorten them."),
                {"limit": rules.notes_limit},
            )
        )
    has_pdf = bool(letter.pdf) if rules.empty_pdf_is_missing else letter.pdf is not None
    if has_pdf:
        reasons.extend(check_pdf(letter.pdf, current_app.config["UPLOAD_MAX_BYTES"]))
    elif pdf_required:
        reasons.append(
            Reason(
                f"{code}.pdf",
                N_("Upload the scanned letter as a PDF; this letter is required."),
            )
        )
    return reasons


def record_letter(
    selection: Selection,
    actor: User,
    letter: Letter,
    *,
    rules: LetterRules,
    purpose: str,
    event: str,
    details: Mapping[str, Any],
    pdf_required: bool = False,
) -> Approval:
    """Check a letter, then write it, its PDF and its audit event; the caller commits.

    ``details`` are what the kind of letter adds to the audit event's payload.

    :raises ValidationFailed: for a bad letter (nothing written).
    """
    reasons = letter_reasons(letter, rules, pdf_required=pdf_required)
    if reasons:
        raise ValidationFailed(reasons)
    letter = letter.stripped()
    stored = storage.store(db.session, letter.pdf, "application/pdf") if letter.pdf else None
    approval = Approval(
        selection_id=selection.id,
        purpose=purpose,
        authority=letter.authority,
        letter_number=letter.letter_number,
        letter_date=letter.letter_date,
        subject=letter.subject,
        notes=letter.notes,
        file=stored,
        recorded_by_id=actor.id,
    )
    db.session.add(approval)
    db.session.flush()
    audit.append(
        db.session,
        event=event,
        actor=actor,
        subject_type="approval",
        subject_id=approval.id,
        selection_id=selection.id,
        payload={
            **details,
            "purpose": purpose,
            "authority": letter.authority,
            "letter_number": letter.letter_number,
            "letter_date": letter.letter_date,
            "subject": letter.subject,
            "file_sha256": stored.sha256 if stored is not None else None,
        },
    )
    return approval
