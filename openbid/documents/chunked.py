"""Render long documents in chunks on warm worker processes and join them into one PDF.

A document whose data tables hold at least ``MIN_ROWS`` rows is cut into as many chunks as
there are workers. Each chunk is the same HTML (styles, running footer) with a slice of the
rows; a chunk after the first starts with its table already under way, exactly like the
continued table at the top of a page of the whole document (header row repeated, no top
margin). A chunk starts where a page of the whole document starts, so every page comes out
as in a single render:

1. the parent picks canonical rows ``r_k`` (k/K of the rows) and guesses the row that starts
   the page holding ``r_k`` (from the rows per page of the last long render of the template);
2. every worker lays out its chunk, which runs a couple of rows past the next ``r_k``; the
   layout of chunk k-1 tells the true start ``t_k`` of the page holding ``r_k``; a chunk whose
   guessed start was wrong is laid out again from ``t_k`` (correct, only slower);
3. page numbers and the total ("Halaman N dari M") are made last: workers hold back the page
   margin boxes until the parent knows every chunk's page offset and the total;
4. the parent joins the chunk PDFs (pypdf) with the first chunk's metadata and an identifier
   derived from the content.

Where chunks start depends only on the layout (``t_k``), never on the guess, so the same
inputs give the same bytes. A document that cannot be cut cleanly renders in one piece.

A worker lays each chunk out in a child process it forks from its warm state; the child
answers until the chunk is written or dropped and leaves without freeing it (see ``serve``).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import io
import logging
import multiprocessing
import os
import re
import signal
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

ROW_ATTR = "data-openbid-row"
MIN_ROWS = 200  # fewer table rows than this: one render in the calling process
LOOKAHEAD = 2  # rows a chunk renders past the next chunk's canonical row
WORKERS = max(1, min(int(os.environ.get("OPENBID_RENDER_WORKERS", os.cpu_count() or 1)), 8))

_TABLE_RE = re.compile(r'<table class="data[ "][^>]*>')
_TBODY_RE = re.compile(r"<tbody[^>]*>")
_TR_RE = re.compile(r"<tr(?=[\s>])")
# Whitespace between a data table's rows and cells: dropped by WeasyPrint (anonymous table
# boxes), after costing parsing and box building. Whitespace inside a cell stays.
_GAP_RE = re.compile(r"(<tr[^>]*>|</t[dhr]>)\s+(?=<t[dhr][\s>]|</tr>)")
_FOOTER_RE = re.compile(r'<div class="page-footer">.*?</div>', re.S)
_BODY_RE = re.compile(r"<body[^>]*>")
_CLOSE = "</tbody></table></body></html>"


@dataclass(frozen=True)
class Rows:
    """A document's HTML with every data-table row marked and located."""

    html: str  # the HTML with ``data-openbid-row="i"`` on each body row of a data table
    head: str  # everything before the content: styles, <body>, the running footer
    starts: list[int]  # where row i's ``<tr`` begins in html
    table_of: list[int]  # the data table row i belongs to
    openings: list[str]  # per table: its tags up to <tbody>, as a continued table

    def chunk_html(self, first: int, end: int) -> str:
        """The HTML of rows [first, end): from the document start when first is 0, to its end."""
        start = 0 if first == 0 else self.starts[first]
        prefix = "" if first == 0 else self.head + self.openings[self.table_of[first]]
        if end >= len(self.starts):
            return prefix + self.html[start:]
        return prefix + self.html[start : self.starts[end]] + _CLOSE


def trim_rows(html: str) -> str:
    """The HTML without the whitespace between the rows and cells of its data tables' bodies.

    It renders to the same PDF, with less to parse and fewer boxes built and thrown away.
    """
    pieces, done = [], 0
    for table in _TABLE_RE.finditer(html):
        tbody = _TBODY_RE.search(html, table.end())
        end = html.find("</tbody>", tbody.end()) if tbody else -1
        if tbody is None or end < 0 or tbody.end() < done:
            continue
        pieces += [html[done : tbody.end()], _GAP_RE.sub(r"\1", html[tbody.end() : end])]
        done = end
    pieces.append(html[done:])
    return "".join(pieces)


