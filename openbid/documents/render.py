"""Render document templates to PDF with WeasyPrint, deterministically.

The same template and context give byte-identical PDFs, in any process: nothing here
reads the clock. The PDF's creation and modification dates come from the context's
``issued_at``; its file identifier is derived from the content.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname
from xml.etree import ElementTree

import jinja2

from openbid.documents import chunked
from openbid.documents.formatting import FILTERS, as_wib
from openbid.documents.qr import qr_png_data_uri

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

# fontTools (WeasyPrint's fallback subsetter) stamps fonts with the current time unless
# SOURCE_DATE_EPOCH is set; any fixed value makes the fallback deterministic too.
FALLBACK_SOURCE_DATE_EPOCH = "0"

_lock = threading.RLock()
_weasyprint: ModuleType | None = None
_font_config: Any = None

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    extensions=["jinja2.ext.do"],
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(FILTERS)
environment.filters["qr"] = qr_png_data_uri


def _load_weasyprint() -> tuple[ModuleType, Any]:
    """Import WeasyPrint and create the process's FontConfiguration, once."""
    global _weasyprint, _font_config
    with _lock:
        if _weasyprint is None:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration

            if font_subsetter(weasyprint) == "fonttools":
                logger.warning(
                    "libharfbuzz-subset0 is missing: WeasyPrint subsets fonts with "
                    "fontTools, about 2x slower; SOURCE_DATE_EPOCH keeps it repeatable"
                )
                os.environ.setdefault("SOURCE_DATE_EPOCH", FALLBACK_SOURCE_DATE_EPOCH)
            _font_config = FontConfiguration()
            _weasyprint = weasyprint
            _settle_heap()
        return _weasyprint, _font_config


def _settle_heap() -> None:
    """Keep what is alive once WeasyPrint is loaded out of the cyclic collector's walks.

    A render leaves tens of thousands of short-lived reference cycles (boxes point at their
    parents), enough to set off a full collection every few documents; each full collection
    walked every object of the process, ~300k of them (the app, SQLAlchemy, WeasyPrint and
    its fonts), and a decree step spent more time there than signing. What is alive now lives
    as long as the process, so it moves to the permanent generation (``gc.freeze``, as
    long-lived servers do); garbage is collected first so that none of it is kept.
    """
    gc.collect()
    gc.freeze()


def font_subsetter(weasyprint: ModuleType | None = None) -> str:
    """Name the font subsetter WeasyPrint will use: ``harfbuzz`` or ``fonttools``."""
    if weasyprint is None:
        weasyprint, _ = _load_weasyprint()
    fonts = weasyprint.pdf.fonts
    if fonts.harfbuzz_subset and fonts.harfbuzz.hb_version_atleast(4, 1, 0):
        return "harfbuzz"
    return "fonttools"


def render_html(template_name: str, context: Mapping[str, Any]) -> str:
    """Render a document template to HTML; undefined context keys are errors."""
    return environment.get_template(template_name).render(**context)


class Renderer(Protocol):
    """Turns a document template and its context into PDF bytes."""

    def __call__(
        self, template_name: str, context: Mapping[str, Any], *, base_url: str | None = None
    ) -> bytes:
        """Return the PDF of template_name rendered with context."""
        ...


# The renderer documents are issued with: WeasyPrint, unless a test suite swaps in a cheaper
# one for tests that never look at the PDF (see ``use_renderer``).
_renderer: Renderer | None = None


@contextlib.contextmanager
def use_renderer(renderer: Renderer | None) -> Iterator[None]:
    """Issue documents with renderer inside the block (None: WeasyPrint)."""
    global _renderer
    previous, _renderer = _renderer, renderer
    try:
        yield
    finally:
        _renderer = previous


def weasyprint_in_use() -> bool:
    """True unless a cheaper renderer was swapped in with ``use_renderer``."""
    return _renderer is None


