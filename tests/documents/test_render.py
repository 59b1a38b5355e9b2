"""Every document renders to a real PDF, with the text it must carry, deterministically."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import jinja2
import pytest
from pypdf import PdfReader

from openbid.documents import render
from openbid.documents.contexts import CONTEXTS, template_name
from openbid.documents.render import pdf_text, render_html, render_pdf
from tests.documents.samples import KINDS, sample_context

from .conftest import RenderedSamples

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures

REPO = Path(__file__).resolve().parents[2]

FOOTER = "Dokumen ini diterbitkan oleh openbid."

# Phrases each document must carry (pypdf's text, whitespace collapsed).
EXPECTED = {
    "decree": [
        "PROVINSI BANTEN",
        "KEPUTUSAN WALI KOTA TANGERANG",
        "NOMOR 821.2/Kep.15-BKPSDM/2019",
        "PENGANGKATAN DALAM JABATAN PIMPINAN TINGGI PRATAMA",
        "DI LINGKUNGAN PEMERINTAH KOTA TANGERANG",
        "DENGAN RAHMAT TUHAN YANG MAHA ESA",
        "WALI KOTA TANGERANG,",
        "Menimbang",
        "Rekomendasi Hasil Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama Komisi Aparatur "
        "Sipil Negara Nomor B-0112/KASN/1/2019 tanggal 9 Januari 2019",
        "Mengingat",
        "Undang-Undang Nomor 2 Tahun 1993 tentang Pembentukan Kotamadya Daerah Tingkat II",
        "MEMUTUSKAN:",
        "Menetapkan",
        "KESATU",
        "KEDUA",
        "KETIGA",
        "Ditetapkan di Tangerang",
        "pada tanggal 14 Januari 2019",
        "ARIEF R. WISMANSYAH",
        "Ditandatangani secara elektronik",
        "Tembusan",
        "Yang bersangkutan.",
        "LAMPIRAN KEPUTUSAN WALI KOTA TANGERANG",
        "TANGGAL : 14 JANUARI 2019",
        "Dr. Hj. Siti Nurjanah, M.Pd.",
        "19680315 199303 2 004",
        "dr. Agus Salim, M.P.H.",
        "19680606 199803 1 002",
        "Dr. Andi Saputra, S.E., M.Si.",
        "19740817 200003 1 002",
        "Pembina Utama Muda (IV/c)",
        "Kepala Dinas Kesehatan Kota Tangerang",
    ],
    "announcement": [
        "PENGUMUMAN",
        "PANITIA SELEKSI TERBUKA JABATAN PIMPINAN TINGGI PRATAMA",
        "Nomor: 800/01-Pansel/2018",
        "B-3870/KASN/11/2018",
        "Kepala Dinas Pendidikan",
        "Kepala Badan Perencanaan Pembangunan Daerah",
        "Persyaratan Umum",
        "Pembina Tingkat I (IV/b)",
        "Tanda terima penyampaian LHKPN.",
        "19 November 2018 pukul 08.00 WIB",
        "3 Desember 2018 pukul 16.00 WIB",
        "https://openbid.example/seleksi/2018-01",
        "Jadwal Seleksi",
        "Senin, 17 Desember 2018 s.d. Selasa, 18 Desember 2018",
        "Tangerang, 19 November 2018",
        "Ketua Panitia Seleksi,",
    ],
    "extension_notice": [
        "PERPANJANGAN PERTAMA (KE-1) MASA PENDAFTARAN",
        "Nomor: 800/02-Pansel/2018",
        "paling sedikit 4 (empat) orang",
        "3 orang",
        "Senin, 10 Desember 2018 pukul 16.00 WIB",
        "B-4102/KASN/12/2018",
    ],
    "screening_minutes": [
        "BERITA ACARA",
        "PENETAPAN HASIL SELEKSI ADMINISTRASI",
        "Pada hari ini Rabu tanggal dua belas bulan Desember tahun dua ribu delapan belas",
        "Akhmad Lutfi",
        "TMS",
        "Usia 57 tahun",
        "Jumlah pelamar 5 orang: 3 orang memenuhi syarat (MS) dan 2 orang tidak",
        "(tidak hadir)",
        "PANITIA SELEKSI",
    ],
    "screening_announcement": [
        "HASIL SELEKSI ADMINISTRASI",
        "Nomor: 800/04-Pansel/2018",
        "800/03-Pansel/2018",
        "19710418 200012 2 003",
        "Jadwal Tahapan Berikutnya",
    ],
    "results_announcement": [
        "HASIL PENILAIAN KOMPETENSI, MAKALAH, REKAM JEJAK, DAN WAWANCARA",
        "Wawancara (35%)",
        "84,65",
        "83,79",
    ],
    "plenary_minutes": [
        "SIDANG PANITIA SELEKSI DALAM RANGKA PENETAPAN HASIL AKHIR",
        "Bobot Penilaian",
        "100%",
        "Penetapan Tiga Besar",
        "Konflik Kepentingan",
        "Atasan langsung peserta",
    ],
    "top_three_announcement": [
        "HASIL AKHIR (TIGA BESAR)",
        "disusun menurut abjad",
        "800/06-Pansel/2018",
    ],
    "oversight_report": [
        "Yth. Ketua Komisi Aparatur Sipil Negara",
        "Laporan Pelaksanaan Seleksi Terbuka",
        "Rekapitulasi per Jabatan",
        "a.n. Wali Kota Tangerang",
        "821.2/Kep.15-BKPSDM/2019",
    ],
    "audit_trail": [
        "JEJAK AUDIT SELEKSI TERBUKA",
        "SELTER-TNG-2018-01",
        "UTUH",
        "announcement → administrative_screening",
        "Keputusan Wali Kota Tangerang",
    ],
    "oversight_recommendation": [
        "KOMISI APARATUR SIPIL NEGARA",
        "Nomor : B-3921/KASN/11/2018",
        "Yth. Wali Kota Tangerang",
        "Kepala Dinas Kesehatan",
        "Panitia Seleksi",
        "Catatan: Hasil seleksi dilaporkan kepada KASN.",
    ],
}


def _text(data: bytes) -> str:
    """The PDF's text with runs of whitespace collapsed to one space."""
    return " ".join(pdf_text(data).split())


