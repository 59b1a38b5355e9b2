"""Opening an application: the row every later stage works on, in its machine's initial state.

The candidate's portal (``stages.applications.start_application``) opens one after checking
that registration is open; the planning stage re-exports it for seeding (tests, the demo).
"""

from __future__ import annotations

import sqlalchemy as sa

from openbid import audit
from openbid.extensions import db
from openbid.models import Application, Position, Role, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.workflow import workflows


def create_application(position: Position, candidate: User, *, commit: bool = True) -> Application:
    """Start a candidate's application to a post, in the application machine's initial state.

    :raises ValidationFailed: when the user is not a candidate or already applied to the post.
    """
    if candidate.role != Role.CANDIDATE:
        raise ValidationFailed(Reason("application.role", N_("Only candidates can apply.")))
    exists = db.session.scalar(
        sa.select(Application.id).where(
            Application.position_id == position.id, Application.candidate_id == candidate.id
        )
    )
    if exists is not None:
        raise ValidationFailed(
            Reason("application.duplicate", N_("You have already applied to this post."))
        )
    selection = position.selection
    definition = workflows().get(selection.workflow_key, selection.workflow_version)
    application = Application(
        position=position, candidate=candidate, state=definition.machine("application").initial
    )
    db.session.add(application)
    db.session.flush()
    audit.append(
        db.session,
        event="application_created",
        actor=candidate,
        subject_type="application",
        subject_id=application.id,
        selection_id=selection.id,
        to_state=application.state,
        payload={"position_id": position.id, "position": position.name},
    )
    if commit:
        db.session.commit()
    return application
