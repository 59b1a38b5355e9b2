"""API v1 approval letters and appointments: the letters the secretariat records (a gate, a
registration extension, the result recommendation, a short-list override) and the PPK's
appointment among a post's three best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for

from openbid.api import schemas as s
from openbid.api.applications import application_created
from openbid.api.blueprint import actor, bp, created
from openbid.api.forms import form_body, pdf_field
from openbid.api.spec import BadRequestBody, api_route
from openbid.api.visibility import require, visible_selection
from openbid.extensions import db
from openbid.models import Application, Position, Role, Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import announcement, appointment

# The field each purpose needs beyond the letter's own.
_PURPOSE_FIELDS = {"gate": "gate", "shortlist_override": "position_id"}


@dataclass(frozen=True)
class _Letter:
    """An approval letter as the request gives it."""

    selection: Selection
    actor: User
    body: dict[str, Any]
    letter_date: date
    pdf: bytes | None
    filename: str


def _approval_json(approval: Any) -> dict[str, Any]:
    return {
        "id": approval.id,
        "purpose": approval.purpose,
        "authority": approval.authority,
        "letter_number": approval.letter_number,
        "letter_date": approval.letter_date.isoformat(),
        "subject": approval.subject,
        "notes": approval.notes,
        "file_sha256": approval.file.sha256 if approval.file is not None else None,
    }


def _record_gate(letter: _Letter) -> Any:
    return announcement.record_gate_letter(
        letter.selection,
        letter.actor,
        gate=letter.body["gate"],
        letter_number=letter.body["letter_number"],
        letter_date=letter.letter_date,
        subject=letter.body.get("subject", ""),
        notes=letter.body.get("notes", ""),
        pdf=letter.pdf,
        filename=letter.filename,
    )


def _record_extension(letter: _Letter) -> Any:
    return announcement.record_extension_letter(
        letter.selection,
        letter.actor,
        letter_number=letter.body["letter_number"],
        letter_date=letter.letter_date,
        subject=letter.body.get("subject", ""),
        pdf=letter.pdf,
        filename=letter.filename,
    )


def _record_result(letter: _Letter) -> Any:
    return appointment.record_result_letter(
        letter.selection,
        letter.actor,
        letter_number=letter.body["letter_number"],
        letter_date=letter.letter_date,
        subject=letter.body.get("subject", ""),
        notes=letter.body.get("notes", ""),
        pdf=letter.pdf,
    )


def _record_override(letter: _Letter) -> Any:
    """Record a short-list override for a post of the selection.

    :raises ValidationFailed: when the post is not part of the selection.
    """
    position = db.session.get(Position, letter.body["position_id"])
    if position is None or position.selection_id != letter.selection.id:
        raise ValidationFailed(
            Reason(
                "approval.position",
                N_("Post %(id)s is not part of this selection."),
                {"id": letter.body["position_id"]},
            )
        )
    return appointment.record_override_letter(
        position,
        letter.actor,
        authority=letter.body.get("authority", ""),
        letter_number=letter.body["letter_number"],
        letter_date=letter.letter_date,
        subject=letter.body.get("subject", ""),
        notes=letter.body.get("notes", ""),
        pdf=letter.pdf,
    )


# Which service records a letter of each purpose (the body schema allows these four).
_RECORDERS: dict[str, Callable[[_Letter], Any]] = {
    "gate": _record_gate,
    "extension": _record_extension,
    "result_recommendation": _record_result,
    "shortlist_override": _record_override,
}


def _letter(selection: Selection, body: dict | None) -> _Letter:
    """Return the letter of a JSON body, or of the multipart form with its PDF when body is None.

    :raises BadRequestBody: a form that does not fit the schema, or a purpose's missing field.
    :raises ValidationFailed: when a PDF was sent but cannot be read.
    """
    pdf, filename = None, ""
    if body is None:
        body = form_body(s.APPROVAL_REQUEST, integers=("position_id",))
        pdf, filename = pdf_field("pdf")
    letter = _Letter(
        selection, actor(), body, date.fromisoformat(body["letter_date"]), pdf, filename
    )
    needed = _PURPOSE_FIELDS.get(body["purpose"])
    if needed and needed not in body:
        raise BadRequestBody(
            [Reason("body.required", N_("Field %(field)s is required."), {"field": needed})]
        )
    return letter


@api_route(
    bp,
    "/selections/<int:selection_id>/approvals",
    "POST",
    summary=(
        "Record an approval letter: a gate, a registration extension, the result "
        "recommendation or a short-list override (secretariat)"
    ),
    tag="selections",
    body=s.APPROVAL_REQUEST,
    multipart=s.APPROVAL_UPLOAD,
    responses={201: ("The recorded letter", s.APPROVAL)},
)
def post_approval(selection_id: int, body: dict | None = None):
    """Record the letter with the service of its purpose; the PDF comes as multipart."""
    selection = visible_selection(selection_id)
    require(Role.SECRETARIAT, Role.ADMIN)
    letter = _letter(selection, body)
    approval = _RECORDERS[letter.body["purpose"]](letter)
    return created(
        _approval_json(approval), url_for("api.get_selection_get", selection_id=selection.id)
    )


@api_route(
    bp,
    "/selections/<int:selection_id>/appointments",
    "POST",
    summary="Appoint a candidate among a post's three best (PPK)",
    tag="selections",
    body=s.APPOINTMENT_REQUEST,
    responses={201: ("The appointed application", s.APPLICATION)},
)
def post_appointment(selection_id: int, body: dict):
    """Appoint through the appointment service; its guards check the three best."""
    selection = visible_selection(selection_id)
    # The appointment is the PPK's alone; say so before looking at the application's state.
    require(Role.PPK)
    application = db.session.get(Application, body["application_id"])
    if application is None or application.selection.id != selection.id:
        raise ValidationFailed(
            Reason(
                "appointment.application",
                N_("Application %(id)s is not part of this selection."),
                {"id": body["application_id"]},
            )
        )
    appointment.appoint(application, actor(), expected_version=body.get("expected_version"))
    return application_created(application)
