"""The home page per role, and the language switch."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required

from openbid.extensions import db
from openbid.i18n import loads_with_get
from openbid.models import Application, CommitteeMember, Position, Role, Selection

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Send visitors to log in and users to their home page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language for this session."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.form.get("next", "")
    return redirect(target if loads_with_get(target) else "/")


@bp.route("/favicon.ico")
def favicon():
    """Serve the site's icon where browsers and crawlers look for it."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )


def _agency_selections() -> list[Selection]:
    return db.session.scalars(
        sa.select(Selection)
        .where(Selection.agency_id == current_user.agency_id)
        .order_by(Selection.start_date.desc(), Selection.id.desc())
    ).all()


def _member_selections() -> list[Selection]:
    return db.session.scalars(
        sa.select(Selection)
        .join(CommitteeMember, CommitteeMember.selection_id == Selection.id)
        .where(CommitteeMember.user_id == current_user.id)
        .order_by(Selection.start_date.desc(), Selection.id.desc())
    ).all()


def _own_applications() -> list[Application]:
    return db.session.scalars(
        sa.select(Application)
        .where(Application.candidate_id == current_user.id)
        .options(sa.orm.joinedload(Application.position).joinedload(Position.selection))
        .order_by(Application.id.desc())
    ).all()


@bp.route("/home")
@login_required
def home():
    """Show the logged-in user's home page for their role."""
    role = current_user.role
    if role == Role.CANDIDATE:
        return render_template("main/home_candidate.html", applications=_own_applications())
    if role == Role.COMMITTEE:
        return render_template("main/home_committee.html", selections=_member_selections())
    return render_template(f"main/home_{role.value}.html", selections=_agency_selections())
