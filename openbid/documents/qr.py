"""QR codes for the verification link printed on every document."""

from __future__ import annotations

import base64
import functools
import io

import segno

# Pixels per QR module in the PNG: 1.6 cm wide in print is then above 500 dpi, sharp even in
# viewers that smooth images (the footer also asks for no smoothing).
PNG_SCALE = 10


def _code(url: str) -> segno.QRCode:
    """Make the QR code of ``url``: full QR (never Micro QR), error correction level M."""
    if not url:
        raise ValueError("a QR code needs a URL")
    return segno.make(url, error="m", micro=False, boost_error=False)


@functools.lru_cache(maxsize=256)
def qr_png_data_uri(url: str) -> str:
    """Return a QR code of ``url`` as a black-and-white PNG data URI; same URL, same URI.

    What documents print: WeasyPrint embeds a PNG once and places it on every page, while
    it parses and draws an SVG's path again for each page (a twentieth of a long document's
    render). A two-module quiet zone: it is printed small in the page footer and must scan.
    """
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=PNG_SCALE, border=2, dark="#000", light="#fff")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
