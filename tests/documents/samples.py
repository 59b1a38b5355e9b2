"""Sample contexts: a Kota Tangerang 2018 selection, for tests and for looking at PDFs.

The agency, its Wali Kota and BKPSDM head are real (see the 2018 news report in the
shared seed notes); committee members, candidates, NIPs, letter numbers and scores are
invented. The timeline is consistent across documents: plan recommended by KASN on
16 November 2018, registration 19 November to 3 December (Bappeda extended once to
10 December), administrative result 12 December, assessment and interviews 17 to 21
December, plenary 27 December, decree 14 January 2019.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date, datetime
from typing import Any

from openbid.documents.contexts import CONTEXTS

VERIFY_BASE = "https://openbid.example/verify/"

AGENCY: dict[str, Any] = {
    "name": "Pemerintah Kota Tangerang",
    "region_name": "Kota Tangerang",
    "province": "Banten",
    "seat": "Tangerang",
    "head_title": "Wali Kota Tangerang",
    "head_name": "Arief R. Wismansyah",
    "office_name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "office_head_name": "Akhmad Lutfi",
    "address": "Gedung Cisadane, Pusat Pemerintahan Kota Tangerang, "
    "Jalan Satria Sudirman Nomor 1, Tangerang 15111",
    "phone": "",
    "email": "",
    "website": "www.tangerangkota.go.id",
}

SELECTION = {
    "title": "Seleksi Terbuka Pengisian Jabatan Pimpinan Tinggi Pratama "
    "di Lingkungan Pemerintah Kota Tangerang Tahun 2018",
    "year": 2018,
}

LEGAL_BASIS = [
    "Undang-Undang Nomor 2 Tahun 1993 tentang Pembentukan Kotamadya Daerah Tingkat II "
    "Tangerang (Lembaran Negara Republik Indonesia Tahun 1993 Nomor 18, Tambahan "
    "Lembaran Negara Republik Indonesia Nomor 3518);",
    "Undang-Undang Nomor 5 Tahun 2014 tentang Aparatur Sipil Negara (Lembaran Negara "
    "Republik Indonesia Tahun 2014 Nomor 6, Tambahan Lembaran Negara Republik Indonesia "
    "Nomor 5494);",
    "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah (Lembaran Negara "
    "Republik Indonesia Tahun 2014 Nomor 244, Tambahan Lembaran Negara Republik "
    "Indonesia Nomor 5587) sebagaimana telah beberapa kali diubah, terakhir dengan "
    "Undang-Undang Nomor 9 Tahun 2015 tentang Perubahan Kedua atas Undang-Undang "
    "Nomor 23 Tahun 2014 tentang Pemerintahan Daerah (Lembaran Negara Republik "
    "Indonesia Tahun 2015 Nomor 58, Tambahan Lembaran Negara Republik Indonesia "
    "Nomor 5679);",
    "Peraturan Pemerintah Nomor 11 Tahun 2017 tentang Manajemen Pegawai Negeri Sipil "
    "(Lembaran Negara Republik Indonesia Tahun 2017 Nomor 63, Tambahan Lembaran Negara "
    "Republik Indonesia Nomor 6037);",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 13 "
    "Tahun 2014 tentang Tata Cara Pengisian Jabatan Pimpinan Tinggi secara Terbuka di "
    "Lingkungan Instansi Pemerintah;",
]

KASN = "Komisi Aparatur Sipil Negara"
PLAN_RECOMMENDATION = {
    "number": "B-3870/KASN/11/2018",
    "date": date(2018, 11, 16),
    "authority": KASN,
    "subject": "Rekomendasi Rencana Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
}
RESULT_RECOMMENDATION = {
    "number": "B-0112/KASN/1/2019",
    "date": date(2019, 1, 9),
    "authority": KASN,
    "subject": "Rekomendasi Hasil Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
}

NUMBERS = {
    "announcement": "800/01-Pansel/2018",
    "extension_notice": "800/02-Pansel/2018",
    "screening_minutes": "800/03-Pansel/2018",
    "screening_announcement": "800/04-Pansel/2018",
    "results_announcement": "800/05-Pansel/2018",
    "plenary_minutes": "800/06-Pansel/2018",
    "top_three_announcement": "800/07-Pansel/2018",
    "decree": "821.2/Kep.15-BKPSDM/2019",
    "oversight_report": "800/0231-BKPSDM/2019",
    "audit_trail": "AUDIT/2018/0001",
    "oversight_recommendation": "B-3921/KASN/11/2018",
}
ISSUED = {
    "announcement": datetime(2018, 11, 19, 8, 0),
    "extension_notice": datetime(2018, 12, 3, 17, 0),
    "screening_minutes": datetime(2018, 12, 12, 14, 0),
    "screening_announcement": datetime(2018, 12, 12, 16, 0),
    "results_announcement": datetime(2018, 12, 27, 16, 0),
    "plenary_minutes": datetime(2018, 12, 27, 13, 0),
    "top_three_announcement": datetime(2018, 12, 28, 9, 0),
    "decree": datetime(2019, 1, 14, 10, 0),
    "oversight_report": datetime(2019, 1, 21, 9, 0),
    "audit_trail": datetime(2019, 1, 21, 15, 30),
    "oversight_recommendation": datetime(2018, 11, 15, 10, 0),
}

COMMITTEE = [
    {"name": "Drs. H. Rachmat Hidayat, M.Si.", "role": "Ketua",
     "position": "Sekretaris Daerah Kota Tangerang"},
    {"name": "Akhmad Lutfi", "role": "Sekretaris",
     "position": "Kepala BKPSDM Kota Tangerang"},
    {"name": "Dr. Ir. Hermawan Susilo, M.M.", "role": "Anggota",
     "position": "Asisten Pemerintahan Sekretariat Daerah Kota Tangerang"},
    {"name": "Prof. Dr. Rina Kusumawardani, M.Si.", "role": "Anggota",
     "position": "Akademisi, Universitas Sultan Ageng Tirtayasa"},
    {"name": "Dr. Bonifasius Lumban Tobing, S.H., M.H.", "role": "Anggota",
     "position": "Akademisi, Universitas Muhammadiyah Tangerang"},
    {"name": "Dra. Sri Wahyuningsih, M.Psi., Psikolog", "role": "Anggota",
     "position": "Praktisi Manajemen Sumber Daya Manusia"},
    {"name": "Ir. Dodi Firmansyah, M.A.P.", "role": "Anggota",
     "position": "Kantor Regional III Badan Kepegawaian Negara"},
]  # fmt: skip
CHAIR = {"title": "Ketua Panitia Seleksi", "name": COMMITTEE[0]["name"]}
PPK = {"title": "Wali Kota Tangerang", "name": "Arief R. Wismansyah"}

COMPONENTS = [
    {"key": "rekam_jejak", "label": "Rekam Jejak", "weight": 20},
    {"key": "wawancara", "label": "Wawancara", "weight": 35},
    {"key": "makalah", "label": "Makalah dan Presentasi", "weight": 20},
    {"key": "asesmen", "label": "Penilaian Kompetensi", "weight": 25},
]

IV_B, IV_C = "Pembina Tingkat I (IV/b)", "Pembina Utama Muda (IV/c)"

# name, NIP, rank, current position, screening failure (None = passed), scores
# (track record, interview, paper, assessment) for those who passed.
_POSTS: list[dict[str, Any]] = [
    {
        "name": "Kepala Dinas Pendidikan",
        "unit": "Dinas Pendidikan",
        "requirements": [
            "Berlatar belakang pendidikan di bidang pendidikan, manajemen, atau "
            "administrasi publik.",
            "Memiliki pengalaman dalam pengelolaan pendidikan dasar.",
        ],
        "applicants": [
            ("Dr. Hj. Siti Nurjanah, M.Pd.", "196803151993032004", IV_B,
             "Sekretaris Dinas Pendidikan", None, (84, 86.5, 82, 81.25)),
            ("Drs. Bambang Supriyadi, M.M.", "196507121990031007", IV_B,
             "Kepala Bidang Pembinaan Sekolah Dasar Dinas Pendidikan", None,
             (80, 78.75, 79, 77.5)),
            ("H. Ahmad Fauzi, S.Pd., M.Si.", "197002241995121001", IV_B,
             "Camat Cipondoh", None, (78, 79.5, 76.5, 79)),
            ("Dra. Euis Komalasari, M.Pd.", "196111201986032002", IV_C,
             "Kepala Bidang Pendidik dan Tenaga Kependidikan Dinas Pendidikan",
             ["Usia 57 tahun pada batas akhir pendaftaran, melebihi batas 56 tahun."],
             None),
            ("Dedi Kurniawan, S.Sos., M.Si.", "197505052000031003", "Pembina (IV/a)",
             "Kepala Bagian Organisasi Sekretariat Daerah",
             ["Pangkat Pembina (IV/a), di bawah syarat paling rendah Pembina "
              "Tingkat I (IV/b)."], None),
        ],
    },
    {
        "name": "Kepala Dinas Kesehatan",
        "unit": "Dinas Kesehatan",
        "requirements": [
            "Berlatar belakang pendidikan kedokteran, kesehatan masyarakat, atau "
            "manajemen rumah sakit.",
            "Memiliki pengalaman dalam pengelolaan pelayanan kesehatan.",
        ],
        "applicants": [
            ("dr. Liza Puspadewi, M.K.M.", "197104182000122003", IV_B,
             "Sekretaris Dinas Kesehatan", None, (85, 84.5, 83, 82.75)),
            ("dr. Hendra Wijaya, M.Kes.", "196909091999031005", IV_B,
             "Kepala Bidang Pelayanan Kesehatan Dinas Kesehatan", None,
             (79, 81, 78.5, 80)),
            ("drg. Ratna Dewi Anggraini, M.A.R.S.", "197212122001122001", IV_B,
             "Kepala Bidang Pencegahan dan Pengendalian Penyakit Dinas Kesehatan",
             None, (77, 76.25, 79.5, 75)),
            ("dr. Agus Salim, M.P.H.", "196806061998031002", IV_C,
             "Wakil Direktur Pelayanan RSUD Kota Tangerang", None,
             (83, 85.75, 81, 80.5)),
            ("H. Rudi Hartono, S.K.M., M.Kes.", "197301011998031008", IV_B,
             "Kepala Bidang Sumber Daya Kesehatan Dinas Kesehatan",
             ["Tidak melampirkan tanda terima penyampaian LHKPN."], None),
        ],
    },
    {
        "name": "Kepala Badan Perencanaan Pembangunan Daerah",
        "unit": "Badan Perencanaan Pembangunan Daerah",
        "requirements": [
            "Berlatar belakang pendidikan perencanaan wilayah, ekonomi pembangunan, "
            "teknik, atau administrasi publik.",
            "Memiliki pengalaman dalam perencanaan dan penganggaran daerah.",
        ],
        "applicants": [
            ("Ir. Taufik Hidayat, M.T.", "196910101996031004", IV_B,
             "Kepala Bidang Infrastruktur dan Pengembangan Wilayah Bappeda", None,
             (81, 82.5, 84, 79.25)),
            ("Dr. Andi Saputra, S.E., M.Si.", "197408172000031002", IV_B,
             "Sekretaris Badan Perencanaan Pembangunan Daerah", None,
             (86, 85, 83.5, 84)),
            ("Nurhayati, S.T., M.Si.", "197602142001122001", IV_B,
             "Kepala Bagian Administrasi Pembangunan Sekretariat Daerah", None,
             (78, 77.5, 80, 76)),
            ("Yusuf Maulana, S.IP., M.Si.", "197811302003121001", "Pembina (IV/a)",
             "Camat Karawaci",
             ["Menduduki jabatan administrator kurang dari 2 tahun.",
              "Pangkat Pembina (IV/a), di bawah syarat paling rendah Pembina "
              "Tingkat I (IV/b)."], None),
            ("Ir. Wahyu Prasetyo, M.Sc.", "196703031992031006", IV_B,
             "Kepala Bidang Perekonomian dan Sumber Daya Alam Bappeda", None,
             (80, 79.5, 81, 82)),
        ],
    },
]  # fmt: skip
APPOINTED = {  # the PPK may pick any of the three best; Dinas Kesehatan takes no. 2
    "Kepala Dinas Pendidikan": "Dr. Hj. Siti Nurjanah, M.Pd.",
    "Kepala Dinas Kesehatan": "dr. Agus Salim, M.P.H.",
    "Kepala Badan Perencanaan Pembangunan Daerah": "Dr. Andi Saputra, S.E., M.Si.",
}


def _applicants(post: dict[str, Any]) -> list[dict[str, Any]]:
    """Expand a post's applicant tuples into dicts."""
    keys = ("name", "nip", "rank", "current_position", "reasons", "scores")
    return [dict(zip(keys, row, strict=True)) for row in post["applicants"]]


