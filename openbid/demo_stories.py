"""What a demo agency is made of, and the second one: Pemerintah Kabupaten Tangerang.

A ``Story`` holds one agency's demo: the agency's letterhead, legal basis and numbering,
its people, its selection's posts and candidates, and what happens to them (who applies
where, their results, the oversight body's letters). ``demo`` builds Kota Tangerang's
story from its own constants; ``demo_flow`` drives every story's selection the same way.

The regency is the city's neighbour in the same province (Banten) and ran its own open
selection under KASN in the same months. Its formation law is UU 14/1950 on the regencies
of West Java, whose Pasal 1 forms "Tanggerang" among them. Its people are invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from openbid.models import CommitteeRole, Role
from openbid.rules.committee import PositionLevel


@dataclass(frozen=True)
class Letters:
    """The oversight body's letters in a story: (number, date) each; subjects by kind."""

    plan: tuple[str, date]
    plan_subject: str
    result: tuple[str, date]
    result_subject: str
    extension: str = ""  # the number of the extension approval, when the story extends
    override: tuple[str, date] | None = None  # when a post ends with fewer than three


@dataclass(frozen=True)
class Story:
    """One demo agency, its people and its selection, and how the selection runs."""

    agency: dict  # Agency's columns
    domain: str  # the accounts' email domain
    title: str  # the selection's title
    start_date: date
    staff: list  # (email local part, name, role, position title)
    committee: list  # (local, name, committee role, internal?, title, institution, level)
    positions: list  # (name, unit)
    candidates: list  # (local, name, NIP)
    secretariat: str  # who runs the selection (local part)
    ppk: str  # who appoints (local part)
    applicants: dict  # local -> (index of the post, profile fields unlike the default)
    current_positions: dict  # post index -> the applicants' current position
    results: dict  # local -> (assessment centre, paper, track record)
    interview_base: dict  # local -> the members' interview score, give or take one
    pick_rank: dict  # post index -> the rank the PPK picks
    letters: Letters
    birth_place: str
    late_applicant: str | None = None  # applies during the extension, if any
    recusal: tuple[int, int] | None = None  # (member index, eligible application index)
    extra: dict = field(default_factory=dict)

    def email(self, local: str) -> str:
        """Return a demo account's email address."""
        return f"{local}@{self.domain}"


KAB_FORMATION_LAW = (
    "Undang-Undang Nomor 14 Tahun 1950 tentang Pembentukan Daerah-daerah Kabupaten dalam "
    "Lingkungan Propinsi Djawa Barat (Berita Negara Republik Indonesia Tahun 1950)"
)

