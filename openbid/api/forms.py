"""Multipart requests of the API: an uploaded PDF read (the text fields are a schema's)."""

from __future__ import annotations

from flask import current_app, request

from openbid import uploads
from openbid.rules.reasons import ValidationFailed


def pdf_field(name: str) -> tuple[bytes | None, str]:
    """Return an optional uploaded PDF's bytes and file name.

    :raises ValidationFailed: when a file was sent but cannot be read.
    """
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None, ""
    data, reasons = uploads.read_upload(upload, current_app.config["UPLOAD_MAX_BYTES"])
    if reasons:
        raise ValidationFailed(reasons)
    return data, upload.filename