def _candidate(applicant: dict[str, Any]) -> dict[str, str]:
    """Keep the keys an announcement lists."""
    return {k: applicant[k] for k in ("name", "nip", "current_position")}


def _scored(post: dict[str, Any]) -> list[dict[str, Any]]:
    """Rank a post's qualified applicants by weighted total, best first."""
    rows = []
    for applicant in _applicants(post):
        if applicant["scores"] is None:
            continue
        scores = dict(zip((c["key"] for c in COMPONENTS), applicant["scores"], strict=True))
        total = sum(scores[c["key"]] * c["weight"] for c in COMPONENTS) / 100
        rows.append({**_candidate(applicant), "scores": scores, "total": round(total, 2)})
    rows.sort(key=lambda row: -row["total"])
    return [{"rank": i, **row} for i, row in enumerate(rows, start=1)]


def _base(kind: str) -> dict[str, Any]:
    """Keys every document context has."""
    code = hashlib.sha256(f"openbid-sample-{kind}".encode()).hexdigest()[:8].upper()
    code = f"{code[:4]}-{code[4:]}"
    return {
        "agency": AGENCY,
        "number": NUMBERS[kind],
        "issued_at": ISSUED[kind],
        "verification_code": code,
        "verify_url": VERIFY_BASE + code,
        "signed": kind in ("decree", "oversight_report"),
        "chain_seq": 57,
        "chain_hash": hashlib.sha256(f"openbid-sample-chain-{kind}".encode()).hexdigest(),
    }


