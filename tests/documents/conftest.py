"""Fixtures for the documents layer: rendered samples and a demo signing certificate.

Rendering is real (WeasyPrint) and signing is real (pyHanko): nothing is mocked. Each
sample is rendered once per session because a render costs 0.1 to 0.7 s.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from openbid.documents.contexts import template_name
from openbid.documents.render import render_pdf
from openbid.documents.signing import Signer, generate_self_signed
from tests.documents.samples import sample_context

DEMO_CN = "BKPSDM Kota Tangerang"
DEMO_ORG = "Pemerintah Kota Tangerang"


class RenderedSamples:
    """Render each sample document on first use and keep the bytes."""

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}

    def __call__(self, kind: str) -> bytes:
        if kind not in self._cache:
            self._cache[kind] = render_pdf(template_name(kind), sample_context(kind))
        return self._cache[kind]


@pytest.fixture(scope="session")
def rendered() -> RenderedSamples:
    """Sample PDFs by document kind, rendered once per session."""
    return RenderedSamples()


@pytest.fixture(scope="session")
def demo_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed ECDSA P-256 certificate and key, valid since 2018."""
    folder = tmp_path_factory.mktemp("keys")
    return generate_self_signed(folder, DEMO_CN, DEMO_ORG, valid_from=datetime(2018, 1, 1))


@pytest.fixture(scope="session")
def demo_signer(demo_keys: tuple[Path, Path]) -> Signer:
    """The demo agency's signer, loaded once."""
    cert, key = demo_keys
    return Signer.from_pem(cert, key)
