"""The workspace blueprint, its role gate, and the tabs of a selection's pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import Blueprint, abort, current_app
from flask_login import current_user

from openbid.auth import require_roles
from openbid.extensions import db
from openbid.models import Application, Position, Role, Selection
from openbid.rules.reasons import Reason
from openbid.stages import overview
from openbid.workflow.engine import access_reasons

bp = Blueprint("committee", __name__, url_prefix="/selections")

WORKSPACE_ROLES = (Role.ADMIN, Role.SECRETARIAT, Role.COMMITTEE, Role.PPK)


@bp.before_request
def _gate() -> None:
    require_roles(*WORKSPACE_ROLES)


def load_selection(selection_id: int) -> Selection:
    """Return the selection if the current user may see it.

    :raises NotFound: 404 when it does not exist or belongs to another agency, or the user is
        a committee member not seated on it (no hint that it exists).
    """
    selection = db.session.get(Selection, selection_id)
    if selection is None or access_reasons(current_user, selection, selection, db.session):
        abort(404)
    return selection


def load_application(selection: Selection, application_id: int) -> Application:
    """Return an application of this selection.

    :raises NotFound: 404 for an application of another selection or none at all.
    """
    application = db.session.scalar(
        sa.select(Application)
        .join(Position)
        .where(Application.id == application_id, Position.selection_id == selection.id)
    )
    if application is None:
        abort(404)
    return application


@dataclass(frozen=True)
class Tab:
    """A tab of the selection pages: its endpoint (takes selection_id), English label, and
    the roles its page answers (a tab that would answer 403 is not shown)."""

    endpoint: str
    label: str
    order: int
    roles: tuple[Role, ...] = WORKSPACE_ROLES


TABS: list[Tab] = []


def tab(
    endpoint: str, label: str, order: int, *, roles: tuple[Role, ...] = WORKSPACE_ROLES
) -> None:
    """Register a tab; a stage module calls it once for its main page, naming who may open it."""
    TABS.append(Tab(endpoint, label, order, tuple(roles)))
    TABS.sort(key=lambda t: t.order)


@bp.app_template_global()
def selection_tabs() -> list[Tab]:
    """Return the registered tabs whose endpoints exist in this app and the user may open."""
    return [
        t for t in TABS if t.endpoint in current_app.view_functions and current_user.role in t.roles
    ]


@bp.app_template_global()
def reason_lines(reasons: Sequence[Reason]) -> list[overview.ReasonLine]:
    """Return the reasons beside a button grouped, linked only to pages the user may open."""
    allowed = {t.endpoint for t in selection_tabs()}
    return [
        line if line.endpoint in allowed else replace(line, endpoint=None, anchor=None)
        for line in overview.reason_lines(reasons)
    ]