def _decree() -> dict[str, Any]:
    """Appointment decree of the three appointees."""
    appointees = []
    for post in _POSTS:
        for applicant in _applicants(post):
            if applicant["name"] == APPOINTED[post["name"]]:
                appointees.append(
                    {
                        "name": applicant["name"],
                        "nip": applicant["nip"],
                        "rank": applicant["rank"],
                        "old_position": applicant["current_position"],
                        "new_position": f"{post['name']} Kota Tangerang",
                    }
                )
    return {
        "selection": SELECTION,
        "oversight": RESULT_RECOMMENDATION,
        "legal_basis": LEGAL_BASIS,
        "appointees": appointees,
        "signatory": PPK,
        "copies": [
            "Kepala Badan Kepegawaian Negara di Jakarta;",
            "Kepala Kantor Regional III Badan Kepegawaian Negara di Bandung;",
            "Gubernur Banten di Serang;",
            "Ketua Komisi Aparatur Sipil Negara di Jakarta;",
            "Inspektur Kota Tangerang;",
            "Kepala Badan Pengelolaan Keuangan dan Aset Daerah Kota Tangerang;",
            "Yang bersangkutan.",
        ],
    }


def _schedule() -> list[dict[str, Any]]:
    """The published schedule of the selection."""
    return [
        {"stage": "Pengumuman dan pendaftaran", "start": date(2018, 11, 19),
         "end": date(2018, 12, 3), "place": "Daring melalui openbid"},
        {"stage": "Seleksi administrasi", "start": date(2018, 12, 4),
         "end": date(2018, 12, 11), "place": "Sekretariat Panitia Seleksi"},
        {"stage": "Pengumuman hasil seleksi administrasi", "start": date(2018, 12, 12)},
        {"stage": "Penelusuran rekam jejak", "start": date(2018, 12, 12),
         "end": date(2018, 12, 21)},
        {"stage": "Penilaian kompetensi (assessment center)", "start": date(2018, 12, 17),
         "end": date(2018, 12, 18), "place": "UPT Penilaian Kompetensi BKPSDM"},
        {"stage": "Penulisan dan presentasi makalah", "start": date(2018, 12, 19),
         "place": "Ruang Rapat Wali Kota, Gedung Pusat Pemerintahan"},
        {"stage": "Wawancara akhir", "start": date(2018, 12, 20),
         "place": "Ruang Rapat Wali Kota, Gedung Pusat Pemerintahan"},
        {"stage": "Tes kesehatan dan kejiwaan", "start": date(2018, 12, 21),
         "place": "RSUD Kota Tangerang"},
        {"stage": "Pengumuman hasil akhir (tiga besar)", "start": date(2018, 12, 28)},
    ]  # fmt: skip


