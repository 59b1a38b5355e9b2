"""QR codes for verification links."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import pytest
from PIL import Image

from openbid.documents.qr import PNG_SCALE, qr_png_data_uri

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

URL = "https://openbid.example/verify/37B5-6434"


def test_qr_is_an_embeddable_png_data_uri() -> None:
    uri = qr_png_data_uri(URL)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.removeprefix("data:image/png;base64,"))))
    # A full QR code (version 3 for this URL: 29 modules) plus a 2-module quiet zone.
    assert image.size == (33 * PNG_SCALE, 33 * PNG_SCALE)
    # Black and white only, the quiet zone white.
    assert {value for _, value in image.convert("L").getcolors()} == {0, 255}
    assert image.convert("L").getpixel((0, 0)) == 255


def test_qr_is_deterministic_across_processes() -> None:
    code = "from openbid.documents.qr import qr_png_data_uri as q; print(q(%r))" % URL
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert child.stdout.strip() == qr_png_data_uri(URL)


def test_different_urls_give_different_codes() -> None:
    assert qr_png_data_uri(URL) != qr_png_data_uri(URL + "X")


def test_empty_url_is_refused() -> None:
    with pytest.raises(ValueError, match="URL"):
        qr_png_data_uri("")
