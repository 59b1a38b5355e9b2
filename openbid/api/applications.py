"""API v1 resources of the stages: profile, applications, verdicts, scores, conflicts,
approval letters, appointments and issued documents.

Every write goes through the same service function or workflow event as the web views; this
module only parses requests, checks what the caller may see, and serialises.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from openbid import uploads
from openbid.api import schemas as s
from openbid.api.spec import BadRequestBody, api_route, validate_body
from openbid.api.views import _actor, _iso, _require, _visible_selection, bp
from openbid.committee.blueprint import WORKSPACE_ROLES
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    AssessmentResult,
    CommitteeMember,
    InterviewScore,
    IssuedDocument,
    Position,
    Role,
    ScreeningVerdict,
    Selection,
    SelectionState,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import announcement, appointment, assessment, interview, screening
from openbid.stages import applications as portal
from openbid.stages import documents as document_service
from openbid.verify.downloads import send_document
from openbid.workflow import fire
from openbid.workflow.engine import access_reasons

# Staff who read every application of their agency's selections.
AGENCY_READERS = (Role.ADMIN, Role.SECRETARIAT, Role.PPK, Role.AUDITOR)
# Which AssessmentResult fields each score component writes, and the body field feeding it.
ASSESSMENT_COMPONENTS: dict[str, dict[str, str]] = {
    "assessment": {
        "score": "assessment_score",
        "category": "assessment_category",
        "assessed_on": "assessed_on",
        "centre": "assessment_centre",
    },
    "paper": {"score": "paper_score"},
    "track_record": {"score": "track_record_score"},
    "health": {"fit": "health_fit"},
    "psych": {"fit": "psych_fit"},
}


def _visible_application(application_id: int) -> Application:
    """Return an application the caller may read: their own, or one of a selection they staff.

    :raises NotFound: when it does not exist or is not visible (no hint which).
    """
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound()
    actor = _actor()
    if actor.role not in (Role.CANDIDATE, Role.COMMITTEE, *AGENCY_READERS):
        raise NotFound()
    if access_reasons(actor, application, application.selection, db.session):
        raise NotFound()
    return application


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _scores(application: Application) -> dict[str, Any]:
    """Return the scores the caller may see: none for candidates, own interview for members."""
    actor = _actor()
    if actor.role == Role.CANDIDATE:
        return {"assessment": None, "interview": []}
    result = db.session.scalar(
        sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
    )
    stmt = (
        sa.select(InterviewScore, CommitteeMember)
        .join(CommitteeMember, CommitteeMember.id == InterviewScore.member_id)
        .where(InterviewScore.application_id == application.id)
        .order_by(InterviewScore.id)
    )
    if actor.role == Role.COMMITTEE:
        # A member's score stays their own until the interview closes (as on the board).
        stmt = stmt.where(CommitteeMember.user_id == actor.id)
    return {
        "assessment": None
        if result is None
        else {
            "assessment_score": _money(result.assessment_score),
            "assessment_category": result.assessment_category,
            "assessed_on": _iso(result.assessed_on),
            "assessment_centre": result.assessment_centre,
            "paper_score": _money(result.paper_score),
            "track_record_score": _money(result.track_record_score),
            "health_fit": result.health_fit,
            "psych_fit": result.psych_fit,
        },
        "interview": [
            {
                "member_id": member.id,
                "score": float(score.score),
                "notes": score.notes,
                "submitted_at": score.submitted_at.isoformat(),
            }
            for score, member in db.session.execute(stmt)
        ],
    }


def application_json(application: Application) -> dict[str, Any]:
    """Serialise an application with its documents, verdict and the scores the caller may see."""
    db.session.refresh(application)
    position = application.position
    selection = position.selection
    documents = db.session.scalars(
        sa.select(ApplicationDocument)
        .where(
            ApplicationDocument.application_id == application.id,
            ApplicationDocument.superseded_at.is_(None),
        )
        .options(sa.orm.joinedload(ApplicationDocument.file))
        .order_by(ApplicationDocument.id)
    ).all()
    verdict = db.session.scalar(
        sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
    )
    return {
        "id": application.id,
        "state": application.state,
        "version": application.version,
        "submitted_at": _iso(application.submitted_at),
        "candidate": {"id": application.candidate_id, "name": application.candidate.name},
        "post": {"id": position.id, "name": position.name, "unit": position.unit},
        "selection": {"id": selection.id, "title": selection.title, "state": selection.state},
        "documents": [
            {
                "code": d.doc_type,
                "sha256": d.file.sha256,
                "original_name": d.original_name,
                "uploaded_at": d.uploaded_at.isoformat(),
            }
            for d in documents
        ],
        "screening": None
        if verdict is None
        else {"passed": verdict.passed, "reason": verdict.reason},
        "scores": _scores(application),
    }


def _created(body: dict[str, Any], location: str) -> Any:
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _pdf_field(name: str) -> tuple[bytes | None, str]:
    """Return an optional uploaded PDF's bytes and file name.

    :raises ValidationFailed: when a file was sent but cannot be read.
    """
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None, ""
    data, reasons = uploads.read_upload(upload, current_app.config["UPLOAD_MAX_BYTES"])
    if reasons:
        raise ValidationFailed(reasons)
    return data, upload.filename


def _form_body(schema: dict, integers: tuple[str, ...] = (), flags: tuple[str, ...] = ()) -> dict:
    """Return multipart text fields as a dict validated against schema (files excluded).

    :raises BadRequestBody: for unknown fields (by name) or a wrong value.
    """
    data: dict[str, Any] = dict(request.form.items())
    for name in integers:
        if name in data and data[name].strip().isdigit():
            data[name] = int(data[name])
    for name in flags:
        if name in data:
            data[name] = data[name].strip().lower() in {"1", "true", "yes", "on"}
    validate_body(schema, data)
    return data


# --- profile --------------------------------------------------------------------------


def _profile_json(profile: Any, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "nip": profile.nip,
        "birth_date": _iso(profile.birth_date),
        "gender": profile.gender,
        "birth_place": profile.birth_place,
        "phone": profile.phone,
        "rank": profile.rank,
        "education": profile.education,
        "education_major": profile.education_major,
        "is_pns": profile.is_pns,
        "agency_name": profile.agency_name,
        "current_position": profile.current_position,
        "current_position_since": _iso(profile.current_position_since),
        "related_experience_years": float(profile.related_experience_years),
        "admin_years": float(profile.admin_years),
        "history": profile.position_history,
        "ratings": profile.performance_ratings,
        "sanction_level": profile.sanction_level,
        "sanction_date": _iso(profile.sanction_date),
        "under_disciplinary_examination": profile.under_disciplinary_examination,
        "lhkpn_lodged": profile.lhkpn_lodged,
        "own_ppk_approval": profile.own_ppk_approval,
    }


def _form_value(value: Any) -> Any:
    # parse_profile reads form text: flags as "1"/"", numbers and dates as typed.
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, list):
        return [{k: _form_value(v) for k, v in row.items()} for row in value]
    if value is None:
        return ""
    return str(value)


@api_route(
    bp,
    "/profile",
    "PUT",
    summary="Save the caller's candidate profile (candidate)",
    tag="applications",
    body=s.PROFILE_REQUEST,
    responses={200: ("The saved profile", s.PROFILE)},
)
def put_profile(body: dict):
    """Validate and store the candidate's profile with the portal's rules."""
    _require(Role.CANDIDATE)
    actor = _actor()
    profile = portal.save_profile(actor, {k: _form_value(v) for k, v in body.items()})
    return jsonify(_profile_json(profile, actor.name))


# --- applications ---------------------------------------------------------------------


@api_route(
    bp,
    "/positions/<int:position_id>/applications",
    "POST",
    summary="Apply to a post with the required documents as PDF files (candidate)",
    tag="applications",
    multipart=s.APPLICATION_UPLOAD,
    responses={201: ("The application (draft, or submitted when asked)", s.APPLICATION)},
)
def apply(position_id: int):
    """Open (or continue) the caller's application, upload the files, submit when asked.

    Every file is checked before anything is written; a later failure (e.g. the submit
    guard) leaves the draft with its documents, and a new request continues it.
    """
    _require(Role.CANDIDATE)
    actor = _actor()
    position = db.session.get(Position, position_id)
    if position is None or position.selection.state != SelectionState.ANNOUNCEMENT:
        raise NotFound()
    fields = _form_body(s.APPLICATION_FIELDS, flags=("submit",))
    unknown = sorted(set(request.files) - set(REQUIRED_DOCUMENTS))
    if unknown:
        raise BadRequestBody(
            [
                Reason(
                    "body.unknown_fields",
                    N_("Unknown field(s): %(fields)s."),
                    {"fields": ", ".join(unknown)},
                )
            ]
        )
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    problems: list[Reason] = []
    for code, upload in request.files.items():
        data, reasons = uploads.read_upload(upload, max_bytes)
        reasons = reasons or uploads.check_pdf(data, max_bytes)
        problems += [
            Reason(
                "document.invalid",
                N_("%(document)s: %(problem)s"),
                {"document": code, "problem": reason_text(r)},
            )
            for r in reasons
        ]
        upload.stream.seek(0)
    if problems:
        raise ValidationFailed(problems)
    if portal.get_profile(actor) is None:
        raise ValidationFailed(
            Reason(
                "application.no_profile",
                N_("Save your profile (PUT /api/v1/profile) before applying."),
            )
        )
    application = db.session.scalar(
        sa.select(Application).where(
            Application.position_id == position.id,
            Application.candidate_id == actor.id,
            Application.state == ApplicationState.DRAFT,
        )
    ) or portal.start_application(actor, position)
    for code, upload in request.files.items():
        portal.upload_document(application, actor, code, upload, max_bytes)
    if fields.get("submit"):
        fire(application, ApplicationEvent.SUBMIT, actor)
    return _created(
        application_json(application),
        url_for("api.get_application_get", application_id=application.id),
    )


@api_route(
    bp,
    "/applications/<int:application_id>",
    "GET",
    summary="An application: state, post, documents, verdict and the scores you may see",
    tag="applications",
    responses={200: ("The application", s.APPLICATION)},
)
def get_application(application_id: int):
    """Return one application to its candidate or to the selection's staff and committee."""
    return jsonify(application_json(_visible_application(application_id)))


