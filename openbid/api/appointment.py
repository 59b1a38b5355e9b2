"""API v1 the appointment stage's corrections: correcting an assessment figure after the
freeze, and revising a post's three best from the corrected data, with a reason.

The same role (the agency's secretariat), states and reasons as the appointment page,
through ``stages.appointment``. The override of a post with fewer than three qualified is
an approval letter: ``POST /selections/{id}/approvals`` with ``purpose=shortlist_override``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from werkzeug.exceptions import NotFound

from openbid.api.blueprint import actor, bp
from openbid.api.fields import Body, Id, OneOfTypes, Out, Text
from openbid.api.ranking import FrozenSchema
from openbid.api.visibility import require, visible_selection
from openbid.extensions import db
from openbid.models import Application, Position, Role, Selection
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import appointment


def _post(selection_id: int, position_id: int) -> tuple[Selection, Position]:
    """Return the selection and its post for the secretariat to change.

    :raises NotFound: for a selection the caller may not see or a post of another one.
    :raises Forbidden: for any role but the secretariat.
    """
    selection = visible_selection(selection_id)
    require(Role.SECRETARIAT)
    position = db.session.get(Position, position_id)
    if position is None or position.selection_id != selection.id:
        raise NotFound()
    return selection, position


class RevisionRequestSchema(Body):
    """Why the post's three best are revised."""

    reason = Text(required=True, min_length=0, max_length=2000)


class RevisionSchema(Out):
    """A post's new frozen revision."""

    selection_id = ma.fields.Integer(required=True)
    position_id = ma.fields.Integer(required=True)
    frozen = ma.fields.Nested(FrozenSchema, required=True, allow_none=True)


class CorrectionRequestSchema(Body):
    """One assessment figure of a candidate of the post to correct, and why."""

    application_id = Id(required=True)
    # Any name: the stage refuses a field it cannot correct, with its reason.
    field = Text(required=True, min_length=0, max_length=60)
    # A score ("85.5" or 85.5) or, for the fitness fields, a fit/unfit answer.
    value = OneOfTypes(["string", "number", "boolean"], max_length=20, required=True)
    reason = Text(required=True, min_length=0, max_length=2000)


class CorrectionSchema(Out):
    """The corrected figure as stored."""

    selection_id = ma.fields.Integer(required=True)
    position_id = ma.fields.Integer(required=True)
    application_id = ma.fields.Integer(required=True)
    field = ma.fields.String(required=True)
    value = OneOfTypes(["string", "boolean", "null"], required=True)


@bp.operation(
    "/selections/<int:selection_id>/positions/<int:position_id>/revisions",
    "POST",
    summary="Recompute a post's ranking and freeze it as a new revision of its three best, "
    "with the reason (secretariat, before anyone is appointed)",
    tag="appointment",
    body=True,
)
@bp.arguments(RevisionRequestSchema)
@bp.response(201, RevisionSchema, description="The new frozen revision")
def post_revision(body: dict[str, Any], selection_id: int, position_id: int):
    """Revise through ``appointment.revise_shortlist``; candidates follow the new three best."""
    selection, position = _post(selection_id, position_id)
    result = appointment.revise_shortlist(position, actor(), body["reason"])
    answer = {"selection_id": selection.id, "position_id": position.id, "frozen": result}
    return answer, 201, {"Location": url_for("api.get_ranking_get", selection_id=selection.id)}


def _application_of(position: Position, application_id: int) -> Application:
    """Return an application to the post.

    :raises ValidationFailed: when it is not one (the page's list offers only those).
    """
    application = db.session.get(Application, application_id)
    if application is None or application.position_id != position.id:
        raise ValidationFailed(
            Reason(
                "appointment.application_post",
                N_("Application %(id)s is not an application for this post."),
                {"id": application_id},
            )
        )
    return application


@bp.operation(
    "/selections/<int:selection_id>/positions/<int:position_id>/corrections",
    "POST",
    summary="Correct one assessment figure of a candidate of the post after the freeze, with "
    "the reason; revise the post's three best to apply it (secretariat)",
    tag="appointment",
    body=True,
)
@bp.arguments(CorrectionRequestSchema)
@bp.response(200, CorrectionSchema, description="The corrected figure")
def post_correction(body: dict[str, Any], selection_id: int, position_id: int):
    """Correct through ``appointment.correct_assessment`` (the frozen ranking is untouched)."""
    selection, position = _post(selection_id, position_id)
    application = _application_of(position, body["application_id"])
    # As the page's form sends it: text ("true" and "false" read as fit and unfit).
    value = str(body["value"]).lower() if isinstance(body["value"], bool) else str(body["value"])
    result = appointment.correct_assessment(
        application, actor(), field=body["field"], value=value, reason=body["reason"]
    )
    stored = getattr(result, body["field"])
    return {
        "selection_id": selection.id,
        "position_id": position.id,
        "application_id": application.id,
        "field": body["field"],
        "value": stored if isinstance(stored, bool) or stored is None else str(stored),
    }
