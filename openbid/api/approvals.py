"""API v1 approval letters and appointments: the letters the secretariat records (a gate, a
registration extension, the result recommendation, a short-list override) and the PPK's
appointment among a post's three best.

A letter is one marshmallow declaration, sent as JSON or (with its PDF) as a multipart form;
the appointment answers the application as ``ApplicationSchema`` declares it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import marshmallow as ma
from flask import request, url_for

from openbid.api.application_schemas import ApplicationSchema
from openbid.api.applications import application_shown
from openbid.api.blueprint import actor, bp
from openbid.api.declare import BadRequestBody
from openbid.api.fields import MAX_INT, Body, Id, OneOf, Out, Range, Text, derived
from openbid.api.forms import pdf_field
from openbid.api.visibility import require, visible_selection
from openbid.extensions import db
from openbid.models import Application, Approval, Position, Role, Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import announcement, appointment

PURPOSES = ["gate", "extension", "result_recommendation", "shortlist_override"]


class ApprovalBody(Body):
    """An approval letter: its purpose, number and date, and what its purpose needs."""

    purpose = ma.fields.String(required=True, validate=OneOf(PURPOSES))
    gate = Text(max_length=60)
    position_id = Id()
    authority = Text(min_length=None, max_length=120)
    letter_number = Text(min_length=None, max_length=120, required=True)
    letter_date = ma.fields.Date(required=True)
    subject = Text(min_length=None, max_length=300)
    notes = Text(min_length=None, max_length=2000)


class ApprovalUpload(ApprovalBody):
    """The same letter as a multipart form, with its PDF (a form's post id is text)."""

    position_id = ma.fields.Integer(validate=[Range(min=1, max=MAX_INT)])
    pdf = ma.fields.Raw(metadata={"type": "string", "format": "binary"})


class ApprovalSchema(Out):
    """A recorded letter, with the digest of its PDF when one was uploaded."""

    id = ma.fields.Integer(required=True)
    purpose = ma.fields.String(required=True)
    authority = ma.fields.String(required=True)
    letter_number = ma.fields.String(required=True)
    letter_date = ma.fields.Date(required=True)
    subject = ma.fields.String()
    notes = ma.fields.String()
    file_sha256 = derived(
        ma.fields.String(allow_none=True),
        lambda a: a.file.sha256 if a.file is not None else None,
    )


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


def _letter(selection: Selection, body: dict[str, Any] | None) -> _Letter:
    """Return the letter of a JSON body, or of the multipart form with its PDF when body is None.

    :raises BadRequestBody: a form that does not fit the schema, or a purpose's missing field.
    :raises ValidationFailed: when a PDF was sent but cannot be read.
    """
    pdf, filename = None, ""
    if body is None:
        body = bp.ARGUMENTS_PARSER.parse(ApprovalUpload(), location="form")
        pdf, filename = pdf_field("pdf")
    letter = _Letter(selection, actor(), body, body["letter_date"], pdf, filename)
    needed = _PURPOSE_FIELDS.get(body["purpose"])
    if needed and needed not in body:
        raise BadRequestBody(
            [Reason("body.required", N_("Field %(field)s is required."), {"field": needed})]
        )
    return letter


@bp.operation(
    "/selections/<int:selection_id>/approvals",
    "POST",
    summary=(
        "Record an approval letter: a gate, a registration extension, the result "
        "recommendation or a short-list override (secretariat)"
    ),
    tag="selections",
    body=True,
)
# JSON or a multipart form with the PDF: webargs reads one location, so the view picks it.
@bp.doc(
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": ApprovalBody},
            "multipart/form-data": {"schema": ApprovalUpload},
        },
    }
)
@bp.response(201, ApprovalSchema, description="The recorded letter")
def post_approval(selection_id: int) -> Any:
    """Record the letter with the service of its purpose; the PDF comes as multipart."""
    # A JSON body is checked before the caller's rights, as every JSON operation's is.
    body = bp.ARGUMENTS_PARSER.parse(ApprovalBody(), location="json") if request.is_json else None
    selection = visible_selection(selection_id)
    require(Role.SECRETARIAT, Role.ADMIN)
    letter = _letter(selection, body)
    approval: Approval = _RECORDERS[letter.body["purpose"]](letter)
    location = url_for("api.get_selection_get", selection_id=selection.id)
    return approval, 201, {"Location": location}


class AppointmentBody(Body):
    """The application to appoint, the version read."""

    application_id = Id(required=True)
    expected_version = Id()


@bp.operation(
    "/selections/<int:selection_id>/appointments",
    "POST",
    summary="Appoint a candidate among a post's three best (PPK)",
    tag="selections",
    body=True,
)
@bp.arguments(AppointmentBody)
@bp.response(201, ApplicationSchema, description="The appointed application")
def post_appointment(body: dict, selection_id: int) -> Any:
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
    location = url_for("api.get_application_get", application_id=application.id)
    return application_shown(application), 201, {"Location": location}
