"""What an API caller may see and do: the role gate of each route, and which selections and
applications are visible to them (the object-level decision is ``openbid.workflow.access``'s).

Something the caller may not see is answered 404, with no hint whether it exists.
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from openbid.api.blueprint import actor
from openbid.committee.blueprint import WORKSPACE_ROLES
from openbid.extensions import db
from openbid.models import Application, Role, Selection, SelectionState
from openbid.workflow import Forbidden
from openbid.workflow.access import access_reasons, roles_reason

#: Staff who write a selection's plan and paperwork.
STAFF_WRITERS = (Role.SECRETARIAT, Role.ADMIN)
#: Staff who read every application of their agency's selections.
AGENCY_READERS = (Role.ADMIN, Role.SECRETARIAT, Role.PPK, Role.AUDITOR)


def require(*roles: Role) -> None:
    """Refuse the request unless the caller has one of roles.

    :raises Forbidden: 403 with the roles allowed.
    """
    denied = roles_reason(actor(), roles)
    if denied is not None:
        raise Forbidden(denied)


def visible_selection(selection_id: int) -> Selection:
    """Return a selection the caller may see: an announced one for candidates, else as
    ``access_reasons`` allows (the agency's staff, its committee members).

    :raises NotFound: when it does not exist or is not visible (no hint which).
    """
    selection = db.session.get(Selection, selection_id)
    if selection is None:
        raise NotFound()
    if actor().role == Role.CANDIDATE:
        if selection.state != SelectionState.ANNOUNCEMENT:
            raise NotFound()
        return selection
    if access_reasons(actor(), selection, selection, db.session):
        raise NotFound()
    return selection


def visible_application(application_id: int) -> Application:
    """Return an application the caller may read: their own, or one of a selection they staff.

    :raises NotFound: when it does not exist or is not visible (no hint which).
    """
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound()
    if actor().role not in (Role.CANDIDATE, Role.COMMITTEE, *AGENCY_READERS):
        raise NotFound()
    if access_reasons(actor(), application, application.selection, db.session):
        raise NotFound()
    return application


def staff_selection(selection_id: int) -> Selection:
    """Return a selection whose documents the caller may have: the staff's Documents tab and
    the auditor area (every issued document of the agency's selections).

    :raises Forbidden: for candidates.
    :raises NotFound: when it does not exist or the caller may not see it.
    """
    require(*WORKSPACE_ROLES, Role.AUDITOR)
    return visible_selection(selection_id)
