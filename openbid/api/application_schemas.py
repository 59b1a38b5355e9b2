"""The declarations of a candidate's profile and a member's conflict of interest: one schema
each loads (validates) the request, dumps the answer and is what the OpenAPI document shows.
"""

from __future__ import annotations

import marshmallow as ma

from openbid.api.fields import Body, Bool, Int, Number, OneOf, Out, Text, derived


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
