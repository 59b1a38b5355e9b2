"""API v1 candidate profiles and applications: apply with the documents, read an application,
record its screening verdict, its scores and a member's conflict of interest.

Every write goes through the same service function or workflow event as the web views; this
module only parses requests, checks what the caller may see, and serialises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, request, url_for
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from openbid import clock, uploads
from openbid.api.application_schemas import (
    SCORE_BODIES,
    ApplicationSchema,
    ConflictRequestSchema,
    ConflictSchema,
    ProfileRequestSchema,
    ProfileSchema,
    ScoreRequestSchema,
    VerdictRequestSchema,
)
from openbid.api.blueprint import actor, bp
from openbid.api.declare import BadRequestBody
from openbid.api.fields import Body, reasons_of
from openbid.api.visibility import require, visible_application
from openbid.extensions import db
from openbid.i18n import reason_text
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationState,
    AssessmentResult,
    CommitteeMember,
    InterviewScore,
    Position,
    Role,
    ScreeningVerdict,
    SelectionState,
    User,
)
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import applications as portal
from openbid.stages import assessment, interview, screening
from openbid.workflow import kept_after_commit
from openbid.workflow.access import load_locked, read_locked, read_locked_rows, seat_read

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


@dataclass
class ApplicationShown:
    """An application with the parts its answer shows, all loaded (``ApplicationSchema``)."""

    application: Application
    documents: list[ApplicationDocument]
    verdict: ScreeningVerdict | None
    assessment: AssessmentResult | None
    interview: list[InterviewScore]


Scores = tuple[AssessmentResult | None, list[InterviewScore]]


def _scores(application: Application) -> Scores:
    """Return the scores the caller may see: none for candidates, own interview for members.

    One query: the assessment result beside each interview score (or none).
    """
    if actor().role == Role.CANDIDATE:
        return None, []
    rows = db.session.execute(
        sa.select(AssessmentResult, InterviewScore)
        .select_from(Application)
        .outerjoin(AssessmentResult, AssessmentResult.application_id == Application.id)
        .outerjoin(InterviewScore, _scored(actor().role == Role.COMMITTEE, actor().id))
        .where(Application.id == application.id)
        .order_by(InterviewScore.id)
    ).all()
    return rows[0][0] if rows else None, [score for _result, score in rows if score is not None]


def _scored(member: bool, user_id: object) -> sa.ColumnElement[bool]:
    """The interview scores of an application its reader may see, as a join condition.

    ``member``: the reader sits on committees (user_id: their id, or a parameter for it).
    """
    scored = InterviewScore.application_id == Application.id
    if member:
        # A member's score stays their own until the interview closes (as on the board).
        scored &= InterviewScore.member_id.in_(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id)
        )
    return scored


_WITH_RELATIONS = (
    joinedload(Application.position).joinedload(Position.selection),
    joinedload(Application.candidate),
)


def _load_application(application_id: int, *, locked: bool = False) -> Application | None:
    """Load an application with its post, selection and candidate in one query.

    Rows expired by a commit are read again by the same query, so it also serves to show an
    application as a change left it. ``locked``: for a write, with the row lock fire() takes.
    """
    if locked:
        return load_locked(db.session, Application, application_id, *_WITH_RELATIONS)
    return db.session.scalar(
        sa.select(Application).where(Application.id == application_id).options(*_WITH_RELATIONS)
    )


def _load_for_write(
    application_id: int, *, with_scores: bool, locked: bool = True
) -> tuple[Application | None, Scores]:
    """Read an application for a write in one query, under the row lock fire() takes
    (``locked``; a write that does not fire the application's event takes none).

    With it: its post, selection and candidate; the caller's seat on the selection's
    committee (members only: noted for ``committee_seat``, which the API's visibility and
    fire()'s access check ask); and, with ``with_scores``, the scores the caller may see
    (``_scores``, for an answer the write does not change). Returns (None, no scores) when
    there is no such application.
    """
    user = actor()
    member = user.role == Role.COMMITTEE
    shown = with_scores and user.role != Role.CANDIDATE
    stmt = _write_load(member, shown)
    params = {"application_id": application_id, "user_id": user.id}
    if locked:
        rows = read_locked_rows(db.session, stmt, params)
    else:
        rows = db.session.execute(stmt, params).all()
    if not rows:
        return None, (None, [])
    application = rows[0][0]
    if member:
        seat_read(db.session, application.position.selection, user, rows[0][1])
    if not shown:
        return application, (None, [])
    result = rows[0][-2]
    return application, (result, [row[-1] for row in rows if row[-1] is not None])


@cache
def _write_load(member: bool, shown: bool) -> sa.Select:
    """The statement of ``_load_for_write`` (parameters ``application_id``, ``user_id``).

    Built once per kind of caller: building it costs more than running it.
    """
    user_id = sa.bindparam("user_id")
    stmt = (
        sa.select(Application)
        .where(Application.id == sa.bindparam("application_id"))
        .options(*_WITH_RELATIONS)
    )
    if member:
        post = sa.orm.aliased(Position)
        stmt = (
            stmt.add_columns(CommitteeMember)
            .outerjoin(post, post.id == Application.position_id)
            .outerjoin(
                CommitteeMember,
                sa.and_(
                    CommitteeMember.selection_id == post.selection_id,
                    CommitteeMember.user_id == user_id,
                ),
            )
        )
    if shown:
        stmt = (
            stmt.add_columns(AssessmentResult, InterviewScore)
            .outerjoin(AssessmentResult, AssessmentResult.application_id == Application.id)
            .outerjoin(InterviewScore, _scored(member, user_id))
            .order_by(InterviewScore.id)
        )
    return stmt


# What the answer reads of an application without a query: its columns and these relations.
_SHOWN = frozenset({"state", "version", "submitted_at", "candidate_id", "position", "candidate"})


def _loaded(application: Application) -> bool:
    """Whether the answer can be read from the row as it is (nothing it shows is expired)."""
    state = sa.inspect(application)
    if state.unloaded & _SHOWN:
        return False
    position = sa.inspect(application.position)
    selection = "selection" not in position.unloaded and application.position.selection
    return selection is not False and not sa.inspect(selection).unloaded & {"title", "state"}


def application_shown(
    application: Application,
    *,
    verdict: ScreeningVerdict | None | bool = False,
    documents: list[ApplicationDocument] | None = None,
    scores: Scores | None = None,
) -> ApplicationShown:
    """Return an application with its documents, verdict and the scores the caller may see.

    ``verdict``: the application's verdict when the caller holds it (None: it has none);
    ``documents`` (current ones, with their files, by id) and ``scores`` (``_scores``) when
    the caller has them. What is not given is read from the database.
    """
    if not _loaded(application):
        # The identity key, not .id: reading an attribute of a row a commit expired reloads it.
        application = _load_application(sa.inspect(application).identity[0]) or application
    if documents is None:
        documents = db.session.scalars(
            sa.select(ApplicationDocument)
            .where(
                ApplicationDocument.application_id == application.id,
                ApplicationDocument.superseded_at.is_(None),
            )
            .options(joinedload(ApplicationDocument.file))
            .order_by(ApplicationDocument.id)
        ).all()
    if verdict is False:
        verdict = db.session.scalar(
            sa.select(ScreeningVerdict).where(ScreeningVerdict.application_id == application.id)
        )
    assessment_result, interview_scores = _scores(application) if scores is None else scores
    return ApplicationShown(
        application, list(documents), verdict, assessment_result, interview_scores
    )


# --- profile --------------------------------------------------------------------------


def _form_value(value: Any) -> Any:
    # parse_profile reads form text: flags as "1"/"", numbers and dates as typed.
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, list):
        return [{k: _form_value(v) for k, v in row.items()} for row in value]
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@bp.operation(
    "/profile",
    "PUT",
    summary="Save the caller's candidate profile (candidate)",
    tag="applications",
    body=True,
)
@bp.arguments(ProfileRequestSchema)
@bp.response(200, ProfileSchema, description="The saved profile")
def put_profile(body: dict):
    """Validate and store the candidate's profile with the portal's rules."""
    require(Role.CANDIDATE)
    candidate = actor()
    return portal.save_profile(candidate, {k: _form_value(v) for k, v in body.items()})


# --- applications ---------------------------------------------------------------------


def _announced_position(position_id: int) -> Position:
    """Return a post of a selection in its announcement.

    :raises NotFound: when there is no such post, or its selection is not announced.
    """
    position = db.session.scalar(
        sa.select(Position)
        .where(Position.id == position_id)
        .options(joinedload(Position.selection))
    )
    if position is None or position.selection.state != SelectionState.ANNOUNCEMENT:
        raise NotFound()
    return position


def _check_uploads(max_bytes: int) -> None:
    """Check every uploaded file before anything is written.

    :raises BadRequestBody: for a file field that is not a required document (by name).
    :raises ValidationFailed: naming each document that is not a readable, safe PDF.
    """
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


def _require_profile(candidate: User) -> Any:
    """Return the candidate's profile.

    :raises ValidationFailed: when the candidate has not saved a profile yet.
    """
    profile = portal.get_profile(candidate)
    if profile is None:
        raise ValidationFailed(
            Reason(
                "application.no_profile",
                N_("Save your profile (PUT /api/v1/profile) before applying."),
            )
        )
    return profile


def _draft_application(candidate: User, position: Position) -> Application:
    """Return the candidate's draft application to the post, opening one when there is none.

    The draft is read with its relations under the row lock its submission takes (one query).

    :raises ValidationFailed: when a new one may not be opened (see ``start_application``).
    """
    return read_locked(
        db.session,
        sa.select(Application)
        .where(
            Application.position_id == position.id,
            Application.candidate_id == candidate.id,
            Application.state == ApplicationState.DRAFT,
        )
        .options(*_WITH_RELATIONS),
    ) or portal.start_application(candidate, position)


class FormFlag(ma.fields.Boolean):
    """A form's tick box: 1, true, yes or on (any case) ticks it; anything else does not."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        return str(value).strip().lower() in {"1", "true", "yes", "on"}


class ApplyForm(Body):
    """Apply's text fields (the files are checked by ``_check_uploads``)."""

    submit = FormFlag()


# The whole multipart form as documented: submit and one PDF per required document.
ApplyUpload = ApplyForm.from_dict(
    {
        code: ma.fields.Raw(
            metadata={"type": "string", "format": "binary", "description": "The PDF."}
        )
        for code in REQUIRED_DOCUMENTS
    },
    name="ApplicationUploadSchema",
)
APPLY_BODY = {
    "required": True,
    "description": (
        "One PDF per required document, each in a file field named by the document's code; "
        "submit=true submits the application once every document is in."
    ),
    "content": {"multipart/form-data": {"schema": ApplyUpload}},
}


@bp.operation(
    "/positions/<int:position_id>/applications",
    "POST",
    summary="Apply to a post with the required documents as PDF files (candidate)",
    tag="applications",
    body=True,
)
@bp.doc(requestBody=APPLY_BODY)
@bp.response(201, ApplicationSchema, description="The application (draft, or submitted when asked)")
def apply(position_id: int) -> Any:
    """Open (or continue) the caller's application, upload the files, submit when asked.

    Every file is checked before anything is written; a later failure (e.g. the submit
    guard) leaves the draft with its documents, and a new request continues it.
    """
    received = clock.now()  # a submission is in time or not as of its arrival
    require(Role.CANDIDATE)
    candidate = actor()
    position = _announced_position(position_id)
    fields = bp.ARGUMENTS_PARSER.parse(ApplyForm(), location="form")
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    _check_uploads(max_bytes)
    profile = _require_profile(candidate)
    application = _draft_application(candidate, position)
    for code, upload in request.files.items():
        portal.upload_document(application, candidate, code, upload, max_bytes)
    with kept_after_commit():  # the answer shows the application as the submission left it
        if fields.get("submit"):
            portal.submit_application(application, candidate, received=received, profile=profile)
        shown = application_shown(application)
    location = url_for("api.get_application_get", application_id=application.id)
    return shown, 201, {"Location": location}


@bp.operation(
    "/applications/<int:application_id>",
    "GET",
    summary="An application: state, post, documents, verdict and the scores you may see",
    tag="applications",
)
@bp.response(200, ApplicationSchema, description="The application")
def get_application(application_id: int) -> ApplicationShown:
    """Return one application to its candidate or to the selection's staff and committee."""
    return application_shown(visible_application(application_id))


@bp.operation(
    "/applications/<int:application_id>/verdict",
    "POST",
    summary="Record the administrative screening verdict (committee, secretariat)",
    tag="applications",
    body=True,
)
@bp.arguments(VerdictRequestSchema)
@bp.response(200, ApplicationSchema, description="The application after the verdict")
def post_verdict(body: dict, application_id: int) -> ApplicationShown:
    """Pass or fail an application through the screening service."""
    # One query for the row under the lock fire() takes, its relations, the caller's seat
    # and the answer's scores (the verdict changes none); held, so visible_application finds
    # it loaded. The answer's documents are those the rules were evaluated on. The rows are
    # kept as committed, so dumping them afterwards reads nothing again.
    loaded, scores = _load_for_write(application_id, with_scores=True)
    application = visible_application(application_id)
    del loaded
    with screening.evaluated(application) as screened, kept_after_commit():
        fired = screening.record_verdict(
            application,
            actor(),
            body["passed"],
            body.get("reason", ""),
            expected_version=body.get("expected_version"),
        )
        verdict = fired.outputs["screening_verdict"]
        return application_shown(
            application, verdict=verdict, documents=screened.documents, scores=scores
        )


@bp.operation(
    "/applications/<int:application_id>/scores/<component>",
    "PUT",
    summary=(
        "Enter a score: assessment, paper, track_record, health, psych (secretariat) or "
        "interview (each committee member)"
    ),
    tag="applications",
    body=True,
)
@bp.arguments(ScoreRequestSchema)
@bp.response(200, ApplicationSchema, description="The application with the scores you may see")
def put_score(body: dict, application_id: int, component: str) -> ApplicationShown:
    """Route the component to the assessment or interview service."""
    if component != "interview" and component not in ASSESSMENT_COMPONENTS:
        raise NotFound()
    body = _component_body(component)
    # Held: one query for its post, selection and the caller's seat.
    loaded, _none = _load_for_write(application_id, with_scores=False, locked=False)
    application = visible_application(application_id)
    del loaded
    with kept_after_commit():  # the answer reads the new scores, not the row again
        _write_score(application, component, body)
        return application_shown(application)


def _component_body(component: str) -> dict[str, Any]:
    """Load the body again with the component's own schema (which fields it requires).

    :raises BadRequestBody: for a field the component does not take, or one it lacks.
    """
    schema = SCORE_BODIES[component]()
    try:
        return schema.load(request.get_json())
    except ma.ValidationError as error:
        raise BadRequestBody(reasons_of(error.messages, schema)) from None


def _write_score(application: Application, component: str, body: dict) -> None:
    """Write the component's loaded body through its stage."""
    if component == "interview":
        interview.submit_score(
            actor(), application, Decimal(str(body["score"])), body.get("notes", "")
        )
    else:
        fields = {
            target: Decimal(str(body[name])) if name == "score" else body[name]
            for name, target in ASSESSMENT_COMPONENTS[component].items()
            if name in body
        }
        assessment.save_result(application, actor(), **fields)


@bp.operation(
    "/applications/<int:application_id>/conflicts",
    "POST",
    summary="Declare your conflict of interest with this candidate (committee member)",
    tag="applications",
    body=True,
)
@bp.arguments(ConflictRequestSchema)
@bp.response(201, ConflictSchema, description="The declaration")
def post_conflict(body: dict, application_id: int):
    """Record a member's recusal through the interview service."""
    application = visible_application(application_id)
    declaration = interview.declare_conflict(actor(), application, body["reason"])
    location = url_for("api.get_application_get", application_id=application.id)
    return declaration, 201, {"Location": location}
