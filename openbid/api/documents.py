"""API v1 issued documents: a selection's registry and the registered PDFs, for its staff and
the agency's auditors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import url_for
from werkzeug.exceptions import NotFound

from openbid.api.blueprint import bp
from openbid.api.fields import Out, derived
from openbid.api.visibility import staff_selection
from openbid.extensions import db
from openbid.models import IssuedDocument
from openbid.stages import documents as document_service
from openbid.verify.downloads import send_document


def _of_document(name: str) -> Callable[[tuple[IssuedDocument, str]], Any]:
    return lambda row: getattr(row[0], name)


class DocumentSchema(Out):
    """An issued document (a registry row with its issuer's name): its number, hash,
    verification code and where to download and verify it."""

    id = derived(ma.fields.Integer(required=True), _of_document("id"))
    kind = derived(ma.fields.String(required=True), _of_document("kind"))
    number = derived(ma.fields.String(required=True), _of_document("number"))
    title = derived(ma.fields.String(required=True), _of_document("title"))
    sha256 = derived(ma.fields.String(required=True), _of_document("sha256"))
    verification_code = derived(ma.fields.String(required=True), _of_document("verification_code"))
    signed = derived(ma.fields.Boolean(required=True), _of_document("signed"))
    issued_at = derived(ma.fields.DateTime(required=True), _of_document("issued_at"))
    issued_by = derived(ma.fields.String(required=True), lambda row: row[1])
    download_url = derived(
        ma.fields.String(required=True),
        lambda row: url_for("api.document_file_get", document_id=row[0].id, _external=True),
    )
    verify_url = derived(
        ma.fields.String(required=True),
        lambda row: document_service.verify_url(row[0].verification_code),
    )


class DocumentListSchema(Out):
    """A selection's issued documents in issue order."""

    documents = ma.fields.List(ma.fields.Nested(DocumentSchema), required=True)


@bp.operation(
    "/selections/<int:selection_id>/documents",
    "GET",
    summary="The documents issued for the selection, with verification codes and downloads",
    tag="documents",
)
@bp.response(200, DocumentListSchema, description="The documents in issue order")
def list_documents(selection_id: int) -> dict[str, Any]:
    """List the selection's issued documents (the Documents tab's and the auditor area's)."""
    selection = staff_selection(selection_id)
    return {"documents": document_service.selection_documents(db.session, selection.id)}


@bp.operation(
    "/documents/<int:document_id>/file",
    "GET",
    summary="Download an issued PDF (staff of the selection, the agency's auditors)",
    tag="documents",
)
@bp.response(200, description="The PDF (application/pdf)")
def document_file(document_id: int):
    """Send the registered PDF, checked against its hash on the way out."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.selection_id is None:
        raise NotFound()
    staff_selection(document.selection_id)
    return send_document(document)