def _squeezed(text: str) -> str:
    """Text without any whitespace, so phrases match across line breaks."""
    return "".join(text.split())


def test_every_kind_has_a_sample_a_template_and_expectations() -> None:
    assert set(KINDS) == set(CONTEXTS) == set(EXPECTED)
    for kind in KINDS:
        assert (REPO / "templates" / template_name(kind)).is_file()


@pytest.mark.parametrize("kind", KINDS)
def test_sample_renders_with_its_key_phrases(kind: str, rendered: RenderedSamples) -> None:
    data = rendered(kind)
    assert data.startswith(b"%PDF-")
    text = _squeezed(pdf_text(data))
    context = sample_context(kind)
    for phrase in [*EXPECTED[kind], FOOTER, context["verification_code"], context["verify_url"]]:
        assert _squeezed(phrase) in text, f"{kind}: {phrase!r} missing"


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_carries_the_footer_and_page_number(
    kind: str, rendered: RenderedSamples
) -> None:
    pages = pdf_text(rendered(kind)).split("\f")
    code = sample_context(kind)["verification_code"]
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert f"Kode verifikasi: {code}" in flat
        assert f"Halaman {number} dari {len(pages)}" in flat


@pytest.mark.parametrize("kind", KINDS)
def test_libxml2s_tree_renders_the_same_bytes_as_weasyprints_own_parser(
    kind: str, rendered: RenderedSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Documents are parsed by libxml2 (render.parse_html); WeasyPrint's HTML5 parser is the
    # reference: with it in charge, every kind must come out byte for byte the same.
    parsed_by_libxml2 = rendered(kind)
    monkeypatch.setattr(render, "parse_html", lambda html: None)
    context = sample_context(kind)
    html = render_html(template_name(kind), context)
    assert render.single_pdf(html, context) == parsed_by_libxml2


def test_parse_html_puts_stray_rows_in_a_row_group_and_gives_up_on_nothing() -> None:
    root = render.parse_html(
        "<html><body><table><tr><td>a</td></tr><tr><td>b</td></tr></table>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>c</td></tr></tbody></table>"
        "<!-- kept --><p>x &amp; y</p></body></html>"
    )
    first, second = root.find("body").findall("table")
    assert [child.tag for child in first] == ["tbody"]
    assert [row.findtext("td") for row in first.find("tbody")] == ["a", "b"]
    assert [child.tag for child in second] == ["thead", "tbody"]
    assert root.find("body/p").text == "x & y"
    assert render.parse_html("") is None  # left to WeasyPrint's own parser


def test_parse_html_keeps_a_huge_text_and_leaves_broken_html_to_weasyprint() -> None:
    huge = "y" * 11_000_000  # over libxml2's 10 MB limit for one text, without huge_tree
    root = render.parse_html(f"<html><body><p>{huge}</p><p>after</p></body></html>")
    assert [len(p.text) for p in root.iter("p")] == [len(huge), len("after")]
    # libxml2 recovers from what it cannot read by dropping it: any error, and the
    # document goes to WeasyPrint's own (HTML5) parser instead.
    assert render.parse_html("<html><body><p>a</p></bogus-close></body></html>") is None


def test_decree_attachment_starts_a_new_page(rendered: RenderedSamples) -> None:
    pages = pdf_text(rendered("decree")).split("\f")
    assert "LAMPIRAN KEPUTUSAN" in pages[-1]
    assert not any("LAMPIRAN KEPUTUSAN" in page for page in pages[:-1])
    assert "DENGAN RAHMAT TUHAN" in pages[0]


def test_decree_has_no_office_letterhead(rendered: RenderedSamples) -> None:
    assert "BADAN KEPEGAWAIAN DAN PENGEMBANGAN" not in _text(rendered("decree"))
    assert "BADAN KEPEGAWAIAN DAN PENGEMBANGAN" in _text(rendered("announcement"))


def test_top_three_are_alphabetical_but_minutes_keep_rank(rendered: RenderedSamples) -> None:
    published = _text(rendered("top_three_announcement"))
    minutes = _text(rendered("plenary_minutes"))
    # Kesehatan: rank order Liza, Agus, Hendra; alphabetical Agus, Hendra, Liza.
    order = [published.index(n) for n in ("Agus Salim", "Hendra Wijaya", "Liza Puspadewi")]
    assert order == sorted(order)
    ranked = minutes[minutes.index("Penetapan Tiga Besar") :]
    order = [ranked.index(n) for n in ("Liza Puspadewi", "Agus Salim", "Hendra Wijaya")]
    assert order == sorted(order)


def test_pdf_dates_come_from_issued_at(rendered: RenderedSamples) -> None:
    info = PdfReader(io.BytesIO(rendered("decree"))).metadata
    assert info["/CreationDate"] == "D:20190114100000+07'00"
    assert info["/ModDate"] == "D:20190114100000+07'00"
    assert info["/Title"] == "Keputusan Wali Kota Tangerang Nomor 821.2/Kep.15-BKPSDM/2019"
    assert info["/Creator"] == "openbid"


def test_same_inputs_give_identical_bytes_in_one_process() -> None:
    context = sample_context("extension_notice")
    first = render_pdf("documents/extension_notice.html", context)
    assert render_pdf("documents/extension_notice.html", context) == first


def test_another_issue_date_changes_the_bytes() -> None:
    context = sample_context("extension_notice")
    first = render_pdf("documents/extension_notice.html", context)
    context["issued_at"] = context["issued_at"].replace(minute=1)
    assert render_pdf("documents/extension_notice.html", context) != first


_RENDER_IN_CHILD = """
import hashlib, sys
{prelude}
from openbid.documents.render import render_pdf
from tests.documents.samples import sample_context
data = render_pdf("documents/decree.html", sample_context("decree"))
print(hashlib.sha256(data).hexdigest())
"""


def _digest_in_child(prelude: str = "") -> str:
    """Render the sample decree in a fresh interpreter and return its sha256."""
    result = subprocess.run(
        [sys.executable, "-c", _RENDER_IN_CHILD.format(prelude=prelude)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


def test_byte_identical_across_processes(rendered: RenderedSamples) -> None:
    here = hashlib.sha256(rendered("decree")).hexdigest()
    assert _digest_in_child() == _digest_in_child() == here


def test_fonttools_fallback_is_repeatable_too() -> None:
    # Without libharfbuzz-subset0 WeasyPrint subsets with fontTools, which stamps fonts
    # with the time unless SOURCE_DATE_EPOCH is set; render.py sets it in that case.
    prelude = (
        "import os; os.environ.pop('SOURCE_DATE_EPOCH', None)\n"
        "import weasyprint.pdf.fonts as fonts; fonts.harfbuzz_subset = None\n"
        "from openbid.documents.render import font_subsetter\n"
        "assert font_subsetter() == 'fonttools'"
    )
    first = _digest_in_child(prelude)
    time.sleep(1.1)  # fontTools timestamps have one-second resolution
    assert _digest_in_child(prelude) == first


def test_this_machine_subsets_with_harfbuzz() -> None:
    # The measured facts (speed, determinism) assume libharfbuzz-subset0 is installed.
    assert render.font_subsetter() == "harfbuzz"


def test_concurrent_renders_in_threads_agree() -> None:
    context = sample_context("extension_notice")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: render_pdf("documents/extension_notice.html", context), range(4))
        )
    assert len(set(results)) == 1


def test_one_font_configuration_per_process() -> None:
    render_pdf("documents/extension_notice.html", sample_context("extension_notice"))
    first = render._font_config
    render_pdf("documents/extension_notice.html", sample_context("extension_notice"))
    assert render._font_config is first is not None


def test_missing_context_key_fails_loudly() -> None:
    context = sample_context("decree")
    del context["appointees"]
    with pytest.raises(jinja2.UndefinedError, match="appointees"):
        render_pdf("documents/decree.html", context)


def test_candidate_text_is_escaped() -> None:
    context = sample_context("screening_announcement")
    context["posts"][0]["candidates"][0]["name"] = '<img src="http://evil.example/x">Budi'
    html = render_html("documents/screening_announcement.html", context)
    assert "&lt;img src=&#34;http://evil.example/x&#34;&gt;Budi" in html
    assert '<img src="http://evil' not in html


def test_fetcher_allows_data_uris_and_template_files_only(tmp_path: Path) -> None:
    weasyprint, _ = render._load_weasyprint()
    fetcher = render._local_fetcher(weasyprint, None)
    assert fetcher("data:text/plain,halo").read() == b"halo"
    css = (render.TEMPLATES_DIR / "documents" / "_print.css").as_uri()
    assert b"@page" in fetcher(css).read()
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia")
    for url in (secret.as_uri(), "http://169.254.169.254/latest/meta-data/", "https://x.example/"):
        with pytest.raises(ValueError, match=r"may not load|disallowed protocol"):
            fetcher(url)
    assert (
        fetcher.__class__([tmp_path], allowed_protocols=("data", "file"))(secret.as_uri()).read()
        == b"rahasia"
    )


def test_optional_logo_is_embedded_as_data_uri() -> None:
    context = sample_context("announcement")
    # A 1x1 black PNG.
    context["agency"]["logo"] = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAA"
        "AgABSK+kcQAAAABJRU5ErkJggg=="
    )
    data = render_pdf("documents/announcement.html", context)
    page = PdfReader(io.BytesIO(data)).pages[0]
    sizes = sorted(image.image.size for image in page.images)
    assert sizes[0] == (1, 1)  # the logo, next to the footer's QR code
    assert len(sizes) == 2


def test_empty_lists_render() -> None:
    context = sample_context("audit_trail")
    context["events"] = []
    context["documents"] = []
    text = _text(render_pdf("documents/audit_trail.html", context))
    assert "Belum ada peristiwa." in text and "Belum ada dokumen." in text


def test_sample_nips_are_valid() -> None:
    for kind in ("screening_minutes",):
        for post in sample_context(kind)["posts"]:
            for person in post["applicants"]:
                digits = person["nip"]
                assert len(digits) == 18 and digits.isdigit()
                born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
                started = date(int(digits[8:12]), int(digits[12:14]), 1)
                assert born < started and digits[14] in "12"


_HEAP_IN_CHILD = """
import gc
from openbid.app import create_app
from openbid.documents import render
create_app()
before = len(gc.get_objects())
render._load_weasyprint()
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_loading_weasyprint_takes_the_live_heap_out_of_full_collections() -> None:
    """Full collections, set off every few renders, walk only what was made after loading."""
    result = subprocess.run(
        [sys.executable, "-c", _HEAP_IN_CHILD],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    before, frozen, walked = map(int, result.stdout.split())
    assert frozen > before  # the app, and WeasyPrint with its fonts
    assert walked < frozen // 20