def _announcement() -> dict[str, Any]:
    """Pengumuman Panitia Seleksi opening registration."""
    return {
        "selection": SELECTION,
        "oversight": PLAN_RECOMMENDATION,
        "legal_basis": LEGAL_BASIS[1:],
        "posts": [
            {"name": p["name"], "unit": p["unit"], "requirements": p["requirements"]}
            for p in _POSTS
        ],
        "general_requirements": [
            "Berstatus Pegawai Negeri Sipil.",
            "Memiliki kualifikasi pendidikan paling rendah sarjana atau diploma IV.",
            "Memiliki kompetensi teknis, kompetensi manajerial, dan kompetensi sosial "
            "kultural sesuai standar kompetensi jabatan yang ditetapkan.",
            "Memiliki pengalaman jabatan dalam bidang tugas yang terkait dengan jabatan "
            "yang akan diduduki secara kumulatif paling kurang 5 (lima) tahun.",
            "Sedang atau pernah menduduki jabatan administrator atau jabatan fungsional "
            "jenjang ahli madya paling singkat 2 (dua) tahun.",
            "Pangkat paling rendah Pembina Tingkat I (IV/b).",
            "Usia paling tinggi 56 (lima puluh enam) tahun pada tanggal 3 Desember 2018.",
            "Setiap unsur penilaian prestasi kerja paling kurang bernilai baik dalam "
            "2 (dua) tahun terakhir.",
            "Tidak sedang menjalani atau pernah dijatuhi hukuman disiplin tingkat sedang "
            "atau berat dalam 2 (dua) tahun terakhir.",
            "Sehat jasmani dan rohani serta bebas narkoba.",
            "Tidak menjadi anggota atau pengurus partai politik.",
            "Setiap pelamar hanya dapat melamar 1 (satu) jabatan.",
        ],
        "required_documents": [
            "Surat lamaran bermeterai Rp6.000 yang ditujukan kepada Panitia Seleksi.",
            "Daftar riwayat hidup.",
            "Salinan sah keputusan kenaikan pangkat terakhir.",
            "Salinan sah keputusan jabatan administrator atau fungsional ahli madya "
            "paling singkat 2 (dua) tahun.",
            "Salinan sah ijazah terakhir.",
            "Salinan sasaran kinerja pegawai (SKP) 2 (dua) tahun terakhir.",
            "Tanda terima penyampaian LHKPN.",
            "Surat persetujuan dari Pejabat Pembina Kepegawaian instansi asal.",
            "Surat pernyataan tidak sedang menjalani hukuman disiplin.",
            "Surat keterangan sehat dari dokter pemerintah.",
            "Surat pernyataan tidak menjadi anggota atau pengurus partai politik.",
        ],
        "registration_opens_at": datetime(2018, 11, 19, 8, 0),
        "registration_closes_at": datetime(2018, 12, 3, 16, 0),
        "registration_url": "https://openbid.example/seleksi/2018-01",
        "schedule": _schedule(),
        "contact": {
            "unit": "Sekretariat Panitia Seleksi, Bidang Pengembangan Karier BKPSDM Kota Tangerang",
            "address": AGENCY["address"],
            "hours": "Senin sampai Jumat, pukul 08.00-16.00 WIB",
        },
        "notes": [
            "Seluruh tahapan seleksi tidak dipungut biaya.",
            "Jadwal dapat berubah; perubahan diumumkan melalui laman pendaftaran.",
            "Pelamar yang memberikan keterangan tidak benar dinyatakan gugur.",
            "Keputusan Panitia Seleksi bersifat final dan tidak dapat diganggu gugat.",
        ],
        "signatory": CHAIR,
    }


