"""Long documents render in chunks on worker processes: same pages, same numbers, one file."""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from openbid.documents import chunked, render
from openbid.documents.signing import Signer, sign_pdf, verify_signature
from openbid.extensions import db
from openbid.stages import documents
from tests.documents import scenario
from tests.documents.long_documents import TEMPLATE, long_announcement

ROWS = 300  # enough for several pages in each chunk, quick enough for the suite


@pytest.fixture(scope="module")
def workers() -> Iterator[None]:
    """Stop the render workers after this module's tests."""
    yield
    chunked.shutdown()


def page_texts(data: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_rows_are_marked_and_chunks_continue_the_table() -> None:
    html = render.render_html(TEMPLATE, long_announcement(5))
    rows = chunked.mark_rows(html)
    assert rows is not None
    assert rows.table_of[:6] == [0, 0, 0, 0, 0, 1]  # the candidates, then the schedule
    assert all(rows.html.startswith("<tr", at) for at in rows.starts)
    middle = rows.chunk_html(2, 4)
    assert middle.startswith(rows.head)
    assert 'style="margin-top:0"' in middle and "<thead>" in middle
    assert middle.count(f"{chunked.ROW_ATTR}=") == 2
    assert middle.endswith("</tbody></table></body></html>")
    assert rows.chunk_html(0, len(rows.starts)) == rows.html


def test_only_whitespace_between_data_rows_and_cells_is_trimmed() -> None:
    html = (
        '<table class="kop">\n<tr>\n<td>k</td>\n</tr></table>'
        '<table class="data"><thead>\n<tr>\n<th>N</th>\n</tr></thead><tbody>\n'
        '  <tr>\n    <td class="num"> 1 </td>\n    <td><b>a</b> </td>\n  </tr>\n'
        "  <tr><td>2</td>  <td>b</td></tr>\n</tbody></table>"
    )
    assert chunked.trim_rows(html) == (
        '<table class="kop">\n<tr>\n<td>k</td>\n</tr></table>'
        '<table class="data"><thead>\n<tr>\n<th>N</th>\n</tr></thead><tbody>\n'
        '  <tr><td class="num"> 1 </td><td><b>a</b> </td></tr><tr><td>2</td><td>b</td></tr>\n'
        "</tbody></table>"
    )


def test_guesses_only_choose_where_to_start() -> None:
    assert chunked.guess_start(None, 150) == 150
    assert chunked.guess_start((21, 34), 150) == 123
    assert chunked.page_model([(0, 20), (21, 54), (55, 88)]) == (21, 34)


@pytest.mark.real_pdf
def test_long_announcement_in_chunks_reads_as_one_render(
    workers: None, demo_signer: Signer, demo_keys: tuple[Path, Path]
) -> None:
    context = long_announcement(ROWS)
    html = render.render_html(TEMPLATE, context)
    assert chunked.wanted(html)
    single = render.single_pdf(html, context)
    chunked._models.clear()  # first render guesses wrong and lays a chunk out again
    joined = render.render_pdf(TEMPLATE, context)
    assert chunked._models  # the second guesses right
    assert render.render_pdf(TEMPLATE, context) == joined  # deterministic either way

    expected, texts = page_texts(single), page_texts(joined)
    assert len(texts) == len(expected) >= 8
    assert texts == expected
    assert f"Halaman {len(texts)} dari {len(texts)}" in texts[-1]
    assert "Peserta Nomor 0299" in texts[-1] or "Peserta Nomor 0299" in texts[-2]

    info = PdfReader(io.BytesIO(joined)).metadata
    assert info["/Keywords"] == PdfReader(io.BytesIO(single)).metadata["/Keywords"]
    assert info["/Title"].startswith("Pengumuman Hasil Seleksi Administrasi")
    assert render.chain_state_in_pdf(joined) == (context["chain_seq"], context["chain_hash"])
    assert all(context["verification_code"] in text for text in texts)

    signed = sign_pdf(
        joined,
        demo_signer,
        reason="Pengumuman",
        location="Tangerang",
        timestamp=datetime(2019, 1, 14, 10, 0, tzinfo=timezone(timedelta(hours=7))),
    )
    report = verify_signature(signed, [demo_keys[0]])
    assert report.valid and report.intact and report.whole_file, report.summary
    assert page_texts(signed) == expected


def child_of(pid: int) -> int:
    """The one child process of a render worker (the one holding its chunk), from /proc."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        (child,) = children.read().split()
    return int(child)


@pytest.mark.real_pdf
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc")
def test_a_killed_chunk_child_or_worker_is_a_chunk_error() -> None:
    html = chunked.mark_rows(render.render_html(TEMPLATE, long_announcement(5))).html
    workers = chunked.Pool(2, render.chunk_tools)
    try:
        for index in range(2):
            workers.send(index, "layout", index, html, None)
            assert workers.receive(index)  # each worker's child now holds its chunk
        pids = [process.pid for process, _ in workers.workers]
        os.kill(child_of(pids[0]), signal.SIGKILL)
        with pytest.raises(chunked.ChunkError, match="died"):
            workers.receive(0)  # its worker leaves too: the pipe ends
        os.kill(pids[1], signal.SIGKILL)  # its child dies with it and lets go of the pipe
        assert workers.workers[1][1].poll(60), "the chunk child outlived its killed worker"
        with pytest.raises(chunked.ChunkError, match="died"):
            workers.receive(1)
    finally:
        workers.close()


BASE_KEYS = {"agency", "number", "issued_at", "verification_code", "verify_url", "signed"}
BASE_KEYS |= {"chain_seq", "chain_hash"}


@pytest.mark.real_pdf
def test_an_issued_long_document_is_signed_and_verify_document_accepts_it(
    app, runner, demo_keys: tuple[Path, Path], workers: None, tmp_path: Path
) -> None:
    cert, key = demo_keys
    app.config.update(SIGNING_CERT=cert, SIGNING_KEY=key, SIGNING_TRUST_ROOTS=(cert,))
    built = scenario.build()
    context = {k: v for k, v in long_announcement(ROWS).items() if k not in BASE_KEYS}
    document = documents.issue_document(
        db.session,
        kind="screening_announcement",
        selection=built.selection,
        actor=built.secretariat,
        context=context,
        issued_at=scenario.ISSUE_TIMES["screening_announcement"],
    )
    db.session.commit()
    data = documents.document_bytes(document)
    texts = page_texts(data)
    assert len(texts) >= 8 and f"Halaman 1 dari {len(texts)}" in texts[0]
    assert document.verification_code in texts[-1]
    path = tmp_path / "pengumuman.pdf"
    path.write_bytes(data)
    result = runner.invoke(args=["openbid", "verify-document", str(path)])
    assert result.exit_code == 0, result.output
    assert "Signature:  valid" in result.output
