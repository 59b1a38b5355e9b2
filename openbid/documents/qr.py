"""QR codes for the verification link printed on every document."""

from __future__ import annotations

import functools

import segno


@functools.lru_cache(maxsize=256)
def qr_svg_data_uri(url: str) -> str:
    """Return a QR code of ``url`` as an SVG data URI for ``<img src>``; same URL, same URI.

    Always a full QR code (never Micro QR), error correction level M, a two-module
    quiet zone: the image is printed small in the page footer and must still scan.
    """
    if not url:
        raise ValueError("a QR code needs a URL")
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return code.svg_data_uri(
        border=2, svgclass=None, lineclass=None, dark="#000", omit_charset=True
    )
