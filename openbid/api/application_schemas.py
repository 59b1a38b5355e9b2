"""The declarations of a candidate's profile, an application, the stages' inputs on it and a
member's conflict of interest: one schema each loads (validates) the request, dumps the answer
and is what the OpenAPI document shows.
"""

from __future__ import annotations

import marshmallow as ma

from openbid.api.fields import Body, Bool, Id, Int, Number, OneOf, Out, Text, derived


class HistoryRowSchema(Body):
    """A post the candidate held."""

    position = Text(required=True, min_length=0, max_length=200)
    level = ma.fields.String(
        required=True, validate=OneOf(["administrator", "ahli_madya", "other"])
    )
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(allow_none=True)


class RatingSchema(Body):
    """A year's performance rating."""

    year = Int(required=True, minimum=1950, maximum=2100)
    rating = Text(required=True, min_length=0, max_length=40)


class ProfileRequestSchema(Body):
    """The candidate's profile, as the portal's profile form takes it."""

    name = Text(required=True, min_length=0, max_length=200)
    nip = Text(required=True, min_length=0, max_length=30)
    birth_place = Text(required=True, min_length=0, max_length=120)
    phone = Text(required=True, min_length=0, max_length=40)
    rank = Text(required=True, min_length=0, max_length=10)
    education = Text(required=True, min_length=0, max_length=10)
    education_major = Text(min_length=0, max_length=200)
    is_pns = Bool()
    agency_name = Text(required=True, min_length=0, max_length=200)
    current_position = Text(required=True, min_length=0, max_length=200)
    current_position_since = ma.fields.Date(required=True)
    related_experience_years = Number(required=True, minimum=0, maximum=50)
    history = ma.fields.List(
        ma.fields.Nested(HistoryRowSchema), validate=ma.validate.Length(max=20)
    )
    ratings = ma.fields.List(ma.fields.Nested(RatingSchema), validate=ma.validate.Length(max=10))
    sanction_level = Text(min_length=0, max_length=20)
    sanction_date = ma.fields.Date(allow_none=True)
    under_disciplinary_examination = Bool()
    lhkpn_lodged = Bool()
    own_ppk_approval = Bool()


class ProfileSchema(Out):
    """A candidate's saved profile (the account's name beside it)."""

    name = derived(ma.fields.String(required=True), lambda p: p.user.name)
    nip = ma.fields.String(required=True)
    birth_date = ma.fields.Date(required=True)
    gender = ma.fields.String()
    birth_place = ma.fields.String()
    phone = ma.fields.String()
    rank = ma.fields.String(required=True)
    education = ma.fields.String(required=True)
    education_major = ma.fields.String()
    is_pns = ma.fields.Boolean()
    agency_name = ma.fields.String()
    current_position = ma.fields.String()
    current_position_since = ma.fields.Date()
    related_experience_years = ma.fields.Float()
    admin_years = ma.fields.Float()
    history = derived(ma.fields.List(ma.fields.Dict()), lambda p: p.position_history)
    ratings = derived(ma.fields.List(ma.fields.Dict()), lambda p: p.performance_ratings)
    sanction_level = ma.fields.String()
    sanction_date = ma.fields.Date(allow_none=True)
    under_disciplinary_examination = ma.fields.Boolean()
    lhkpn_lodged = ma.fields.Boolean()
    own_ppk_approval = ma.fields.Boolean()


class ConflictRequestSchema(Body):
    """Why the member recuses themself from this candidate."""

    reason = Text(required=True, max_length=2000)


class ConflictSchema(Out):
    """A member's declared conflict of interest with a candidate."""

    id = ma.fields.Integer(required=True)
    member_id = ma.fields.Integer(required=True)
    application_id = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)
    declared_at = ma.fields.DateTime(required=True)


# --- an application and the stages' inputs on it ----------------------------------------


class ApplicationCandidateSchema(Out):
    """Who applied."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class ApplicationPostSchema(Out):
    """The post applied to."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String()