def _extension_notice() -> dict[str, Any]:
    """Extension of registration for the Bappeda post, which had 3 applicants."""
    return {
        "selection": SELECTION,
        "announcement": {"number": NUMBERS["announcement"], "date": date(2018, 11, 19)},
        "extension_number": 1,
        "minimum_applicants": 4,
        "posts": [
            {"name": _POSTS[2]["name"], "unit": _POSTS[2]["unit"], "applicants": 3},
        ],
        "original_closes_at": datetime(2018, 12, 3, 16, 0),
        "new_closes_at": datetime(2018, 12, 10, 16, 0),
        "registration_url": "https://openbid.example/seleksi/2018-01",
        "approval": {
            "number": "B-4102/KASN/12/2018",
            "date": date(2018, 12, 3),
            "authority": KASN,
        },
        "signatory": CHAIR,
    }


def _screening_minutes() -> dict[str, Any]:
    """Minutes fixing the administrative result."""
    committee = [{**m, "present": True} for m in COMMITTEE]
    committee[4]["present"] = False
    return {
        "selection": SELECTION,
        "held_at": datetime(2018, 12, 12, 9, 0),
        "place": "Ruang Rapat BKPSDM, Gedung Cisadane, Pusat Pemerintahan Kota Tangerang",
        "committee": committee,
        "posts": [
            {
                "name": post["name"],
                "unit": post["unit"],
                "applicants": [
                    {
                        **_candidate(a),
                        "qualified": a["reasons"] is None,
                        "reasons": a["reasons"] or [],
                    }
                    for a in _applicants(post)
                ],
            }
            for post in _POSTS
        ],
    }