def render_pdf(
    template_name: str, context: Mapping[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template (e.g. ``documents/decree.html``) with a context to PDF bytes.

    :raises jinja2.UndefinedError: when the template uses a key the context lacks.
    """
    if _renderer is not None:
        return _renderer(template_name, context, base_url=base_url)
    return weasyprint_pdf(template_name, context, base_url=base_url)


def weasyprint_pdf(
    template_name: str, context: Mapping[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template to PDF with WeasyPrint, deterministically.

    A long document (see ``chunked``) is rendered in chunks on warm worker processes and
    joined; it reads the same, page by page, as when rendered in one piece.

    :raises jinja2.UndefinedError: when the template uses a key the context lacks.
    :raises chunked.ChunkError: when a render worker fails.
    """
    html = render_html(template_name, context)
    if chunked.wanted(html):
        rows = chunked.mark_rows(html)
        if rows is not None:
            meta = {key: context.get(key) for key in ("issued_at", "chain_seq", "chain_hash")}
            workers = chunked.pool(chunk_tools)
            data = chunked.render(rows, template_name, base_url, meta, workers)
            if data is not None:
                return data
    return single_pdf(html, context, base_url=base_url)


def single_pdf(html: str, context: Mapping[str, Any], *, base_url: str | None = None) -> bytes:
    """Render document HTML to PDF in one piece, in this process."""
    weasyprint, font_config = _load_weasyprint()
    # Pango font maps and the FontConfiguration's caches are not safe to share between
    # threads at the same time; renders in one process take turns.
    with _lock:
        document = _html(weasyprint, html, base_url).render(font_config=font_config)
        finish_metadata(document, context)
        return document.write_pdf(pdf_identifier=True)


def _html(weasyprint: ModuleType, html: str, base_url: str | None) -> Any:
    """Parse document HTML for WeasyPrint, fetching only local files and data: URIs.

    The HTML is parsed by libxml2 (``parse_html``), not by WeasyPrint's pure-Python HTML5
    parser: a 500-row chunk of a long document took about 0.15 s to parse, now 0.01. The templates
    are ours and every sample document renders to the same bytes either way (tested); HTML
    libxml2 cannot read goes to WeasyPrint's parser as before.
    """
    fetcher = _local_fetcher(weasyprint, base_url)
    base_url = base_url or str(TEMPLATES_DIR) + os.sep
    root = parse_html(html)
    if root is None:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return _parsed_html_class(weasyprint)(root, base_url, fetcher)


def parse_html(html: str) -> ElementTree.Element | None:
    """Parse document HTML with libxml2 into the tree WeasyPrint's parser would build.

    As an HTML5 parser does, table rows outside a row group are put in a ``tbody``.
    None when libxml2 reports any error (our templates give none): it recovers from errors
    by dropping what it could not read, and a document must never lose a word that way.
    Without ``huge_tree`` it would drop a text of over 10 MB and everything after it.
    """
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    if parser.error_log.filter_from_errors():
        return None
    return _element_tree(root, lxml.etree.Comment)


def _element_tree(element: Any, comment: Any) -> ElementTree.Element:
    """Copy an lxml element and its descendants into ``xml.etree.ElementTree`` elements."""
    if element.tag is comment:
        copy = ElementTree.Comment(element.text)
    elif not isinstance(element.tag, str):  # a processing instruction: nothing to render
        copy = ElementTree.Comment("")
    else:
        copy = ElementTree.Element(element.tag, dict(element.attrib))
        copy.text = element.text
        group = None
        for child in element:
            if element.tag == "table" and child.tag == "tr":
                if group is None:
                    group = ElementTree.SubElement(copy, "tbody")
                group.append(_element_tree(child, comment))
                continue
            group = None
            copy.append(_element_tree(child, comment))
    copy.tail = element.tail
    return copy


@functools.cache
def _parsed_html_class(weasyprint: ModuleType) -> type:
    """``weasyprint.HTML`` made from a parsed tree, as its constructor makes it from a string."""
    import cssselect2

    class ParsedHTML(weasyprint.HTML):
        def __init__(self, root: ElementTree.Element, base_url: str, url_fetcher: Any) -> None:
            self.base_url = weasyprint._find_base_url(root, base_url)
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                root, content_language=None
            )
            self.etree_element = self.wrapper_element.etree_element

    return ParsedHTML


def finish_metadata(document: Any, context: Mapping[str, Any]) -> None:
    """Date a rendered document as issued and put the chain head in its Keywords."""
    metadata = document.metadata
    issued_at = context.get("issued_at")
    if issued_at:
        metadata.created = metadata.modified = _w3c(issued_at)
    metadata.generator = "openbid"
    metadata.lang = metadata.lang or "id"
    _chain_metadata(metadata, context)


# A page of what long documents are made of: the print styles, a data table, the footer's
# fonts. Rendered once by each chunk worker as it starts, so that the first document does
# not pay for loading fonts (Pango's caches fill on first use).
_WARM_UP = (
    '<html lang="id"><head><style>{css}</style></head><body>'
    '<div class="page-footer"><span class="code">A1</span> <span class="url">x</span></div>'
    '<h3>1. <b>A</b> <i>a</i></h3><table class="data"><thead><tr><th>No.</th></tr></thead>'
    '<tbody><tr><td class="nip">1</td></tr></tbody></table></body></html>'
)


def warm_up_workers() -> None:
    """Start the chunk workers now (e.g. with a job worker), not with the first long document."""
    if chunked.WORKERS > 1:
        chunked.pool(chunk_tools)


def chunk_tools() -> chunked.Tools:
    """What a chunk worker process renders with (called inside the worker, warmed up)."""
    weasyprint, font_config = _load_weasyprint()
    css = (TEMPLATES_DIR / "documents" / "_print.css").read_text(encoding="utf-8")
    _html(weasyprint, _WARM_UP.replace("{css}", css), None).write_pdf(font_config=font_config)
    return chunked.Tools(
        weasyprint=weasyprint,
        font_config=font_config,
        html=lambda html, base_url: _html(weasyprint, html, base_url),
        finish=finish_metadata,
    )


# The chain head at issue travels in the PDF's Keywords (from the template's
# ``<meta name="keywords">``), inside the signature since the PDF is signed afterwards.
CHAIN_KEYWORD = "openbid-rantai-audit"
_CHAIN_KEYWORD_RE = re.compile(CHAIN_KEYWORD + r":(\d+):([0-9a-f]{64})")


def _chain_metadata(metadata: Any, context: Mapping[str, Any]) -> None:
    """Make sure the Keywords carry the context's chain head, whatever the template says."""
    seq, digest = context.get("chain_seq"), context.get("chain_hash")
    if seq is None or digest is None:
        return
    keyword = f"{CHAIN_KEYWORD}:{seq}:{digest}"
    keywords = [k for k in (metadata.keywords or []) if not k.startswith(CHAIN_KEYWORD + ":")]
    metadata.keywords = [*keywords, keyword]


def chain_state_in_pdf(data: bytes) -> tuple[int, str] | None:
    """Return the (seq, hash) chain head written into a PDF's Keywords, or None."""
    from pypdf import PdfReader

    try:
        info = PdfReader(io.BytesIO(data)).metadata or {}
        match = _CHAIN_KEYWORD_RE.search(str(info.get("/Keywords") or ""))
    except Exception:
        return None
    return (int(match.group(1)), match.group(2)) if match else None


def _w3c(value: date | datetime | str) -> str:
    """Format a moment as a W3C date-time that WeasyPrint writes into the PDF."""
    return as_wib(value).replace(microsecond=0).isoformat()


def _local_fetcher(weasyprint: ModuleType, base_url: str | None) -> Any:
    """Build a URL fetcher limited to data: URIs and files under the allowed folders.

    Documents carry text written by candidates; nothing in them may make the renderer
    reach the network or read files elsewhere on the host.
    """
    roots = [TEMPLATES_DIR]
    if base_url and urlparse(base_url).scheme in ("", "file"):
        roots.append(Path(url2pathname(urlparse(base_url).path)).resolve())
    return _fetcher_class(weasyprint)(
        roots, allowed_protocols=("data", "file"), allow_redirects=False
    )


@functools.cache
def _fetcher_class(weasyprint: ModuleType) -> type:
    """Define the restricted fetcher once WeasyPrint is imported."""

    class LocalFetcher(weasyprint.URLFetcher):
        def __init__(self, roots: list[Path], **options: Any) -> None:
            """Remember the folders files may come from."""
            super().__init__(**options)
            self.roots = roots

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Fetch a data: URI or a file under an allowed folder.

            :raises ValueError: for anything else; WeasyPrint logs it and skips it.
            """
            if url.lower().startswith("file:"):
                path = Path(url2pathname(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in self.roots):
                    raise ValueError(f"documents may not load {url!r}")
            return super().fetch(url, headers)

    return LocalFetcher


def pdf_text(data: bytes) -> str:
    """Extract the text of every page of a PDF, pages separated by form feeds."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\f".join(page.extract_text() or "" for page in reader.pages)
