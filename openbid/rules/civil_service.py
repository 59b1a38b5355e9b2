"""The civil service's codes an application is judged by: education levels, ranks
(pangkat / golongan ruang), performance ratings, disciplinary sanction levels and the documents
a candidate uploads, with their names and their order.
"""

from typing import NamedTuple

from openbid.rules.reasons import N_, Reason, Term

# --- Education ------------------------------------------------------------------------

# S1 (sarjana) and D4 (diploma IV) are equivalent for Pasal 107.
EDUCATION_LEVELS: dict[str, int] = {
    "SMA": 0,
    "D3": 1,
    "S1": 2,
    "D4": 2,
    "S2": 3,
    "S3": 4,
}


def education_at_least(education: str, minimum: str) -> bool:
    """Return True if `education` is at or above `minimum`.

    :raises ValueError: if either code is not in `EDUCATION_LEVELS`.
    """
    return EDUCATION_LEVELS[education_code(education)] >= EDUCATION_LEVELS[education_code(minimum)]


def education_code(code: str) -> str:
    """Return the normalised education code.

    :raises ValueError: if the code is unknown.
    """
    normalised = code.strip().upper()
    if normalised not in EDUCATION_LEVELS:
        raise ValueError(f"unknown education code {code!r}")
    return normalised


# --- Ranks (pangkat / golongan ruang) -------------------------------------------------

# Ascending; the position in this dict is the rank's order.
RANK_NAMES: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
_RANK_ORDER: dict[str, int] = {code: index for index, code in enumerate(RANK_NAMES)}


class InvalidRank(ValueError):
    """The text is not a golongan ruang code such as `IV/b`."""

    def __init__(self, code: str) -> None:
        self.reason = Reason(
            "rank.unknown",
            N_("%(rank)s is not a rank code such as IV/b."),
            {"rank": code},
        )
        super().__init__(str(self.reason))


def normalize_rank(code: str) -> str:
    """Return the canonical rank code, e.g. `iv / B` -> `IV/b`.

    :raises InvalidRank: if the code names no rank.
    """
    group, slash, grade = code.replace(" ", "").partition("/")
    normalised = f"{group.upper()}/{grade.lower()}"
    if not slash or normalised not in RANK_NAMES:
        raise InvalidRank(code)
    return normalised


def rank_name(code: str) -> str:
    """Return the Indonesian rank name, e.g. `IV/b` -> `Pembina Tingkat I`.

    :raises InvalidRank: if the code names no rank.
    """
    return RANK_NAMES[normalize_rank(code)]


def rank_at_least(rank: str, minimum: str) -> bool:
    """Return True if `rank` is at or above `minimum`: `rank_at_least("IV/c", "IV/b")`.

    :raises InvalidRank: if either code names no rank.
    """
    return _RANK_ORDER[normalize_rank(rank)] >= _RANK_ORDER[normalize_rank(minimum)]


# --- Performance ratings (PermenPANRB 6/2022 scale) -----------------------------------

# Ascending; the position in this dict is the rating's order.
PERFORMANCE_RATINGS: dict[str, Term] = {
    "sangat_kurang": Term(N_("Sangat Kurang (very poor)")),
    "kurang": Term(N_("Kurang (poor)")),
    "butuh_perbaikan": Term(N_("Butuh Perbaikan (needs improvement)")),
    "baik": Term(N_("Baik (good)")),
    "sangat_baik": Term(N_("Sangat Baik (very good)")),
}
RATING_ORDER: dict[str, int] = {code: index for index, code in enumerate(PERFORMANCE_RATINGS)}

# --- Disciplinary sanctions (hukuman disiplin) ----------------------------------------

SANCTION_LEVELS: dict[str, Term] = {
    "ringan": Term(N_("light (ringan)")),
    "sedang": Term(N_("moderate (sedang)")),
    "berat": Term(N_("heavy (berat)")),
}

# --- Documents ------------------------------------------------------------------------


class DocumentType(NamedTuple):
    """A document a candidate uploads: code, Indonesian name, English label."""

    code: str
    name_id: str
    label: Term


REQUIRED_DOCUMENTS: dict[str, DocumentType] = {
    doc.code: doc
    for doc in (
        DocumentType("surat_lamaran", "Surat lamaran", Term(N_("application letter"))),
        DocumentType("cv", "Daftar riwayat hidup", Term(N_("curriculum vitae"))),
        DocumentType("sk_pangkat", "SK pangkat terakhir", Term(N_("latest rank decree"))),
        DocumentType("sk_jabatan", "SK jabatan", Term(N_("position decrees"))),
        DocumentType("ijazah", "Ijazah", Term(N_("diploma"))),
        DocumentType(
            "skp",
            "SKP 2 tahun terakhir",
            Term(N_("performance appraisals (SKP) of the last 2 years")),
        ),
        DocumentType(
            "lhkpn",
            "Tanda terima LHKPN/LHKASN",
            Term(N_("wealth report (LHKPN) receipt")),
        ),
        DocumentType(
            "persetujuan_ppk",
            "Surat persetujuan PPK",
            Term(N_("approval from the applicant's own PPK")),
        ),
        DocumentType(
            "pernyataan_disiplin",
            "Surat pernyataan status hukuman disiplin",
            Term(N_("disciplinary-status statement")),
        ),
        DocumentType("surat_sehat", "Surat keterangan sehat", Term(N_("health certificate"))),
        DocumentType(
            "pernyataan_nonpartai",
            "Surat pernyataan bukan anggota partai politik",
            Term(N_("statement of no political-party membership")),
        ),
    )
}