def _screening_announcement() -> dict[str, Any]:
    """Who passed the administrative screening."""
    return {
        "selection": SELECTION,
        "minutes": {"number": NUMBERS["screening_minutes"], "date": date(2018, 12, 12)},
        "posts": [
            {
                "name": post["name"],
                "unit": post["unit"],
                "candidates": [_candidate(a) for a in _applicants(post) if a["reasons"] is None],
            }
            for post in _POSTS
        ],
        "next_stages": _schedule()[3:8],
        "notes": [
            "Peserta wajib hadir 30 menit sebelum kegiatan dengan membawa kartu tanda "
            "pengenal dan mengenakan pakaian dinas harian.",
            "Peserta yang tidak hadir pada salah satu tahapan dinyatakan gugur.",
        ],
        "signatory": CHAIR,
    }


def _results_announcement() -> dict[str, Any]:
    """Scores of the competency assessment, paper, track record and interview."""
    return {
        "selection": SELECTION,
        "stage_name": "Penilaian Kompetensi, Makalah, Rekam Jejak, dan Wawancara Akhir",
        "components": COMPONENTS,
        "posts": [{"name": p["name"], "unit": p["unit"], "candidates": _scored(p)} for p in _POSTS],
        "next_stages": [
            {"stage": "Sidang pleno Panitia Seleksi", "start": date(2018, 12, 27)},
            {"stage": "Pengumuman tiga besar", "start": date(2018, 12, 28)},
        ],
        "notes": ["Nilai akhir dihitung dengan bobot yang tercantum pada kepala tabel."],
        "signatory": CHAIR,
    }


def _top_three(post: dict[str, Any]) -> list[dict[str, str]]:
    """The three best of a post, in rank order."""
    return [{k: row[k] for k in ("name", "nip", "current_position")} for row in _scored(post)[:3]]


def _plenary_minutes() -> dict[str, Any]:
    """Minutes of the final plenary."""
    return {
        "selection": SELECTION,
        "held_at": datetime(2018, 12, 27, 9, 0),
        "place": "Ruang Rapat Wali Kota, Gedung Pusat Pemerintahan Kota Tangerang",
        "committee": [{**m, "present": True} for m in COMMITTEE],
        "components": COMPONENTS,
        "posts": [
            {
                "name": p["name"],
                "unit": p["unit"],
                "candidates": _scored(p),
                "top_three": _top_three(p),
            }
            for p in _POSTS
        ],
        "recusals": [
            {
                "member": COMMITTEE[2]["name"],
                "candidate": "H. Ahmad Fauzi, S.Pd., M.Si.",
                "post": "Kepala Dinas Pendidikan",
                "reason": "Atasan langsung peserta dalam 2 (dua) tahun terakhir.",
            }
        ],
    }


def _top_three_announcement() -> dict[str, Any]:
    """The three best per post, alphabetically."""
    return {
        "selection": SELECTION,
        "minutes": {"number": NUMBERS["plenary_minutes"], "date": date(2018, 12, 27)},
        "posts": [
            {"name": p["name"], "unit": p["unit"], "candidates": _top_three(p)} for p in _POSTS
        ],
        "notes": [
            "Nama-nama tersebut disampaikan kepada Wali Kota Tangerang selaku Pejabat "
            "Pembina Kepegawaian untuk dipilih 1 (satu) orang pada setiap jabatan.",
            "Keputusan Panitia Seleksi bersifat final dan tidak dapat diganggu gugat.",
        ],
        "signatory": CHAIR,
    }


