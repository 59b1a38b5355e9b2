"""Sending registered PDFs to people allowed to have them (staff, auditors)."""

from __future__ import annotations

from flask import Response, abort

from openbid.models import IssuedDocument
from openbid.stages import documents as service


def send_document(document: IssuedDocument) -> Response:
    """Return a registered PDF as a download, checked against its hash on the way out.

    :raises NotFound: 404 when the stored file is missing or altered.
    """
    try:
        data = service.document_bytes(document)
    except OSError:
        abort(404)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{service.download_name(document)}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