@api_route(
    bp,
    "/applications/<int:application_id>/verdict",
    "POST",
    summary="Record the administrative screening verdict (committee, secretariat)",
    tag="applications",
    body=s.VERDICT_REQUEST,
    responses={200: ("The application after the verdict", s.APPLICATION)},
)
def post_verdict(application_id: int, body: dict):
    """Pass or fail an application through the screening service."""
    application = _visible_application(application_id)
    screening.record_verdict(
        application,
        _actor(),
        body["passed"],
        body.get("reason", ""),
        expected_version=body.get("expected_version"),
    )
    return jsonify(application_json(application))


@api_route(
    bp,
    "/applications/<int:application_id>/scores/<component>",
    "PUT",
    summary=(
        "Enter a score: assessment, paper, track_record, health, psych (secretariat) or "
        "interview (each committee member)"
    ),
    tag="applications",
    body=s.SCORE_REQUEST,
    responses={200: ("The application with the scores you may see", s.APPLICATION)},
)
def put_score(application_id: int, component: str, body: dict):
    """Route the component to the assessment or interview service."""
    if component != "interview" and component not in ASSESSMENT_COMPONENTS:
        raise NotFound()
    application = _visible_application(application_id)
    if component == "interview":
        validate_body(s.SCORE_SHAPES["interview"], body)
        interview.submit_score(
            _actor(), application, Decimal(str(body["score"])), body.get("notes", "")
        )
    else:
        validate_body(s.SCORE_SHAPES[component], body)
        fields = {
            target: Decimal(str(body[name])) if name == "score" else body[name]
            for name, target in ASSESSMENT_COMPONENTS[component].items()
            if name in body
        }
        assessment.save_result(application, _actor(), **fields)
    return jsonify(application_json(application))