def _oversight_report() -> dict[str, Any]:
    """Report of the selection to KASN."""
    posts = []
    for post in _POSTS:
        applicants = _applicants(post)
        passed = [a for a in applicants if a["reasons"] is None]
        posts.append(
            {
                "name": post["name"],
                "unit": post["unit"],
                "applicants": len(applicants),
                "passed_screening": len(passed),
                "qualified": len(_scored(post)),
                "top_three": [c["name"] for c in _top_three(post)],
                "appointee": APPOINTED[post["name"]],
            }
        )
    label = {
        "announcement": "Pengumuman Panitia Seleksi",
        "extension_notice": "Pengumuman Perpanjangan Pendaftaran",
        "screening_minutes": "Berita Acara Penetapan Hasil Seleksi Administrasi",
        "screening_announcement": "Pengumuman Hasil Seleksi Administrasi",
        "results_announcement": "Pengumuman Hasil Penilaian",
        "plenary_minutes": "Berita Acara Sidang Panitia Seleksi",
        "top_three_announcement": "Pengumuman Tiga Besar",
        "decree": "Keputusan Wali Kota Tangerang",
    }
    return {
        "selection": SELECTION,
        "addressee": "Ketua Komisi Aparatur Sipil Negara",
        "addressee_place": "Jakarta",
        "oversight": PLAN_RECOMMENDATION,
        "stages": [
            {
                "stage": "Rekomendasi rencana seleksi",
                "start": date(2018, 11, 16),
                "document": f"Surat KASN Nomor {PLAN_RECOMMENDATION['number']}",
            },
            {
                "stage": "Pengumuman dan pendaftaran",
                "start": date(2018, 11, 19),
                "end": date(2018, 12, 3),
                "document": f"Pengumuman Nomor {NUMBERS['announcement']}",
            },
            {
                "stage": "Perpanjangan pendaftaran ke-1 (Bappeda)",
                "start": date(2018, 12, 4),
                "end": date(2018, 12, 10),
                "document": f"Pengumuman Nomor {NUMBERS['extension_notice']}",
            },
            {
                "stage": "Seleksi administrasi",
                "start": date(2018, 12, 4),
                "end": date(2018, 12, 12),
                "document": f"Berita Acara Nomor {NUMBERS['screening_minutes']}",
            },
            {
                "stage": "Penilaian kompetensi, makalah, dan wawancara",
                "start": date(2018, 12, 17),
                "end": date(2018, 12, 21),
                "document": f"Pengumuman Nomor {NUMBERS['results_announcement']}",
            },
            {
                "stage": "Sidang pleno dan penetapan tiga besar",
                "start": date(2018, 12, 27),
                "end": date(2018, 12, 28),
                "document": f"Berita Acara Nomor {NUMBERS['plenary_minutes']}",
            },
            {
                "stage": "Rekomendasi hasil seleksi",
                "start": date(2019, 1, 9),
                "document": f"Surat KASN Nomor {RESULT_RECOMMENDATION['number']}",
            },
            {
                "stage": "Penetapan keputusan pengangkatan",
                "start": date(2019, 1, 14),
                "document": f"Keputusan Nomor {NUMBERS['decree']}",
            },
        ],
        "posts": posts,
        "documents": [
            {"kind": label[k], "number": NUMBERS[k], "date": ISSUED[k].date()} for k in label
        ],
        "decree": {"number": NUMBERS["decree"], "date": ISSUED["decree"].date()},
        "signatory": {
            "on_behalf_of": "Wali Kota Tangerang",
            "title": "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            "name": "Akhmad Lutfi",
        },
    }


_EVENTS = [
    ("2018-11-01T09:12:05", "admin.bkpsdm", "Seleksi dibuat", "", "draft"),
    ("2018-11-02T10:30:41", "admin.bkpsdm", "Panitia seleksi ditetapkan", "", ""),
    ("2018-11-05T14:02:17", "admin.bkpsdm", "Rencana dikirim ke KASN", "draft", "approval"),
    ("2018-11-16T15:45:00", "admin.bkpsdm", "Rekomendasi KASN dicatat", "", ""),
    ("2018-11-19T08:00:00", "ketua.pansel", "Pengumuman diterbitkan", "approval",
     "announcement"),
    ("2018-12-03T16:00:00", "sistem", "Pendaftaran ditutup", "", ""),
    ("2018-12-03T17:00:00", "ketua.pansel", "Pendaftaran Bappeda diperpanjang ke-1", "", ""),
    ("2018-12-10T16:00:00", "sistem", "Perpanjangan ditutup", "announcement",
     "administrative_screening"),
    ("2018-12-12T14:00:00", "ketua.pansel", "Berita acara seleksi administrasi", "", ""),
    ("2018-12-12T16:00:00", "ketua.pansel", "Hasil seleksi administrasi diumumkan",
     "administrative_screening", "competency_assessment"),
    ("2018-12-18T17:30:00", "asesor.utama", "Nilai penilaian kompetensi dicatat", "", ""),
    ("2018-12-20T09:05:12", "anggota.pansel3", "Konflik kepentingan dinyatakan", "", ""),
    ("2018-12-20T16:40:00", "ketua.pansel", "Nilai wawancara lengkap",
     "competency_assessment", "interview"),
    ("2018-12-27T13:00:00", "ketua.pansel", "Berita acara sidang pleno", "interview",
     "appointment"),
    ("2018-12-28T09:00:00", "ketua.pansel", "Tiga besar diumumkan", "", ""),
    ("2019-01-09T11:20:00", "admin.bkpsdm", "Rekomendasi hasil KASN dicatat", "", ""),
    ("2019-01-14T10:00:00", "walikota", "Pejabat dipilih dan keputusan diterbitkan",
     "appointment", "completed"),
    ("2019-01-21T09:00:00", "admin.bkpsdm", "Laporan ke KASN diterbitkan", "", ""),
]  # fmt: skip