KABUPATEN = Story(
    agency={
        "code": "kabupaten-tangerang",
        "name": "Pemerintah Kabupaten Tangerang",
        "region_name": "Kabupaten Tangerang",
        "province": "Banten",
        "seat": "Tigaraksa",
        "head_title": "Bupati Tangerang",
        "head_name": "H. Mochamad Ridwan Saputra, S.H.",
        "office_name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "office_head_name": "Drs. Heri Setiawan, M.Si.",
        "address": "Gedung Pusat Pemerintahan Kabupaten Tangerang, Jl. H. Somawinata No. 1, "
        "Tigaraksa, Kabupaten Tangerang, Banten 15720",
        "phone": "(021) 5991234",
        "email": "bkpsdm@tangerangkab.example",
        "website": "https://openbid.tangerangkab.example",
        "formation_laws": [KAB_FORMATION_LAW],
        "numbering_patterns": {
            "decree": "821.2/Kep.{seq}-BKPSDM.Kab/{year}",
            "announcement": "800/{seq:02d}-Pansel.Kab/{year}",
            "minutes": "800/{seq:02d}/BA-Pansel.Kab/{year}",
            "report": "800/{seq:02d}/Lap-Pansel.Kab/{year}",
        },
    },
    domain="tangerangkab.example",
    title="Seleksi Terbuka JPT Pratama Pemerintah Kabupaten Tangerang Tahun 2018",
    start_date=date(2018, 11, 19),
    staff=[
        ("admin", "Sri Mulyani Rahayu", Role.ADMIN, "Pranata Komputer BKPSDM"),
        ("heri", "Drs. Heri Setiawan, M.Si.", Role.SECRETARIAT, "Kepala BKPSDM Kab. Tangerang"),
        ("bupati", "H. Mochamad Ridwan Saputra, S.H.", Role.PPK, "Bupati Tangerang"),
        ("auditor", "Agung Wibisono", Role.AUDITOR, "Auditor Muda, Inspektorat Kab. Tangerang"),
    ],
    # 5 members, 2 internal (40%) and 3 external.
    committee=[
        (
            "pansel.ketua",
            "Drs. H. Iskandar Nordat, M.Si.",
            CommitteeRole.CHAIR,
            True,
            "Sekretaris Daerah Kabupaten Tangerang",
            "Pemerintah Kabupaten Tangerang",
            PositionLevel.JPT_PRATAMA,
        ),
        (
            "pansel.asisten",
            "Ir. Wahyu Hidayat, M.T.",
            CommitteeRole.MEMBER,
            True,
            "Asisten Perekonomian dan Pembangunan",
            "Pemerintah Kabupaten Tangerang",
            PositionLevel.JPT_PRATAMA,
        ),
        (
            "pansel.sekretaris",
            "Dr. Nina Kurniasih, M.Si.",
            CommitteeRole.SECRETARY,
            False,
            "Dosen Ilmu Pemerintahan",
            "Universitas Sultan Ageng Tirtayasa",
            PositionLevel.OTHER,
        ),
        (
            "pansel.akademisi",
            "Prof. Dr. Hasan Basri, M.A.",
            CommitteeRole.MEMBER,
            False,
            "Guru Besar Administrasi Publik",
            "Universitas Padjadjaran",
            PositionLevel.OTHER,
        ),
        (
            "pansel.asesor",
            "Dra. Yuliana Pertiwi, Psi.",
            CommitteeRole.MEMBER,
            False,
            "Asesor SDM Aparatur Ahli Madya",
            "Lembaga Asesmen Independen",
            PositionLevel.OTHER,
        ),
    ],
    positions=[
        ("Kepala Dinas Lingkungan Hidup dan Kebersihan", "Dinas Lingkungan Hidup dan Kebersihan"),
        ("Kepala Dinas Perumahan dan Permukiman", "Dinas Perumahan dan Permukiman"),
    ],
    candidates=[
        ("kandidat01", "Ir. Agus Priyanto, M.Si.", "197003152000031002"),
        ("kandidat02", "Dra. Lilis Suryani, M.M.", "197107211997032001"),
        ("kandidat03", "Hendra Wijaya, S.T., M.T.", "197402112001121003"),
        ("kandidat04", "Ir. Ratih Kusuma, M.Sc.", "197509252002122002"),
        ("kandidat05", "Ir. Dodi Firmansyah, M.T.", "196912011998031004"),
        ("kandidat06", "Siti Aminah, S.T., M.Si.", "197206062000032003"),
        ("kandidat07", "Bambang Sutrisno, S.T., M.M.", "197311302002121005"),
        ("kandidat08", "Ir. Wulan Sari, M.P.W.K.", "197604142003122001"),
    ],
    secretariat="heri",
    ppk="bupati",
    applicants={
        "kandidat01": (0, {}),
        "kandidat02": (0, {"rank": "IV/c"}),
        "kandidat03": (0, {}),
        "kandidat04": (0, {}),
        "kandidat05": (1, {"rank": "IV/c"}),
        "kandidat06": (1, {}),
        "kandidat07": (1, {}),
        "kandidat08": (1, {}),
    },
    current_positions={
        0: "Sekretaris Dinas Lingkungan Hidup dan Kebersihan",
        1: "Sekretaris Dinas Perumahan dan Permukiman",
    },
    results={
        "kandidat01": ("81.00", "79.50", "83.00"),
        "kandidat02": ("83.25", "82.00", "84.00"),
        "kandidat03": ("76.00", "77.50", "80.00"),
        "kandidat04": ("78.50", "80.00", "79.00"),
        "kandidat05": ("80.50", "81.00", "82.00"),
        "kandidat06": ("79.75", "78.50", "81.00"),
        "kandidat07": ("75.50", "76.00", "78.00"),
        "kandidat08": ("82.00", "83.50", "80.00"),
    },
    interview_base={
        "kandidat01": 82,
        "kandidat02": 85,
        "kandidat03": 78,
        "kandidat04": 80,
        "kandidat05": 83,
        "kandidat06": 81,
        "kandidat07": 77,
        "kandidat08": 84,
    },
    pick_rank={0: 1, 1: 1},
    letters=Letters(
        plan=("B-3987/KASN/11/2018", date(2018, 11, 15)),
        plan_subject="Rekomendasi Rencana Seleksi Terbuka JPT Pratama Kabupaten Tangerang",
        result=("B-0171/KASN/01/2019", date(2019, 1, 11)),
        result_subject="Rekomendasi Hasil Seleksi Terbuka JPT Pratama Kabupaten Tangerang",
    ),
    birth_place="Tigaraksa",
)
