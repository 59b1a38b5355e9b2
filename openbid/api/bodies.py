"""API v1 for an oversight body's own administration (its scope and its reviewers' accounts)
and for committee-composition exceptions; the same roles, checks and reasons as the pages.

Each resource is one marshmallow declaration: it loads the request, dumps the stage's own
objects (``OversightBody``, ``User``, ``ExceptionView``) and documents both.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from werkzeug.exceptions import NotFound

from openbid.api.blueprint import actor, bp
from openbid.api.fields import Body, Id, OneOf, Out, Text, derived
from openbid.api.visibility import visible_selection
from openbid.extensions import db
from openbid.models import OversightBody, SelectionEvent, User
from openbid.rules.committee import OVERRIDABLE_RULES
from openbid.stages import accounts, documents, planning
from openbid.stages.oversight.scope import supervised_agencies
from openbid.workflow import fire


class ReviewerSchema(Out):
    """A reviewer account of the body."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    position = derived(ma.fields.String(required=True), lambda u: u.position_title)
    active = ma.fields.Boolean(required=True)
    administrator = derived(ma.fields.Boolean(required=True), lambda u: u.body_admin)


def _signer(body: OversightBody) -> str | None:
    signer = documents.issuer_signer(documents.OVERSIGHT, body.code)
    return signer.subject_name if signer is not None else None


class OversightBodySchema(Out):
    """The caller's body: its scope, its numbering, its signer, its reviewers."""

    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    provinces = derived(
        ma.fields.List(ma.fields.String(), required=True), lambda b: list(b.provinces or [])
    )
    agencies = derived(
        ma.fields.List(ma.fields.String(), required=True),
        lambda b: [a.name for a in supervised_agencies(db.session, b)],
    )
    service_level_days = ma.fields.Integer(required=True)
    numbering_pattern = ma.fields.String(required=True)
    signer = derived(ma.fields.String(required=True, allow_none=True), _signer)
    reviewers = derived(
        ma.fields.List(ma.fields.Nested(ReviewerSchema), required=True), accounts.body_reviewers
    )


class NewReviewerBody(Body):
    """A reviewer to create: name and email, optionally a position."""

    name = Text(min_length=None, max_length=200, required=True)
    email = Text(min_length=None, max_length=200, required=True)
    position = Text(min_length=None, max_length=200)


class ReviewerPasswordSchema(Out):
    """An account with its (new) password, shown in this answer only."""

    reviewer = ma.fields.Nested(ReviewerSchema, required=True)
    initial_password = ma.fields.String(required=True)


class CommitteeExceptionBody(Body):
    """An exception to a composition rule: which rule, why, the version read."""

    rule = ma.fields.String(required=True, validate=OneOf(sorted(OVERRIDABLE_RULES)))
    justification = Text(max_length=2000, required=True)
    expected_version = Id()


class CommitteeExceptionSchema(Out):
    """An exception on file, who recorded it, when the body agreed (null: not yet)."""

    id = ma.fields.Integer(required=True)
    rule = ma.fields.String(required=True)
    justification = ma.fields.String(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)
    recorded_by = ma.fields.String(required=True)
    recorded_at = ma.fields.DateTime(required=True)
    agreed_at = ma.fields.DateTime(required=True, allow_none=True)


@bp.operation(
    "/oversight/body",
    "GET",
    summary="The caller's oversight body: its scope and its reviewers (body administrator)",
    tag="oversight",
)
@bp.response(200, OversightBodySchema, description="The body")
def get_oversight_body() -> OversightBody:
    """Return the body the caller administers, with its scope and accounts."""
    return accounts.administered_body(actor())


@bp.operation(
    "/oversight/body/reviewers",
    "POST",
    summary="Create a reviewer account of the caller's body (body administrator)",
    tag="oversight",
    body=True,
)
@bp.arguments(NewReviewerBody)
@bp.response(
    201, ReviewerPasswordSchema, description="The account and its initial password, shown once"
)
def post_oversight_reviewer(body: dict) -> dict[str, Any]:
    """Create a reviewer; the initial password is in this answer only."""
    user, password = accounts.add_reviewer(
        actor(), name=body["name"], email=body["email"], title=body.get("position", "")
    )
    return {"reviewer": user, "initial_password": password}


def _own(change, user_id: int, *args):
    try:
        return change(actor(), user_id, *args)
    except LookupError:
        raise NotFound() from None


@bp.operation(
    "/oversight/body/reviewers/<int:user_id>/deactivate",
    "POST",
    summary="Deactivate a reviewer of the caller's body, ending its logins (body administrator)",
    tag="oversight",
)
@bp.response(200, ReviewerSchema, description="The account")
def post_oversight_reviewer_deactivate(user_id: int) -> User:
    """Deactivate a reviewer of the caller's body."""
    return _own(accounts.set_reviewer_active, user_id, False)


@bp.operation(
    "/oversight/body/reviewers/<int:user_id>/reactivate",
    "POST",
    summary="Let a deactivated reviewer of the caller's body log in again (body administrator)",
    tag="oversight",
)
@bp.response(200, ReviewerSchema, description="The account")
def post_oversight_reviewer_reactivate(user_id: int) -> User:
    """Reactivate a reviewer of the caller's body."""
    return _own(accounts.set_reviewer_active, user_id, True)


@bp.operation(
    "/oversight/body/reviewers/<int:user_id>/reset-password",
    "POST",
    summary="Give a reviewer a new password, ending its logins (body administrator)",
    tag="oversight",
)
@bp.response(
    200, ReviewerPasswordSchema, description="The account and its new password, shown once"
)
def post_oversight_reviewer_reset(user_id: int) -> dict[str, Any]:
    """Reset a reviewer's password; the new one is in this answer only."""
    user, password = _own(accounts.reset_reviewer_password, user_id)
    return {"reviewer": user, "initial_password": password}


@bp.operation(
    "/selections/<int:selection_id>/committee/exceptions",
    "GET",
    summary="The committee-composition exceptions on file, with the body's agreement",
    tag="plan",
)
@bp.response(200, CommitteeExceptionSchema(many=True), description="Oldest first")
def get_committee_exceptions(selection_id: int) -> list[planning.ExceptionView]:
    """List a selection's composition exceptions."""
    selection = visible_selection(selection_id)
    return planning.committee_exceptions(db.session, selection)


@bp.operation(
    "/selections/<int:selection_id>/committee/exceptions",
    "POST",
    summary="Record an exception to a broken composition rule with its justification (engine)",
    tag="plan",
    body=True,
)
@bp.arguments(CommitteeExceptionBody)
@bp.response(201, CommitteeExceptionSchema, description="The exception recorded")
def post_committee_exception(body: dict, selection_id: int) -> planning.ExceptionView:
    """Fire record_committee_exception; the engine checks role, state and the rule."""
    selection = visible_selection(selection_id)
    result = fire(
        selection,
        SelectionEvent.RECORD_COMMITTEE_EXCEPTION,
        actor(),
        {"rule": body["rule"], "reason": body["justification"]},
        expected_version=body.get("expected_version"),
    )
    exception_id = result.outputs["exception_id"]
    views = planning.committee_exceptions(db.session, selection)
    return next(v for v in views if v.id == exception_id)
