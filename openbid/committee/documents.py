"""The Documents tab: every document issued for a selection, with downloads."""

from __future__ import annotations

from flask import Response, abort, render_template

from openbid.committee.blueprint import bp, load_selection, tab
from openbid.extensions import db
from openbid.models import IssuedDocument
from openbid.rules.reasons import N_
from openbid.stages import documents as service
from openbid.verify.downloads import send_document

tab("committee.documents", N_("Documents"), 70)


@bp.route("/<int:selection_id>/documents")
def documents(selection_id: int):
    """List the selection's issued documents in issue order."""
    selection = load_selection(selection_id)
    return render_template(
        "committee/documents.html",
        selection=selection,
        documents=service.selection_documents(db.session, selection.id),
    )


@bp.route("/<int:selection_id>/documents/<int:document_id>")
def document_download(selection_id: int, document_id: int) -> Response:
    """Send one of the selection's documents to staff who may see the selection.

    :raises NotFound: 404 for a document of another selection, or a missing file.
    """
    selection = load_selection(selection_id)
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.selection_id != selection.id:
        abort(404)
    return send_document(document)
