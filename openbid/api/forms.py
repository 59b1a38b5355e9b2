"""Multipart requests of the API: text fields checked against a schema, uploaded PDFs read."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from openbid import uploads
from openbid.api.spec import validate_body
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


def form_body(schema: dict, integers: tuple[str, ...] = (), flags: tuple[str, ...] = ()) -> dict:
    """Return multipart text fields as a dict validated against schema (files excluded).

    :raises BadRequestBody: for unknown fields (by name) or a wrong value.
    """
    data: dict[str, Any] = dict(request.form.items())
    for name in integers:
        if name in data and data[name].strip().isdigit():
            data[name] = int(data[name])
    for name in flags:
        if name in data:
            data[name] = data[name].strip().lower() in {"1", "true", "yes", "on"}
    validate_body(schema, data)
    return data
