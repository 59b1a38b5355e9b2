"""Small real PDFs for tests: uploads, and a stand-in renderer for documents nobody reads.

``draft_renderer`` is the seam's test renderer. It renders the document's HTML with the same
strict Jinja environment as WeasyPrint does (an undefined or misspelt context key still
fails), then writes a one-page PDF carrying the document's number and verification code, so
the registry, the verify page's code look-up and signing work on it. Tests that examine a
PDF's content, layout or signature are marked ``real_pdf`` and get WeasyPrint; a test that
walks a whole selection but reads only some kinds names them, ``real_pdf(only=("decree",))``,
and gets WeasyPrint for those (``real_only_for``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openbid.documents import contexts, render


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_of_objects(objects: Sequence[bytes]) -> bytes:
    """Return a PDF of the given object bodies (object 1 is the catalog), xref computed."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tiny_pdf(text: str | Sequence[str] = "openbid test document") -> bytes:
    """Return a valid one-page PDF with text lines (pypdf reads it; check_pdf accepts it)."""
    lines = [text] if isinstance(text, str) else list(text)
    body = " ".join(
        f"BT /F1 12 Tf 72 {720 - 16 * index} Td ({_escape(line)}) Tj ET"
        for index, line in enumerate(lines)
    )
    stream = body.encode("latin-1", "replace")
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def draft_renderer(
    template_name: str, context: Mapping[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render the HTML strictly, then return a small PDF with the number and the code."""
    html = render.render_html(template_name, context)
    assert "<html" in html.lower(), f"{template_name} rendered no HTML document"
    return tiny_pdf(
        [
            f"{template_name} (draft render for tests)",
            f"Nomor: {context.get('number', '')}",
            f"Kode verifikasi: {context.get('verification_code', '')}",
        ]
    )


def real_only_for(*kinds: str) -> render.Renderer:
    """Return a renderer that uses WeasyPrint for the documents of kinds, draft_renderer else.

    For a test that issues every document of a selection but reads only some: those are
    rendered (and signed) for real; the others are rendered strictly, as in every test that
    reads none. Every kind is rendered for real by ``tests/documents`` (test_issuing).

    :raises KeyError: for an unknown kind.
    """
    real = {contexts.template_name(kind) for kind in kinds}

    def renderer(
        template_name: str, context: Mapping[str, Any], *, base_url: str | None = None
    ) -> bytes:
        if template_name in real:
            return render.weasyprint_pdf(template_name, context, base_url=base_url)
        return draft_renderer(template_name, context, base_url=base_url)

    return renderer