def _audit_trail() -> dict[str, Any]:
    """The auditor's export, with a real hash chain over the sample events."""
    events, previous = [], ""
    for seq, (at, actor, event, before, after) in enumerate(_EVENTS, start=1):
        body = {"seq": seq, "at": at, "actor": actor, "event": event,
                "from": before, "to": after}  # fmt: skip
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256((canonical + previous).encode()).hexdigest()
        events.append(
            {
                "seq": seq,
                "at": datetime.fromisoformat(at),
                "actor": actor,
                "event": event,
                "from_state": before,
                "to_state": after,
                "hash": digest,
            }
        )
        previous = digest
    report = _oversight_report()
    documents = [
        {
            "kind": d["kind"],
            "number": d["number"],
            "sha256": hashlib.sha256(d["number"].encode()).hexdigest(),
            "issued_at": datetime.combine(d["date"], datetime.min.time()).replace(hour=9),
            "issued_by": "walikota" if d["kind"].startswith("Keputusan") else "ketua.pansel",
        }
        for d in report["documents"]
    ]
    return {
        "selection": SELECTION,
        "reference": "SELTER-TNG-2018-01",
        "definition": "seleksi-jpt-kasn versi 2018.1",
        "state": "completed",
        "chain_status": "utuh",
        "chain_message": f"Rantai {len(events)} peristiwa dihitung ulang: seluruh hash cocok.",
        "final_hash": previous,
        "events": events,
        "documents": documents,
        "exported_by": "auditor.inspektorat",
    }


def _oversight_recommendation() -> dict[str, Any]:
    """KASN's recommendation on the plan, given in openbid."""
    return {
        "body": {
            "code": "KASN",
            "name": "Komisi Aparatur Sipil Negara",
            "seat": "Jakarta",
            "address": "Jl. Letjen M.T. Haryono Kav. 52-53, Jakarta Selatan 12770",
        },
        "gate": "plan",
        "heading": "Rekomendasi Pelaksanaan Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama",
        "addressee": "Wali Kota Tangerang",
        "selection": SELECTION,
        "posts": [
            {"name": "Kepala Dinas Pendidikan", "unit": "Dinas Pendidikan", "top_three": []},
            {"name": "Kepala Dinas Kesehatan", "unit": "Dinas Kesehatan", "top_three": []},
        ],
        "committee": [{k: m[k] for k in ("name", "role", "position")} for m in COMMITTEE],
        "notes": "Hasil seleksi dilaporkan kepada KASN.",
        "signatory": {"title": "Ketua Komisi Aparatur Sipil Negara", "name": "Sofian Effendi"},
    }


_BUILDERS = {
    "decree": _decree,
    "announcement": _announcement,
    "extension_notice": _extension_notice,
    "screening_minutes": _screening_minutes,
    "screening_announcement": _screening_announcement,
    "results_announcement": _results_announcement,
    "plenary_minutes": _plenary_minutes,
    "top_three_announcement": _top_three_announcement,
    "oversight_report": _oversight_report,
    "audit_trail": _audit_trail,
    "oversight_recommendation": _oversight_recommendation,
}
KINDS = tuple(CONTEXTS)


def sample_context(kind: str) -> dict[str, Any]:
    """Return a fresh sample context for a document kind (see ``contexts.CONTEXTS``).

    :raises KeyError: for an unknown kind.
    """
    if kind not in _BUILDERS:
        raise KeyError(f"unknown document kind {kind!r}; known: {', '.join(KINDS)}")
    return copy.deepcopy({**_base(kind), **_BUILDERS[kind]()})
