"""The kinds of document a selection issues: their series, number codes and titles.

One table per use, all keyed by kind (``announcement`` … ``audit_trail``): the numbering
series a kind draws from (see ``numbers``), the agency's default pattern per series, the
``{kind}`` code its number may print, its printed Indonesian title and its name in the
interface.
"""

from __future__ import annotations

from openbid.models import Agency
from openbid.rules.reasons import N_

# Kind -> the numbering series it draws from unless the agency gives the kind its own.
KIND_SERIES: dict[str, str] = {
    "announcement": "announcement",
    "extension_notice": "announcement",
    "screening_announcement": "announcement",
    "results_announcement": "announcement",
    "top_three_announcement": "announcement",
    "screening_minutes": "minutes",
    "plenary_minutes": "minutes",
    "decree": "decree",
    "oversight_report": "report",
    "audit_trail": "audit",
    "oversight_recommendation": "oversight",
}

# Used when the agency has no pattern for a series; shaped like real Kota Tangerang numbers.
DEFAULT_PATTERNS: dict[str, str] = {
    "announcement": "800/{seq:02d}-Pansel/{year}",
    "minutes": "800/{seq:02d}/BA-Pansel/{year}",
    "decree": "821.2/Kep.{seq}-BKPSDM/{year}",
    "report": "800/{seq:02d}/Lap-BKPSDM/{year}",
    "audit": "AUDIT/{year}/{seq:04d}",
    # Numbered by the oversight body's own pattern (OversightBody.numbering_pattern).
    "oversight": "REKOM/{seq}/{year}",
}

# The {kind} placeholder's value per document kind.
KIND_CODES: dict[str, str] = {
    "announcement": "PENG",
    "extension_notice": "PENG",
    "screening_announcement": "PENG",
    "results_announcement": "PENG",
    "top_three_announcement": "PENG",
    "screening_minutes": "BA",
    "plenary_minutes": "BA",
    "decree": "KPTS",
    "oversight_report": "LAP",
    "audit_trail": "AUDIT",
    "oversight_recommendation": "REKOM",
}

# The document's own (Indonesian) title, as printed and registered.
KIND_TITLES: dict[str, str] = {
    "announcement": "Pengumuman Panitia Seleksi",
    "extension_notice": "Pengumuman Perpanjangan Masa Pendaftaran",
    "screening_minutes": "Berita Acara Penetapan Hasil Seleksi Administrasi",
    "screening_announcement": "Pengumuman Hasil Seleksi Administrasi",
    "results_announcement": "Pengumuman Hasil Penilaian Kompetensi dan Wawancara",
    "plenary_minutes": "Berita Acara Sidang Panitia Seleksi (Penetapan Hasil Akhir)",
    "top_three_announcement": "Pengumuman Hasil Akhir (Tiga Besar)",
    "decree": "Keputusan {head_title} tentang Pengangkatan dalam Jabatan Pimpinan Tinggi Pratama",
    "oversight_report": "Laporan Pelaksanaan Seleksi Terbuka",
    "audit_trail": "Jejak Audit Seleksi Terbuka",
    "oversight_recommendation": "Surat Instansi Pengawas atas Seleksi Terbuka",
}

# The kind's name in the interface (English source, translated where shown).
KIND_LABELS: dict[str, str] = {
    "announcement": N_("Announcement"),
    "extension_notice": N_("Extension notice"),
    "screening_minutes": N_("Minutes of the administrative screening"),
    "screening_announcement": N_("Administrative screening results"),
    "results_announcement": N_("Assessment and interview results"),
    "plenary_minutes": N_("Minutes of the final plenary"),
    "top_three_announcement": N_("Announcement of the three best"),
    "decree": N_("Appointment decree"),
    "oversight_report": N_("Report to the oversight body"),
    "audit_trail": N_("Audit trail export"),
    "oversight_recommendation": N_("Oversight body's letter"),
}


def document_title(kind: str, agency: Agency) -> str:
    """Return the registered title of a kind for an agency."""
    return KIND_TITLES[kind].format(head_title=agency.head_title)