class ApplicationSelectionSchema(Out):
    """The selection of the post."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)


class ApplicationDocumentSchema(Out):
    """A current document of the application, by its code."""

    code = derived(ma.fields.String(required=True), lambda d: d.doc_type)
    sha256 = derived(ma.fields.String(required=True), lambda d: d.file.sha256)
    original_name = ma.fields.String()
    uploaded_at = ma.fields.DateTime(required=True)


class ApplicationVerdictSchema(Out):
    """The administrative screening verdict."""

    passed = ma.fields.Boolean(required=True)
    reason = ma.fields.String(required=True)


class AssessmentResultSchema(Out):
    """The candidate's assessment results (null fields: not entered)."""

    assessment_score = ma.fields.Float(allow_none=True)
    assessment_category = ma.fields.String(allow_none=True)
    assessed_on = ma.fields.Date(allow_none=True)
    assessment_centre = ma.fields.String(allow_none=True)
    paper_score = ma.fields.Float(allow_none=True)
    track_record_score = ma.fields.Float(allow_none=True)
    health_fit = ma.fields.Boolean(allow_none=True)
    psych_fit = ma.fields.Boolean(allow_none=True)


class InterviewScoreSchema(Out):
    """A member's interview score."""

    member_id = ma.fields.Integer(required=True)
    score = ma.fields.Float(required=True)
    notes = ma.fields.String()
    submitted_at = ma.fields.DateTime()


class ApplicationScoresSchema(Out):
    """The scores the caller may see: none for candidates, their own interview for members."""

    assessment = ma.fields.Nested(AssessmentResultSchema, required=True, allow_none=True)
    interview = ma.fields.List(ma.fields.Nested(InterviewScoreSchema), required=True)


class ApplicationSchema(Out):
    """An application: state, post, documents, verdict and the scores the caller may see.

    Dumps an ``ApplicationShown`` (``api/applications.py``): every part already loaded.
    """

    id = derived(ma.fields.Integer(required=True), lambda v: v.application.id)
    state = derived(ma.fields.String(required=True), lambda v: v.application.state)
    version = derived(ma.fields.Integer(required=True), lambda v: v.application.version)
    submitted_at = derived(
        ma.fields.DateTime(allow_none=True), lambda v: v.application.submitted_at
    )
    candidate = derived(
        ma.fields.Nested(ApplicationCandidateSchema), lambda v: v.application.candidate
    )
    post = derived(
        ma.fields.Nested(ApplicationPostSchema, required=True), lambda v: v.application.position
    )
    selection = derived(
        ma.fields.Nested(ApplicationSelectionSchema, required=True),
        lambda v: v.application.position.selection,
    )
    documents = ma.fields.List(ma.fields.Nested(ApplicationDocumentSchema), required=True)
    screening = derived(
        ma.fields.Nested(ApplicationVerdictSchema, required=True, allow_none=True),
        lambda v: v.verdict,
    )
    scores = derived(ma.fields.Nested(ApplicationScoresSchema, required=True), lambda v: v)


class VerdictRequestSchema(Body):
    """The screening verdict: passed or not, why, the version read."""

    passed = Bool(required=True)
    reason = Text(min_length=None, max_length=2000)
    expected_version = Id()


_SCORE = {"minimum": 0, "maximum": 100}


class AssessmentScoreBody(Body):
    """The competency assessment's result."""

    score = Number(required=True, **_SCORE)
    category = Text(min_length=None, max_length=40)
    assessed_on = ma.fields.Date(required=True)
    centre = Text(min_length=None, max_length=200, required=True)


class ScoreBody(Body):
    """A score from 0 to 100 (paper, track record)."""

    score = Number(required=True, **_SCORE)


class FitBody(Body):
    """Fit or not (health, psych)."""

    fit = Bool(required=True)


class InterviewScoreBody(Body):
    """A member's interview score, with optional notes."""

    score = Number(required=True, **_SCORE)
    notes = Text(min_length=None, max_length=2000)


# The body each component takes; the route documents their union (ScoreRequestSchema).
SCORE_BODIES: dict[str, type[Body]] = {
    "assessment": AssessmentScoreBody,
    "paper": ScoreBody,
    "track_record": ScoreBody,
    "health": FitBody,
    "psych": FitBody,
    "interview": InterviewScoreBody,
}


class ScoreRequestSchema(Body):
    """Any component's fields; the component in the path picks those required."""

    score = Number(**_SCORE)
    category = Text(min_length=None, max_length=40)
    assessed_on = ma.fields.Date()
    centre = Text(min_length=None, max_length=200)
    fit = Bool()
    notes = Text(min_length=None, max_length=2000)
