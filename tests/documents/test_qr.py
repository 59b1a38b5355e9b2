"""QR codes for verification links."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest

from openbid.documents.qr import qr_svg_data_uri

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

URL = "https://openbid.example/verify/37B5-6434"


def test_qr_is_an_embeddable_svg_data_uri() -> None:
    uri = qr_svg_data_uri(URL)
    assert uri.startswith("data:image/svg+xml,")
    svg = ElementTree.fromstring(unquote(uri.removeprefix("data:image/svg+xml,")))  # noqa: S314
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    # A full QR code (version 3 for this URL: 29 modules) plus a 2-module quiet zone.
    assert svg.get("width") == svg.get("height") == "33"


def test_qr_is_deterministic_across_processes() -> None:
    code = "from openbid.documents.qr import qr_svg_data_uri as q; print(q(%r))" % URL
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert child.stdout.strip() == qr_svg_data_uri(URL)


def test_different_urls_give_different_codes() -> None:
    assert qr_svg_data_uri(URL) != qr_svg_data_uri(URL + "X")


def test_empty_url_is_refused() -> None:
    with pytest.raises(ValueError, match="URL"):
        qr_svg_data_uri("")
