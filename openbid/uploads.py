"""Checking uploaded files by their content, never by their name."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from openbid.rules.reasons import N_, Reason

PDF_MAGIC = b"%PDF-"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def read_upload(upload: FileStorage | None, max_bytes: int) -> tuple[bytes, list[Reason]]:
    """Read an upload without holding more than max_bytes + 1 in memory; return bytes, reasons."""
    if upload is None or not upload.filename:
        return b"", [Reason("upload.missing", N_("Choose a file to upload."))]
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return b"", [
            Reason(
                "upload.too_large",
                N_("The file is larger than %(limit)s MB; upload a smaller PDF."),
                {"limit": _mb(max_bytes)},
            )
        ]
    return data, []


def check_pdf(data: bytes, max_bytes: int) -> list[Reason]:
    """Return why data is not an acceptable PDF (empty, too large, not PDF, encrypted, no pages)."""
    if not data:
        return [Reason("upload.empty", N_("The file is empty."))]
    if len(data) > max_bytes:
        return [
            Reason(
                "upload.too_large",
                N_("The file is larger than %(limit)s MB; upload a smaller PDF."),
                {"limit": _mb(max_bytes)},
            )
        ]
    if not data.lstrip()[:5].startswith(PDF_MAGIC):
        return [
            Reason(
                "upload.not_pdf",
                N_("The file is not a PDF document, whatever its name says; save it as PDF."),
            )
        ]
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return [
                Reason(
                    "upload.encrypted",
                    N_("The PDF is password-protected; upload a copy without a password."),
                )
            ]
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return [Reason("upload.corrupt", N_("The PDF is damaged and cannot be opened."))]
    if pages == 0:
        return [Reason("upload.no_pages", N_("The PDF has no pages."))]
    return []
