"""Checking uploaded files by their content, never by their name.

A PDF that would run something in the reader's viewer is refused (issue #10, 6): JavaScript,
actions run on opening or on other events (/OpenAction, /AA), programs launched, forms that
submit or import data, files or media embedded in the document, XFA forms. A link to a web
page (a /Link annotation whose /A is a /URI action) stays allowed: it is followed only when
the reader clicks it. An /OpenAction that only says where to open (a destination, or a
/GoTo action) stays allowed too: LibreOffice, for one, writes such an /OpenAction.

Two checks are done, because neither sees everything:

* the parse (`parsed_active_content`) follows the structure a viewer follows, from the
  catalog to every page and annotation; it sees objects inside compressed object streams
  and names spelled with #xx escapes (``/J#53`` is ``/JS``), which no byte scan can see.
  It visits at most `PDF_MAX_VISITS` objects, since a hostile PDF can be huge.
* the byte scan (`raw_active_content`) looks for the names of active content in the
  uncompressed objects of the file; it sees objects that the walk does not reach: parts
  the walk does not follow, objects no reference leads to but which a viewer repairing a
  damaged file may still find, and structures that pypdf reads differently from a viewer.
  It does not look for /OpenAction or /AA, which are harmless in their common forms.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import DictionaryObject
from werkzeug.datastructures import FileStorage

from openbid.rules.reasons import N_, Reason

PDF_MAGIC = b"%PDF-"
# How many dictionaries and arrays the walk of a PDF's structure may visit before it gives
# up and refuses the file as too complex to check.
PDF_MAX_VISITS = 20_000
# How many findings a refusal names.
PDF_MAX_FOUND = 5


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


ENCRYPTED = Reason(
    "upload.encrypted",
    N_("The PDF is password-protected; upload a copy without a password."),
)
CORRUPT = Reason("upload.corrupt", N_("The PDF is damaged and cannot be opened."))
# What reading a damaged or hostile PDF may raise, from pypdf or from Python underneath it.
UNREADABLE = (
    PdfReadError,
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
    OSError,
)


def check_pdf(data: bytes, max_bytes: int) -> list[Reason]:
    """Return why data is not an acceptable PDF.

    Empty, too large, not PDF, encrypted, damaged, no pages, or active content: JavaScript,
    automatic actions, embedded files (see the module's text).
    """
    outside = _check_envelope(data, max_bytes)
    if outside:
        return outside
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return [ENCRYPTED]
        pages = len(reader.pages)
        found = parsed_active_content(reader) if pages else []
    except _TooComplex:
        return [_too_complex()]
    except UNREADABLE:
        return [CORRUPT]
    if pages == 0:
        return [Reason("upload.no_pages", N_("The PDF has no pages."))]
    found = found or raw_active_content(data)
    if found:
        return [
            Reason(
                "upload.active_content",
                N_(
                    "The PDF contains JavaScript or automatic actions (%(found)s); save it"
                    " again as a plain PDF and upload it again."
                ),
                {"found": ", ".join(found[:PDF_MAX_FOUND])},
            )
        ]
    return []


def _too_complex() -> Reason:
    """Why a PDF whose walk gave up is refused, naming the limit (read when refusing)."""
    return Reason(
        "upload.too_complex",
        N_(
            "The PDF is too complex to check (more than %(limit)s parts); save it"
            " again as a plain PDF and upload it again."
        ),
        {"limit": PDF_MAX_VISITS},
    )


def _check_envelope(data: bytes, max_bytes: int) -> list[Reason]:
    """Return why data is not even worth parsing: empty, too large, or not a PDF at all."""
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
    return []


# --- active content -------------------------------------------------------------------

# Names of active content looked for in the bytes outside streams (see the module's text).
# A name ends at white space or a delimiter; /EmbeddedFile also matches /EmbeddedFiles.
RAW_ACTIVE_RE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s\x00()<>\[\]{}/%]|$)"
)
# The keyword that starts a stream's data (its end is the next "endstream").
STREAM_RE = re.compile(rb"\bstream(?:\r\n|\n|\r)")
# Actions refused wherever they are, even behind a click.
UNSAFE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
# Actions run without a click (/OpenAction, /AA): only moving within the document is allowed.
AUTOMATIC_SAFE_ACTIONS = frozenset({"/GoTo"})
# Annotations that carry a file or play media.
UNSAFE_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
)
# What a link may open when clicked: a web page or an e-mail.
SAFE_URI_PREFIXES = ("http://", "https://", "mailto:")


def raw_active_content(data: bytes) -> list[str]:
    """Return the names of active content found in data's bytes outside streams.

    Stream data (page contents, images, compressed objects) is skipped: it is compressed or
    drawing operators, where the bytes of a name turn up by chance.
    """
    found: list[str] = []
    pos = 0
    while pos < len(data):
        stream = STREAM_RE.search(data, pos)
        stop = stream.start() if stream else len(data)
        for match in RAW_ACTIVE_RE.finditer(data, pos, stop):
            name = match.group(1).decode("ascii")
            if name not in found:
                found.append(name)
        if stream is None:
            break
        end = data.find(b"endstream", stream.end())
        if end < 0:
            break
        pos = end + len(b"endstream")
    return found


class _TooComplex(Exception):
    """The walk of a PDF's structure visited more than PDF_MAX_VISITS objects."""


class _Walk:
    """A walk over a PDF's structure that counts the objects it visits and what it finds."""

    def __init__(self) -> None:
        self.left = PDF_MAX_VISITS
        self.found: list[str] = []

    def visit(self, obj: object) -> object:
        """Return obj resolved (an indirect reference read), counting one visit."""
        self.left -= 1
        if self.left < 0:
            raise _TooComplex
        return obj.get_object() if hasattr(obj, "get_object") else obj

    def dict(self, obj: object) -> dict | None:
        """Return obj resolved when it is a dictionary, else None."""
        if obj is None:
            return None
        resolved = self.visit(obj)
        return resolved if isinstance(resolved, DictionaryObject) else None

    def add(self, label: str) -> None:
        if label not in self.found:
            self.found.append(label)

    def action(self, obj: object, trigger: str | None) -> None:
        """Check an action and the actions its /Next chain runs after it.

        trigger is "OpenAction" or "AA" for actions run without a click, None for a click.
        """
        pending = [obj]
        while pending:
            # Not a dictionary: a destination (a page and a view, or its name), not an action.
            action = self.dict(pending.pop())
            if action is None:
                continue
            kind = str(action.get("/S", ""))
            if "/JS" in action:
                kind = "/JavaScript"
            if trigger is not None and kind not in AUTOMATIC_SAFE_ACTIONS:
                self.add(f"{trigger}: {kind.lstrip('/') or '?'}")
            elif kind in UNSAFE_ACTIONS:
                self.add(kind.lstrip("/"))
            elif kind == "/URI" and not str(action.get("/URI", "")).lower().startswith(
                SAFE_URI_PREFIXES
            ):
                self.add("URI")
            if "/Next" in action:  # one action, or an array of them
                after = self.visit(action["/Next"])
                pending.extend(after if isinstance(after, list) else [after])

    def additional_actions(self, owner: dict) -> None:
        """Check the actions of owner's /AA (on opening, closing, printing, keystrokes...)."""
        events = self.dict(owner.get("/AA"))
        for event in (events or {}).values():
            self.action(event, "AA")

    def tree(self, first: object, children: tuple[str, ...], each) -> None:
        """Call each(node) on every dictionary reachable from first through children keys.

        first and the children may be dictionaries or arrays of them (/Annots, /Kids).
        """
        pending = [first]
        seen: set[int] = set()
        while pending:
            item = pending.pop()
            if item is None:
                continue
            node = self.visit(item)
            if isinstance(node, list):
                pending.extend(node)
                continue
            if not isinstance(node, DictionaryObject) or id(node) in seen:
                continue
            seen.add(id(node))
            each(node)
            pending.extend(node[key] for key in children if key in node)


def parsed_active_content(reader) -> list[str]:
    """Return what in reader's document would run or open something in a viewer.

    :raises _TooComplex: after visiting PDF_MAX_VISITS objects.
    """
    walk = _Walk()
    catalog = walk.dict(reader.trailer.get("/Root")) or {}
    if "/OpenAction" in catalog:
        walk.action(catalog["/OpenAction"], "OpenAction")
    walk.additional_actions(catalog)
    names = walk.dict(catalog.get("/Names")) or {}
    for key in ("/JavaScript", "/EmbeddedFiles"):
        if key in names:
            walk.add(key.lstrip("/"))
    form = walk.dict(catalog.get("/AcroForm")) or {}
    if "/XFA" in form:
        walk.add("XFA")

    def field(node: dict) -> None:
        if "/A" in node:
            walk.action(node["/A"], None)
        walk.additional_actions(node)

    walk.tree(form.get("/Fields"), ("/Kids",), field)

    def outline_item(node: dict) -> None:
        if "/A" in node:
            walk.action(node["/A"], None)

    outlines = walk.dict(catalog.get("/Outlines")) or {}
    walk.tree(outlines.get("/First"), ("/First", "/Next"), outline_item)

    def annotation(node: dict) -> None:
        subtype = str(node.get("/Subtype", ""))
        if subtype in UNSAFE_ANNOTATIONS:
            walk.add(subtype.lstrip("/"))
        field(node)

    for page in reader.pages:
        walk.visit(page)
        walk.additional_actions(page)
        walk.tree(page.get("/Annots"), (), annotation)
    return walk.found