def mark_rows(html: str) -> Rows | None:
    """Mark and locate the body rows of the data tables; None when the HTML cannot be cut.

    The rows' HTML is trimmed first (``trim_rows``).
    """
    html = trim_rows(html)
    footer = _FOOTER_RE.search(html) or _BODY_RE.search(html)
    if footer is None:
        return None
    pieces, starts, table_of, openings, done, length = [], [], [], [], 0, 0
    for table in _TABLE_RE.finditer(html):
        tbody = _TBODY_RE.search(html, table.end())
        end = html.find("</tbody>", tbody.end()) if tbody else -1
        if tbody is None or end < 0 or "<table" in html[tbody.end() : end]:
            return None
        if "style=" in table.group(0):
            return None
        opening = html[table.start() : tbody.end()]
        openings.append(opening.replace("<table ", '<table style="margin-top:0" ', 1))
        for row in _TR_RE.finditer(html, tbody.end(), end):
            pieces.append(html[done : row.end()])
            length += len(pieces[-1])
            starts.append(length - 3)
            table_of.append(len(openings) - 1)
            mark = f' {ROW_ATTR}="{len(starts) - 1}"'
            pieces.append(mark)
            length += len(mark)
            done = row.end()
    pieces.append(html[done:])
    return Rows("".join(pieces), html[: footer.end()], starts, table_of, openings)


def wanted(html: str) -> bool:
    """Whether a rendered HTML document is long enough to be rendered in chunks."""
    return WORKERS > 1 and len(_TR_RE.findall(html)) >= MIN_ROWS


# Page layout of a chunk, as the worker reports it: per page, the first and last marked
# row on it (None, None for a page without rows).
PageRows = list[tuple[int | None, int | None]]


def page_start(rows: Rows, pages: PageRows, row: int) -> tuple[int, int] | None:
    """Find (page index, first row) of the page holding ``row`` when it starts a continued table.

    None when that page is the chunk's first, or does not begin with a continued table.
    """
    for index, (low, high) in enumerate(pages):
        if high is None or high < row:
            continue
        if index == 0 or low is None or low > row or low == 0:
            return None
        before = pages[index - 1][1]
        if before != low - 1 or rows.table_of[low - 1] != rows.table_of[low]:
            return None
        return index, low
    return None


def guess_start(model: tuple[int, int] | None, row: int) -> int:
    """Guess the first row of the page holding ``row`` from (rows on page 1, rows per page)."""
    if model is None:
        return row
    first, per_page = model
    if row < first or per_page <= 0:
        return row
    return first + (row - first) // per_page * per_page


def page_model(pages: PageRows) -> tuple[int, int] | None:
    """Learn (rows on page 1, rows per full page) from the first chunk's layout."""
    if len(pages) < 3 or pages[0][1] is None or pages[1][0] is None or pages[1][1] is None:
        return None
    return pages[0][1] + 1, pages[1][1] - pages[1][0] + 1


def join_pdfs(parts: list[bytes]) -> bytes:
    """Join chunk PDFs into one, with the first chunk's metadata and a content-derived ID."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    writer = PdfWriter()
    for reader in readers:
        for page in reader.pages:
            writer.add_page(page)
    first = readers[0]
    writer.add_metadata(dict(first.metadata or {}))
    lang = first.trailer["/Root"].get("/Lang")
    if lang is not None:
        writer._root_object[NameObject("/Lang")] = lang
    digest = hashlib.sha256(b"".join(parts)).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    writer.pdf_header = first.pdf_header
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@dataclass(frozen=True)
class Tools:
    """What a worker renders with, built once in the worker process (see ``render``)."""

    weasyprint: Any  # the imported module
    font_config: Any  # the process's one FontConfiguration
    html: Callable[[str, str | None], Any]  # (html, base_url) -> weasyprint.HTML
    finish: Callable[[Any, Mapping[str, Any]], None]  # set a Document's metadata


class _Worker:
    """The chunk renderer inside a worker process: lays out, then numbers and writes."""

    def __init__(self, tools: Tools) -> None:
        """Hold back margin boxes (page numbers) until ``finish`` knows the offset and total."""
        layout = tools.weasyprint.layout
        self.tools = tools
        self.real_margin_boxes = layout.make_margin_boxes
        self.records: list[tuple[Any, Any, Any]] = []
        self.held: dict[int, tuple[Any, list[tuple[Any, Any, Any]]]] = {}
        layout.make_margin_boxes = self._record

    def _record(self, context: Any, page: Any, state: Any) -> list:
        """Stand-in for WeasyPrint's make_margin_boxes: remember the page, add nothing yet."""
        self.records.append((context, page, state))
        return []

    def layout(self, key: int, html: str, base_url: str | None) -> PageRows:
        """Lay out a chunk, keep it, and report the first and last row on each page."""
        self.held.pop(key, None)
        self.records = []
        document = self.tools.html(html, base_url).render(font_config=self.tools.font_config)
        self.held[key] = (document, self.records)
        self.records = []
        row_box = self.tools.weasyprint.formatting_structure.boxes.TableRowBox
        pages = []
        for page in document.pages:
            found = [
                int(box.element.get(ROW_ATTR))
                for box in page._page_box.descendants()
                if isinstance(box, row_box)
                and box.element is not None
                and box.element.get(ROW_ATTR) is not None
            ]
            pages.append((min(found), max(found)) if found else (None, None))
        return pages

    def finish(
        self, key: int, keep: int, offset: int, total: int, meta: Mapping[str, Any]
    ) -> bytes:
        """Number the first ``keep`` pages (offset + i of total) and write them as a PDF."""
        document, records = self.held.pop(key)
        background = self.tools.weasyprint.layout.background.layout_box_backgrounds
        for index, (context, page_box, state) in enumerate(records[:keep]):
            state = list(state)
            state[1] = {**state[1], "page": [offset + index + 1], "pages": [total]}
            context.current_page = index + 1
            margins = tuple(self.real_margin_boxes(context, page_box, tuple(state)))
            page_box.children = (*page_box.children, *margins)
            for margin in margins:
                background(page_box, margin, context.get_image_from_uri)
        part = document.copy(document.pages[:keep])
        self.tools.finish(part, meta)
        return part.write_pdf()

    def drop(self) -> None:
        """Forget every chunk held."""
        self.held.clear()


