"""The public board at ``/``, its Atom feed and PDFs, each role's home, the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from openbid import clock
from openbid.extensions import db
from openbid.i18n import loads_with_get
from openbid.main import dashboards
from openbid.models import Role
from openbid.stages import documents, overview

bp = Blueprint("main", __name__)

FEED_ENTRIES = 50


@bp.route("/")
def index():
    """Show the public board: open selections, selections under way, published documents."""
    return render_template("main/board.html", board=overview.public_board(db.session, clock.now()))


@bp.route("/feed.atom")
def feed():
    """Serve the published documents as an Atom feed, newest first."""
    published = overview.public_documents(db.session, FEED_ENTRIES)
    updated = max((d.issued_at for d in published), default=None)
    body = render_template(
        "main/feed.xml",
        documents=published,
        selections=overview.selections_of(db.session, published),
        updated=clock.to_jakarta(updated or clock.now()),
        to_jakarta=clock.to_jakarta,
        feed_title=_("Announcements and results"),
        feed_subtitle=_("Announcements and results of open selections for senior posts"),
        code_label=_("Verification code"),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.route("/documents/<code>.pdf")
def public_pdf(code: str):
    """Download a published announcement or result, checked against its registered hash.

    :raises NotFound: 404 for any other code, a document that is not public, or a stored
        file that is missing or altered.
    """
    canonical = documents.normalise_code(code)
    found = overview.public_document(db.session, canonical) if canonical else None
    if found is None:
        abort(404)
    try:
        data = documents.document_bytes(found)
    except OSError:
        abort(404)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{documents.download_name(found)}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


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


@bp.route("/home")
@login_required
def home():
    """Show the logged-in user's home page for their role: what needs them now, and charts."""
    role = current_user.role
    requested = request.args.get("selection", type=int)
    if role == Role.CANDIDATE:
        return dashboards.candidate_home()
    if role == Role.COMMITTEE:
        return dashboards.member_home(requested)
    if role == Role.PPK:
        return dashboards.ppk_home(requested)
    if role == Role.AUDITOR:
        return dashboards.auditor_home(requested)
    if role == Role.OVERSIGHT:
        return redirect(url_for("oversight.queue"))
    return dashboards.staff_home(requested)


@bp.route("/login")
def login_shortcut():
    """Send /login to the log-in page (the board links there too)."""
    return redirect(url_for("auth.login", **request.args))
