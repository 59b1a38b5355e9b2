"""API v1 issued documents: a selection's registry and the registered PDFs, for its staff and
the agency's auditors."""

from __future__ import annotations

from flask import jsonify, url_for
from werkzeug.exceptions import NotFound

from openbid.api import schemas as s
from openbid.api.blueprint import bp
from openbid.api.spec import api_route
from openbid.api.visibility import staff_selection
from openbid.extensions import db
from openbid.models import IssuedDocument
from openbid.stages import documents as document_service
from openbid.verify.downloads import send_document


@api_route(
    bp,
    "/selections/<int:selection_id>/documents",
    "GET",
    summary="The documents issued for the selection, with verification codes and downloads",
    tag="documents",
    responses={200: ("The documents in issue order", s.DOCUMENT_LIST)},
)
def list_documents(selection_id: int):
    """List the selection's issued documents (the Documents tab's and the auditor area's)."""
    selection = staff_selection(selection_id)
    return jsonify(
        {
            "documents": [
                {
                    "id": document.id,
                    "kind": document.kind,
                    "number": document.number,
                    "title": document.title,
                    "sha256": document.sha256,
                    "verification_code": document.verification_code,
                    "signed": document.signed,
                    "issued_at": document.issued_at.isoformat(),
                    "issued_by": issuer,
                    "download_url": url_for(
                        "api.document_file_get", document_id=document.id, _external=True
                    ),
                    "verify_url": document_service.verify_url(document.verification_code),
                }
                for document, issuer in document_service.selection_documents(
                    db.session, selection.id
                )
            ]
        }
    )


@api_route(
    bp,
    "/documents/<int:document_id>/file",
    "GET",
    summary="Download an issued PDF (staff of the selection, the agency's auditors)",
    tag="documents",
    responses={200: ("The PDF (application/pdf)", None)},
)
def document_file(document_id: int):
    """Send the registered PDF, checked against its hash on the way out."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.selection_id is None:
        raise NotFound()
    staff_selection(document.selection_id)
    return send_document(document)