def serve(conn: Any, make_tools: Callable[[], Tools]) -> None:
    """A worker process's loop: answer ("ok", result) or ("error", traceback) per request.

    Each chunk is laid out in a child forked for it (``_lay_out_in_child``), which answers
    the chunk's requests until it is finished or dropped and then leaves without freeing
    anything: tearing down a chunk's boxes (about a million objects in reference cycles)
    cost a tenth of the render, and a garbage collection pass a tenth more. This process
    stays as it was after warming up (WeasyPrint imported, fonts loaded, the heap frozen
    out of the collector's walks), so every chunk starts from the same state and its memory
    does not grow from one document to the next. A child that dies without leaving cleanly
    takes this process with it: the caller reads the end of the pipe, as from a dead worker.
    """
    worker = _Worker(make_tools())
    gc.collect()
    gc.freeze()  # WeasyPrint's modules and the fonts: never garbage, never scanned again
    gc.disable()  # children lay out with it off; this process makes no garbage worth it
    while True:
        message = _next(conn)
        if message is None:
            return
        if message[0] == "layout":
            if not _lay_out_in_child(conn, worker, message):
                return
        else:  # a request with no chunk held here (its child has left): nothing to free
            _answer(conn, worker, message)


_CHILD_DONE, _CHILD_STOP = 0, 3  # exit codes: chunk finished or dropped; the caller stopped
_PR_SET_PDEATHSIG = 1  # prctl option (Linux): a signal for this process when its parent dies


def _next(conn: Any) -> tuple | None:
    """The next request, or None when the caller asks to stop or has gone."""
    try:
        return conn.recv()
    except EOFError:
        return None


def _answer(conn: Any, worker: _Worker, message: tuple) -> bool:
    """Carry out one request and send its answer; whether it succeeded."""
    operation, *arguments = message
    try:
        answer = ("ok", getattr(worker, operation)(*arguments))
    except Exception:
        answer = ("error", traceback.format_exc())
    conn.send(answer)
    return answer[0] == "ok"


def _lay_out_in_child(conn: Any, worker: _Worker, message: tuple) -> bool:
    """Fork a child that lays out a chunk and answers until it is finished or dropped.

    The child reads the requests that follow (a new layout of the same chunk, then
    ``finish`` or ``drop``) while this process waits for it. Only ever called in a spawned
    worker process, which has a single thread. Whether this process should go on serving.
    """
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            _die_with(parent)
            status = _child(conn, worker, message)
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == _CHILD_DONE


def _child(conn: Any, worker: _Worker, message: tuple) -> int:
    """Answer a chunk's requests from its layout on; the exit code for ``_lay_out_in_child``."""
    while _answer(conn, worker, message) and message[0] == "layout":
        message = _next(conn)
        if message is None:
            return _CHILD_STOP
    return _CHILD_DONE