@api_route(
    bp,
    "/applications/<int:application_id>/conflicts",
    "POST",
    summary="Declare your conflict of interest with this candidate (committee member)",
    tag="applications",
    body=s.CONFLICT_REQUEST,
    responses={201: ("The declaration", s.CONFLICT)},
)
def post_conflict(application_id: int, body: dict):
    """Record a member's recusal through the interview service."""
    application = _visible_application(application_id)
    declaration = interview.declare_conflict(_actor(), application, body["reason"])
    return _created(
        {
            "id": declaration.id,
            "member_id": declaration.member_id,
            "application_id": declaration.application_id,
            "reason": declaration.reason,
            "declared_at": declaration.declared_at.isoformat(),
        },
        url_for("api.get_application_get", application_id=application.id),
    )


# --- approval letters and appointments ------------------------------------------------


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
    selection = _visible_selection(selection_id)
    _require(Role.SECRETARIAT, Role.ADMIN)
    pdf, filename = None, ""
    if body is None:
        body = _form_body(s.APPROVAL_REQUEST, integers=("position_id",))
        pdf, filename = _pdf_field("pdf")
    actor = _actor()
    letter_date = date.fromisoformat(body["letter_date"])
    purpose = body["purpose"]
    needed = {"gate": "gate", "shortlist_override": "position_id"}.get(purpose)
    if needed and needed not in body:
        raise BadRequestBody(
            [Reason("body.required", N_("Field %(field)s is required."), {"field": needed})]
        )
    if purpose == "gate":
        approval = announcement.record_gate_letter(
            selection,
            actor,
            gate=body["gate"],
            letter_number=body["letter_number"],
            letter_date=letter_date,
            subject=body.get("subject", ""),
            notes=body.get("notes", ""),
            pdf=pdf,
            filename=filename,
        )
    elif purpose == "extension":
        approval = announcement.record_extension_letter(
            selection,
            actor,
            letter_number=body["letter_number"],
            letter_date=letter_date,
            subject=body.get("subject", ""),
            pdf=pdf,
            filename=filename,
        )
    elif purpose == "result_recommendation":
        approval = appointment.record_result_letter(
            selection,
            actor,
            letter_number=body["letter_number"],
            letter_date=letter_date,
            subject=body.get("subject", ""),
            notes=body.get("notes", ""),
            pdf=pdf,
        )
    else:
        position = db.session.get(Position, body["position_id"])
        if position is None or position.selection_id != selection.id:
            raise ValidationFailed(
                Reason(
                    "approval.position",
                    N_("Post %(id)s is not part of this selection."),
                    {"id": body["position_id"]},
                )
            )
        approval = appointment.record_override_letter(
            position,
            actor,
            authority=body.get("authority", ""),
            letter_number=body["letter_number"],
            letter_date=letter_date,
            subject=body.get("subject", ""),
            notes=body.get("notes", ""),
            pdf=pdf,
        )
    return _created(
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
    selection = _visible_selection(selection_id)
    # The appointment is the PPK's alone; say so before looking at the application's state.
    _require(Role.PPK)
    application = db.session.get(Application, body["application_id"])
    if application is None or application.selection.id != selection.id:
        raise ValidationFailed(
            Reason(
                "appointment.application",
                N_("Application %(id)s is not part of this selection."),
                {"id": body["application_id"]},
            )
        )
    appointment.appoint(application, _actor(), expected_version=body.get("expected_version"))
    return _created(
        application_json(application),
        url_for("api.get_application_get", application_id=application.id),
    )


# --- issued documents -----------------------------------------------------------------


def _staff_selection(selection_id: int) -> Selection:
    """Return a selection whose documents the caller may have, as on the Documents tab.

    :raises Forbidden: for roles without the staff workspace (candidates, auditors).
    :raises NotFound: when it does not exist or the caller may not see it.
    """
    _require(*WORKSPACE_ROLES)
    return _visible_selection(selection_id)


@api_route(
    bp,
    "/selections/<int:selection_id>/documents",
    "GET",
    summary="The documents issued for the selection, with verification codes and downloads",
    tag="documents",
    responses={200: ("The documents in issue order", s.DOCUMENT_LIST)},
)
def list_documents(selection_id: int):
    """List the selection's issued documents (the staff Documents tab's audience)."""
    selection = _staff_selection(selection_id)
    return jsonify(
        {
            "documents": [
                {
                    "id": document.id,
                    "kind": document.kind,
                    "number": document.number,
                    "title": document.title,
                    "sha256": document.sha256,
                    "verification_code": document.verification_code,
                    "signed": document.signed,
                    "issued_at": document.issued_at.isoformat(),
                    "issued_by": issuer,
                    "download_url": url_for(
                        "api.document_file_get", document_id=document.id, _external=True
                    ),
                    "verify_url": document_service.verify_url(document.verification_code),
                }
                for document, issuer in document_service.selection_documents(
                    db.session, selection.id
                )
            ]
        }
    )


@api_route(
    bp,
    "/documents/<int:document_id>/file",
    "GET",
    summary="Download an issued PDF (staff of the selection)",
    tag="documents",
    responses={200: ("The PDF (application/pdf)", None)},
)
def document_file(document_id: int):
    """Send the registered PDF, checked against its hash on the way out."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.selection_id is None:
        raise NotFound()
    _staff_selection(document.selection_id)
    return send_document(document)
