"""The Indonesian wording documents print: names, labels, and the standard texts.

The ``DEFAULT_*`` texts are the documents' standard wording (notes, tembusan, contact
hours). An agency may reword them for a selection under the ``documents`` parameter
(``announcement_notes``, ``screening_notes``, ``results_notes``, ``top_three_notes``,
``decree_copies``, ``contact_hours``); no stage rule reads them.
"""

from __future__ import annotations

from openbid.models import CommitteeRole

AUTHORITY_NAMES = {
    "KASN": "Komisi Aparatur Sipil Negara",
    "BKN": "Badan Kepegawaian Negara",
    "KEMENDAGRI": "Menteri Dalam Negeri",
    "PRESIDEN": "Presiden Republik Indonesia",
}
GATE_SUBJECTS = {
    "kasn_recommendation": "Rekomendasi Rencana Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
    "bkn_pertek": "Pertimbangan Teknis Pengisian Jabatan Pimpinan Tinggi Pratama secara Terbuka",
}
RESULT_SUBJECT = "Rekomendasi Hasil Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama"
ADDRESSEES = {
    "KASN": ("Ketua Komisi Aparatur Sipil Negara", "Jakarta"),
    "BKN": ("Kepala Badan Kepegawaian Negara", "Jakarta"),
}
COMMITTEE_ROLES_ID = {
    CommitteeRole.CHAIR: "Ketua",
    CommitteeRole.SECRETARY: "Sekretaris",
    CommitteeRole.MEMBER: "Anggota",
}
STAGE_LABELS_ID = {
    "draft": "Perencanaan",
    "approval": "Persetujuan rencana seleksi",
    "announcement": "Pengumuman dan pendaftaran",
    "registration": "Pendaftaran",
    "administrative_screening": "Seleksi administrasi",
    "competency_assessment": "Penilaian kompetensi, makalah, dan rekam jejak",
    "interview": "Wawancara akhir",
    "appointment": "Penetapan tiga besar dan pemilihan oleh Pejabat Pembina Kepegawaian",
    "completed": "Selesai",
    "cancelled": "Dibatalkan",
}

# Documents that conclude each stage, as the report to the oversight body lists them.
STAGE_DOCUMENTS = {
    "announcement": ("announcement", "extension_notice"),
    "administrative_screening": ("screening_minutes", "screening_announcement"),
    "interview": ("results_announcement", "plenary_minutes", "top_three_announcement"),
    "appointment": ("decree",),
}
SHORT_KIND_ID = {
    "announcement": "Pengumuman",
    "extension_notice": "Pengumuman",
    "screening_minutes": "Berita Acara",
    "screening_announcement": "Pengumuman",
    "results_announcement": "Pengumuman",
    "plenary_minutes": "Berita Acara",
    "top_three_announcement": "Pengumuman",
    "decree": "Keputusan",
    "oversight_report": "Surat",
    "audit_trail": "Jejak Audit",
}
COMPONENT_LABELS_ID = {
    "track_record": "Rekam Jejak",
    "interview": "Wawancara",
    "paper": "Makalah dan Presentasi",
    "assessment": "Penilaian Kompetensi",
}
EDUCATION_ID = {
    "D4": "sarjana (S-1) atau diploma empat (D-IV)",
    "S1": "sarjana (S-1) atau diploma empat (D-IV)",
    "S2": "magister (S-2)",
    "S3": "doktor (S-3)",
}
RATINGS_ID = {
    "sangat_baik": "sangat baik",
    "baik": "baik",
    "butuh_perbaikan": "butuh perbaikan",
    "kurang": "kurang",
    "sangat_kurang": "sangat kurang",
}
DOCUMENT_DESCRIPTIONS = {
    "surat_lamaran": "Surat lamaran yang ditujukan kepada Panitia Seleksi.",
    "cv": "Daftar riwayat hidup.",
    "sk_pangkat": "Keputusan kenaikan pangkat terakhir.",
    "sk_jabatan": "Keputusan pengangkatan dalam jabatan administrator atau jabatan fungsional "
    "ahli madya paling singkat 2 (dua) tahun.",
    "ijazah": "Ijazah pendidikan terakhir.",
    "skp": "Penilaian kinerja (SKP) 2 (dua) tahun terakhir.",
    "lhkpn": "Tanda terima penyampaian LHKPN atau LHKASN.",
    "persetujuan_ppk": "Surat persetujuan dari Pejabat Pembina Kepegawaian instansi asal.",
    "pernyataan_disiplin": "Surat pernyataan tidak sedang menjalani hukuman disiplin tingkat "
    "sedang atau berat dan tidak sedang dalam pemeriksaan.",
    "surat_sehat": "Surat keterangan sehat jasmani dan rohani dari dokter pemerintah.",
    "pernyataan_nonpartai": "Surat pernyataan tidak menjadi anggota atau pengurus partai politik.",
}

# The standard texts; a selection's ``documents`` parameter may reword each (see above).
DEFAULT_ANNOUNCEMENT_NOTES = [
    "Seluruh tahapan seleksi tidak dipungut biaya.",
    "Jadwal dapat berubah; perubahan diumumkan melalui laman pendaftaran.",
    "Pelamar yang memberikan keterangan atau dokumen tidak benar dinyatakan gugur.",
    "Keputusan Panitia Seleksi bersifat final dan tidak dapat diganggu gugat.",
]
DEFAULT_SCREENING_NOTES = [
    "Peserta yang dinyatakan memenuhi syarat wajib mengikuti seluruh tahapan seleksi "
    "berikutnya; yang tidak hadir pada salah satu tahapan dinyatakan gugur.",
    "Peserta hadir 30 (tiga puluh) menit sebelum kegiatan dengan membawa kartu tanda pengenal.",
]
DEFAULT_RESULTS_NOTES = [
    "Nilai akhir dihitung dari nilai setiap unsur penilaian dikalikan bobot yang tercantum "
    "pada kepala tabel.",
]
DEFAULT_TOP_THREE_NOTES = [
    "Nama-nama tersebut disampaikan kepada {head_title} selaku Pejabat Pembina Kepegawaian "
    "untuk dipilih 1 (satu) orang pada setiap jabatan.",
    "Keputusan Panitia Seleksi bersifat final dan tidak dapat diganggu gugat.",
]
DEFAULT_DECREE_COPIES = [
    "Kepala Badan Kepegawaian Negara di Jakarta;",
    "Kepala Kantor Regional Badan Kepegawaian Negara yang membawahi Provinsi {province};",
    "Gubernur {province};",
    "Inspektur {region_name};",
    "Kepala Badan Pengelolaan Keuangan dan Aset Daerah {region_name};",
    "Yang bersangkutan.",
]
DEFAULT_CONTACT_HOURS = "Senin sampai Jumat, pukul 08.00-16.00 WIB"
RESULTS_STAGE_NAME = "Penilaian Kompetensi, Makalah, Rekam Jejak, dan Wawancara Akhir"