def _die_with(parent: int) -> None:
    """Have the kernel kill this child when its worker dies, so the pipe closes with both."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: an orphaned child goes on answering for its chunk, then leaves
    if os.getppid() != parent:
        os._exit(1)


class ChunkError(RuntimeError):
    """A worker process failed to render its chunk."""


class Pool:
    """Worker processes started once and kept warm (WeasyPrint imported, fonts loaded)."""

    def __init__(self, size: int, make_tools: Callable[[], Tools]) -> None:
        """Start ``size`` workers (spawned: safe under threads and open connections)."""
        context = multiprocessing.get_context("spawn")
        self.lock = threading.Lock()
        self.workers = []
        for _ in range(size):
            here, there = context.Pipe()
            process = context.Process(
                target=serve, args=(there, make_tools), daemon=True, name="openbid-render"
            )
            process.start()
            there.close()
            self.workers.append((process, here))

    def send(self, index: int, *message: Any) -> None:
        """Send a request to worker ``index``."""
        self.workers[index][1].send(message)

    def receive(self, index: int) -> Any:
        """Wait for worker ``index``'s answer.

        :raises ChunkError: when it failed or died.
        """
        try:
            status, value = self.workers[index][1].recv()
        except (EOFError, OSError) as error:
            raise ChunkError(f"render worker {index} died") from error
        if status != "ok":
            raise ChunkError(value)
        return value

    def close(self) -> None:
        """Stop the workers."""
        for process, conn in self.workers:
            try:
                conn.send(None)
            except OSError:
                pass
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


_pool: Pool | None = None
_pool_lock = threading.Lock()
# Rows on the first page and per full page, per template, learned from the last long render:
# only makes the guesses right (speed), never changes the result.
_models: dict[str, tuple[int, int]] = {}


def pool(make_tools: Callable[[], Tools]) -> Pool:
    """The process's render pool, started on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool(WORKERS, make_tools)
        return _pool


def worker_pids() -> list[int]:
    """The process ids of the render pool's workers (none when it is not started)."""
    with _pool_lock:
        return [] if _pool is None else [process.pid for process, _ in _pool.workers]


def shutdown() -> None:
    """Stop the render pool (it starts again on the next long document)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None


def render(
    rows: Rows, key: str, base_url: str | None, meta: Mapping[str, Any], workers: Pool
) -> bytes | None:
    """Render marked rows in chunks on the workers; None when they cannot be cut cleanly.

    :raises ChunkError: when a worker fails; the pool is stopped and restarts next time.
    """
    with workers.lock:
        try:
            layout = _lay_out(rows, key, base_url, workers)
            if layout is None:
                for index in range(len(workers.workers)):
                    workers.send(index, "drop")
                    workers.receive(index)
                return None
            return _write(layout, meta, workers)
        except ChunkError:
            shutdown()
            raise


def _lay_out(
    rows: Rows, key: str, base_url: str | None, workers: Pool
) -> list[tuple[int, PageRows]] | None:
    """Lay out the chunks; return (start row, pages) per chunk, each starting a page."""
    count = len(rows.starts)
    size = len(workers.workers)
    canonical = [count * k // size for k in range(1, size)]
    starts = [0, *(guess_start(_models.get(key), row) for row in canonical)]
    ends = [row + LOOKAHEAD for row in canonical] + [count]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        return None
    for index in range(size):
        workers.send(index, "layout", index, rows.chunk_html(starts[index], ends[index]), base_url)
    pages = [workers.receive(index) for index in range(size)]
    for index in range(1, size):
        found = page_start(rows, pages[index - 1], canonical[index - 1])
        if found is None or found[1] <= starts[index - 1]:
            return None
        pages[index - 1] = pages[index - 1][: found[0]]
        if found[1] != starts[index]:
            logger.info(
                "chunk %d: guessed row %d, lays it out again from row %d",
                index,
                starts[index],
                found[1],
            )
            starts[index] = found[1]
            html = rows.chunk_html(found[1], ends[index])
            workers.send(index, "layout", index, html, base_url)
            pages[index] = workers.receive(index)
    model = page_model(pages[0])
    if model is not None:
        _models[key] = model
    return list(zip(starts, pages, strict=True))


def _write(layout: list[tuple[int, PageRows]], meta: Mapping[str, Any], workers: Pool) -> bytes:
    """Number every chunk's pages across the whole document, write them and join them."""
    total = sum(len(pages) for _, pages in layout)
    offset = 0
    for index, (_, pages) in enumerate(layout):
        workers.send(index, "finish", index, len(pages), offset, total, dict(meta))
        offset += len(pages)
    return join_pdfs([workers.receive(index) for index in range(len(layout))])
