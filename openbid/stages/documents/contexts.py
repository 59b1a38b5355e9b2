"""Build each document's context (``openbid.documents.contexts``) from the database.

One builder per kind. Each reads what its stage recorded (verdicts, frozen rankings,
declarations, approvals, registrations) with a fixed number of queries, and refuses with a
reason a person can act on when something the document must cite is missing: a document
never goes out with a blank where a letter number belongs. Texts are Indonesian, as the
documents are; the few wordings an agency may want to change (notes, tembusan, meeting
place, contact hours) are workflow parameters under ``documents`` with the defaults below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session, joinedload

from openbid import audit, clock
from openbid.documents.formatting import tanggal, terbilang
from openbid.models import (
    Agency,
    Application,
    ApplicationState,
    Approval,
    AuditEvent,
    CandidateProfile,
    CommitteeMember,
    CommitteeRole,
    ConflictDeclaration,
    IssuedDocument,
    Position,
    RegistrationExtension,
    ScreeningVerdict,
    Selection,
    SelectionState,
    ShortlistResult,
    User,
)
from openbid.rules.eligibility import RANK_NAMES, REQUIRED_DOCUMENTS, normalize_rank
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.documents.issuing import KIND_TITLES, document_title
from openbid.workflow.definition import WorkflowDefinition

# --- Indonesian wording ---------------------------------------------------------------

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

# Defaults of the ``documents`` workflow parameters.
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


def _missing(code: str, template: str, **params: object) -> ValidationFailed:
    """Return the error for data a document must cite but that is not recorded."""
    return ValidationFailed(Reason(f"documents.{code}", template, params))


def _doc_params(params: Mapping[str, Any]) -> Mapping[str, Any]:
    value = params.get("documents")
    return value if isinstance(value, Mapping) else {}


def _fill(texts: Iterable[str], agency: Agency) -> list[str]:
    """Fill {head_title}, {province}, {region_name}, {seat} in parameter texts."""
    values = {
        "head_title": agency.head_title,
        "province": agency.province,
        "region_name": agency.region_name,
        "seat": agency.seat,
    }
    out = []
    for text in texts:
        try:
            out.append(str(text).format(**values))
        except (KeyError, IndexError, ValueError):
            out.append(str(text))  # a text with other braces is printed as written
    return out


def _count(value: object) -> str:
    """Write a whole number as documents do: ``5 (lima)``."""
    number = int(Decimal(str(value)))
    return f"{number} ({terbilang(number)})"


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return clock.to_jakarta(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def reason_in_indonesian(data: object) -> str:
    """Return a stored reason (``Reason.as_dict()`` JSON, or plain text) in Indonesian."""
    if not data:
        return ""
    if isinstance(data, Reason):
        data = {**data.as_dict(), "terms": []}
    if not isinstance(data, Mapping):
        return str(data)
    template = data.get("template")
    if not template:
        return str(data.get("message") or "")
    terms = set(data.get("terms") or ())
    with force_locale("id"):
        params = {
            key: gettext(value) if key in terms and isinstance(value, str) and value else value
            for key, value in (data.get("params") or {}).items()
        }
        try:
            return gettext(str(template)) % params
        except (KeyError, TypeError, ValueError):
            return str(data.get("message") or template)


# --- shared pieces --------------------------------------------------------------------


def selection_context(selection: Selection) -> dict[str, Any]:
    """Return ``contexts.Selection``."""
    return {"title": selection.title, "year": selection.year}


def legal_basis(definition: WorkflowDefinition, day: date) -> list[str]:
    """Return the regulations to cite on a day, from the selection's pinned definition.

    A selection keeps its definition to the end; after the definition's last day its
    regulations are cited as they stood then (the definition knows nothing newer).
    """
    if definition.valid_until is not None and day > definition.valid_until:
        day = definition.valid_until
    texts = definition.legal_basis_on(day)
    return [text if text.rstrip().endswith((";", ".")) else f"{text};" for text in texts]


def _members(session: Session, selection: Selection) -> list[CommitteeMember]:
    order = sa.case(
        (CommitteeMember.committee_role == CommitteeRole.CHAIR, 0),
        (CommitteeMember.committee_role == CommitteeRole.SECRETARY, 1),
        else_=2,
    )
    return list(
        session.scalars(
            sa.select(CommitteeMember)
            .where(CommitteeMember.selection_id == selection.id)
            .options(joinedload(CommitteeMember.user))
            .order_by(order, CommitteeMember.id)
        )
    )


def _member_position(member: CommitteeMember, agency: Agency) -> str:
    title = member.position_title or ""
    institution = member.institution or ""
    if institution and institution != agency.name and institution not in title:
        return f"{title}, {institution}" if title else institution
    return title


def committee_context(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """Return the committee as ``contexts.Member`` rows: chair, secretary, then members."""
    return [
        {
            "name": member.user.name,
            "role": COMMITTEE_ROLES_ID[CommitteeRole(member.committee_role)],
            "position": _member_position(member, selection.agency),
            "present": True,
        }
        for member in _members(session, selection)
    ]


def chair_signatory(session: Session, selection: Selection, document: str) -> dict[str, str]:
    """Return the committee chair as the signatory of a pansel document.

    :raises ValidationFailed: when the committee has no chair.
    """
    chair = next(
        (m for m in _members(session, selection) if m.committee_role == CommitteeRole.CHAIR),
        None,
    )
    if chair is None:
        raise _missing(
            "no_chair",
            N_("The committee has no chair to sign the %(document)s; seat a chair first."),
            document=document,
        )
    return {"title": "Ketua Panitia Seleksi", "name": chair.user.name}


def _authority(approval: Approval, agency: Agency) -> str:
    name = (approval.authority or "").strip()
    if name.upper() == "GUBERNUR":
        return f"Gubernur {agency.province}"
    return AUTHORITY_NAMES.get(name.upper(), name)


def _letter(approval: Approval, agency: Agency, default_subject: str) -> dict[str, Any]:
    return {
        "number": approval.letter_number,
        "date": approval.letter_date,
        "authority": _authority(approval, agency),
        "subject": (approval.subject or "").strip() or default_subject,
    }


def oversight_letter(
    session: Session, selection: Selection, definition: WorkflowDefinition
) -> dict[str, Any]:
    """Return the oversight body's letter allowing the selection (its required gate).

    :raises ValidationFailed: when that letter is not recorded.
    """
    gates = [g for g in definition.approval_gates if g.get("required")]
    gates = gates or list(definition.approval_gates)
    purposes = [f"gate:{g['code']}" for g in gates]
    approvals = {
        a.purpose: a
        for a in session.scalars(
            sa.select(Approval)
            .where(Approval.selection_id == selection.id, Approval.purpose.in_(purposes))
            .order_by(Approval.id)  # the newest letter recorded for a gate wins
        )
    }
    for gate in gates:
        approval = approvals.get(f"gate:{gate['code']}")
        if approval is not None:
            subject = GATE_SUBJECTS.get(gate["code"]) or str(gate.get("label", ""))
            return _letter(approval, selection.agency, subject)
    raise _missing(
        "no_oversight_letter",
        N_(
            "The %(authority)s letter approving the selection plan is not recorded; record "
            "it before issuing documents that cite it."
        ),
        authority=definition.oversight_body or "oversight body",
    )


def _issued(session: Session, selection: Selection, kind: str, cited_by: str) -> IssuedDocument:
    """Return the latest document of a kind for the selection, which another one cites.

    :raises ValidationFailed: when it was never issued.
    """
    document = session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.selection_id == selection.id, IssuedDocument.kind == kind)
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )
    if document is None:
        raise _missing(
            "cited_missing",
            N_("The %(cited)s has not been issued, and the %(document)s must cite it."),
            cited=KIND_TITLES[kind].format(head_title=selection.agency.head_title),
            document=cited_by,
        )
    return document


def _letter_of(document: IssuedDocument) -> dict[str, Any]:
    return {"number": document.number, "date": clock.to_jakarta(document.issued_at).date()}


def _positions(session: Session, selection: Selection, *, open_only: bool) -> list[Position]:
    stmt = sa.select(Position).where(Position.selection_id == selection.id)
    if open_only:
        stmt = stmt.where(Position.dropped_at.is_(None))
    return list(session.scalars(stmt.order_by(Position.id)))


class People:
    """Name, NIP, rank and current position of applicants: snapshot first, then profile."""

    def __init__(self, session: Session, applications: Sequence[Application]) -> None:
        """Load the profiles of applicants whose snapshot lacks something, in one query."""
        self._apps = {a.id: a for a in applications}
        needed = {
            a.candidate_id
            for a in applications
            if not all((a.profile_snapshot or {}).get(k) for k in ("nip", "rank"))
        }
        self._profiles: dict[int, CandidateProfile] = {}
        if needed:
            self._profiles = {
                p.user_id: p
                for p in session.scalars(
                    sa.select(CandidateProfile).where(CandidateProfile.user_id.in_(needed))
                )
            }

    def _value(self, application: Application, key: str) -> str:
        value = (application.profile_snapshot or {}).get(key)
        if not value:
            profile = self._profiles.get(application.candidate_id)
            value = getattr(profile, key, "") if profile is not None else ""
        return str(value or "")

    def candidate(self, application: Application) -> dict[str, str]:
        """Return ``contexts.Candidate``."""
        return {
            "name": application.candidate.name,
            "nip": self._value(application, "nip"),
            "current_position": self._value(application, "current_position"),
        }

    def rank(self, application: Application) -> str:
        """Return the rank written out: ``Pembina Utama Muda (IV/c)``."""
        code = self._value(application, "rank")
        try:
            code = normalize_rank(code)
        except ValueError:
            return code
        return f"{RANK_NAMES[code]} ({code})"


def _applications(
    session: Session, ids: Iterable[int] | None = None, *, selection: Selection | None = None
) -> list[Application]:
    stmt = sa.select(Application).options(joinedload(Application.candidate))
    if ids is not None:
        stmt = stmt.where(Application.id.in_(list(ids)))
    if selection is not None:
        stmt = stmt.join(Position).where(Position.selection_id == selection.id)
    return list(session.scalars(stmt.order_by(Application.id)))


def _schedule_rows(selection: Selection, *, after: date | None = None) -> list[dict[str, Any]]:
    """Return the selection's planned schedule as ``contexts.ScheduleRow`` items."""
    rows = []
    for item in selection.schedule or []:
        if not isinstance(item, Mapping):
            continue
        start = _day(item.get("starts_on") or item.get("start"))
        if start is None:
            continue
        end = _day(item.get("ends_on") or item.get("end"))
        if after is not None and (end or start) < after:
            continue
        stage = str(item.get("stage") or "")
        row: dict[str, Any] = {"stage": STAGE_LABELS_ID.get(stage, stage), "start": start}
        if end is not None and end != start:
            row["end"] = end
        if item.get("place"):
            row["place"] = str(item["place"])
        rows.append(row)
    rows.sort(key=lambda r: r["start"])
    return rows


# --- announcement ---------------------------------------------------------------------


def general_requirements(params: Mapping[str, Any], closes_at: datetime) -> list[str]:
    """Write the eligibility parameters as the announcement's general requirements."""
    rules = params.get("eligibility") or {}
    out: list[str] = []
    if rules.get("require_pns", True):
        out.append("Berstatus Pegawai Negeri Sipil.")
    education = str(rules.get("min_education", "S1")).upper()
    out.append(
        f"Memiliki kualifikasi pendidikan paling rendah {EDUCATION_ID.get(education, education)}."
    )
    out.append(
        "Memiliki kompetensi teknis, kompetensi manajerial, dan kompetensi sosial kultural "
        "sesuai standar kompetensi jabatan yang ditetapkan."
    )
    out.append(
        "Memiliki pengalaman jabatan dalam bidang tugas yang terkait dengan jabatan yang akan "
        "diduduki secara kumulatif paling kurang "
        f"{_count(rules.get('min_related_years', 5))} tahun."
    )
    out.append(
        "Sedang atau pernah menduduki jabatan administrator atau jabatan fungsional jenjang "
        f"ahli madya paling singkat {_count(rules.get('min_admin_years', 2))} tahun."
    )
    if rules.get("require_rank", True):
        code = normalize_rank(str(rules.get("min_rank", "IV/b")))
        out.append(f"Pangkat paling rendah {RANK_NAMES[code]} ({code}).")
    reference = rules.get("age_reference", "registration_close")
    on = _day(reference) if reference != "registration_close" else None
    on = on or clock.to_jakarta(closes_at).date()
    out.append(
        f"Usia paling tinggi {_count(rules.get('max_age', 56))} tahun pada tanggal {tanggal(on)}."
    )
    if rules.get("require_performance", True):
        rating = RATINGS_ID.get(str(rules.get("required_rating", "baik")), "baik")
        out.append(
            f"Penilaian kinerja paling kurang bernilai {rating} dalam "
            f"{_count(rules.get('rating_years', 2))} tahun terakhir."
        )
    out.append("Memiliki rekam jejak jabatan, integritas, dan moralitas yang baik.")
    if rules.get("require_clean_discipline", True):
        out.append(
            "Tidak pernah dijatuhi hukuman disiplin tingkat sedang atau berat dalam "
            f"{_count(rules.get('sanction_lookback_years', 2))} tahun terakhir dan tidak "
            "sedang dalam pemeriksaan pelanggaran disiplin."
        )
    if rules.get("require_lhkpn", True):
        out.append(
            "Telah menyampaikan Laporan Harta Kekayaan Penyelenggara Negara (LHKPN) atau "
            "Laporan Harta Kekayaan Aparatur Sipil Negara (LHKASN) tahun terakhir."
        )
    if rules.get("require_own_ppk_approval", True):
        out.append("Mendapat persetujuan dari Pejabat Pembina Kepegawaian instansi asal.")
    out.append("Sehat jasmani dan rohani.")
    if rules.get("one_post_per_selection", True):
        out.append("Setiap pelamar hanya dapat melamar 1 (satu) jabatan.")
    return out


def required_documents(params: Mapping[str, Any]) -> list[str]:
    """Return the documents applicants upload, from the eligibility parameters."""
    rules = params.get("eligibility") or {}
    codes = rules.get("required_documents") or list(REQUIRED_DOCUMENTS)
    return [
        DOCUMENT_DESCRIPTIONS.get(code) or f"{REQUIRED_DOCUMENTS[code].name_id}."
        for code in codes
        if code in REQUIRED_DOCUMENTS
    ]


def _post_requirements(position: Position, general_min_rank: str) -> list[str]:
    lines = []
    for raw in (position.requirements or "").splitlines():
        text = raw.strip().lstrip("-•*").strip()
        if text:
            lines.append(text if text.endswith((".", ";", ":")) else f"{text}.")
    if position.competencies and position.competencies.strip():
        lines.append(f"Menguasai kompetensi: {position.competencies.strip().rstrip('.')}.")
    try:
        post_rank = normalize_rank(position.min_rank or general_min_rank)
        general = normalize_rank(general_min_rank)
    except ValueError:
        return lines
    if post_rank != general:
        lines.append(f"Pangkat paling rendah {RANK_NAMES[post_rank]} ({post_rank}).")
    return lines


def announcement_context(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    params: Mapping[str, Any],
    issued_at: datetime,
) -> dict[str, Any]:
    """Return the ``AnnouncementContext`` keys of the selection's announcement.

    :raises ValidationFailed: without the oversight letter, a chair or the window.
    """
    agency = selection.agency
    opens, closes = selection.registration_opens_at, selection.registration_closes_at
    if opens is None or closes is None:
        raise _missing(
            "no_window",
            N_("The registration window is not set, and the announcement must state it."),
        )
    own = _doc_params(params)
    min_rank = str((params.get("eligibility") or {}).get("min_rank", "IV/b"))
    schedule = [
        {
            "stage": "Pendaftaran secara daring",
            "start": clock.to_jakarta(opens).date(),
            "end": clock.to_jakarta(closes).date(),
            "place": "Laman pendaftaran openbid",
        }
    ]
    schedule += [
        row
        for row in _schedule_rows(selection)
        if row["stage"] not in (STAGE_LABELS_ID["announcement"], STAGE_LABELS_ID["registration"])
    ]
    base_url = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return {
        "selection": selection_context(selection),
        "oversight": oversight_letter(session, selection, definition),
        "legal_basis": legal_basis(definition, clock.to_jakarta(issued_at).date()),
        "posts": [
            {
                "name": position.name,
                "unit": position.unit,
                "requirements": _post_requirements(position, min_rank),
            }
            for position in _positions(session, selection, open_only=True)
        ],
        "general_requirements": general_requirements(params, closes),
        "required_documents": required_documents(params),
        "registration_opens_at": clock.to_jakarta(opens),
        "registration_closes_at": clock.to_jakarta(closes),
        "registration_url": f"{base_url}/",
        "schedule": schedule,
        "contact": {
            "unit": f"Sekretariat Panitia Seleksi, {agency.office_name} {agency.region_name}",
            "address": agency.address or agency.seat,
            **({"phone": agency.phone} if agency.phone else {}),
            **({"email": agency.email} if agency.email else {}),
            "hours": str(own.get("contact_hours") or DEFAULT_CONTACT_HOURS),
        },
        "notes": _fill(own.get("announcement_notes") or DEFAULT_ANNOUNCEMENT_NOTES, agency),
        "signatory": chair_signatory(session, selection, "announcement"),
    }


# --- extension notice -----------------------------------------------------------------


def _applicant_counts(session: Session, position_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        sa.select(Application.position_id, sa.func.count(Application.id))
        .where(
            Application.position_id.in_(list(position_ids)),
            Application.submitted_at.is_not(None),
            Application.state.not_in((ApplicationState.DRAFT, ApplicationState.WITHDRAWN)),
        )
        .group_by(Application.position_id)
    ).all()
    return dict(rows)


def extension_notice_context(
    session: Session, selection: Selection, params: Mapping[str, Any]
) -> tuple[dict[str, Any], RegistrationExtension]:
    """Return the ``ExtensionNoticeContext`` keys of the latest extension, and that extension.

    :raises ValidationFailed: when there is no extension or no announcement to cite.
    """
    extension = session.scalar(
        sa.select(RegistrationExtension)
        .where(RegistrationExtension.selection_id == selection.id)
        .order_by(RegistrationExtension.number.desc())
        .options(joinedload(RegistrationExtension.approval))
        .limit(1)
    )
    if extension is None:
        raise _missing("no_extension", N_("No extension of the registration is recorded."))
    announcement = _issued(session, selection, "announcement", "extension notice")
    ids = [int(i) for i in extension.position_ids or []]
    positions = [p for p in _positions(session, selection, open_only=False) if p.id in ids]
    counts = _applicant_counts(session, ids)
    base_url = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    context: dict[str, Any] = {
        "selection": selection_context(selection),
        "announcement": _letter_of(announcement),
        "extension_number": extension.number,
        "minimum_applicants": int(params.get("min_applicants_per_post", 4)),
        "posts": [
            {"name": p.name, "unit": p.unit, "applicants": counts.get(p.id, 0)} for p in positions
        ],
        "original_closes_at": clock.to_jakarta(extension.previous_closes_at),
        "new_closes_at": clock.to_jakarta(extension.new_closes_at),
        "registration_url": f"{base_url}/",
        "signatory": chair_signatory(session, selection, "extension notice"),
    }
    if extension.approval is not None:
        context["approval"] = _letter(extension.approval, selection.agency, "")
    return context, extension


# --- administrative screening ---------------------------------------------------------


def _verdict_reasons(verdict: ScreeningVerdict) -> list[str]:
    """Return why an application did not qualify, in Indonesian: the rules, then the note."""
    reasons = []
    if not verdict.overridden:
        reasons = [
            text
            for item in verdict.rule_results or []
            if isinstance(item, Mapping) and not item.get("passed")
            for text in [reason_in_indonesian(item.get("reason") or item.get("message"))]
            if text
        ]
    note = (verdict.reason or "").strip()
    if note and note not in reasons:
        reasons.append(note)
    return reasons or ["Tidak memenuhi persyaratan administrasi."]


def _screened(
    session: Session, selection: Selection
) -> tuple[list[Position], dict[int, list[tuple[Application, ScreeningVerdict]]], People]:
    positions = _positions(session, selection, open_only=True)
    rows = session.execute(
        sa.select(Application, ScreeningVerdict)
        .join(ScreeningVerdict, ScreeningVerdict.application_id == Application.id)
        .join(Position, Position.id == Application.position_id)
        .join(User, User.id == Application.candidate_id)
        .where(Position.selection_id == selection.id)
        .options(joinedload(Application.candidate))
        .order_by(Application.position_id, User.name, Application.id)
    ).all()
    by_post: dict[int, list[tuple[Application, ScreeningVerdict]]] = defaultdict(list)
    for application, verdict in rows:
        by_post[application.position_id].append((application, verdict))
    people = People(session, [a for a, _ in rows])
    return positions, by_post, people


def screening_minutes_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``ScreeningMinutesContext`` keys: every verdict per post."""
    positions, by_post, people = _screened(session, selection)
    agency = selection.agency
    own = _doc_params(params)
    return {
        "selection": selection_context(selection),
        "held_at": clock.to_jakarta(issued_at),
        "place": str(
            own.get("meeting_place") or f"Kantor {agency.office_name} {agency.region_name}"
        ),
        "committee": committee_context(session, selection),
        "posts": [
            {
                "name": position.name,
                "unit": position.unit,
                "applicants": [
                    {
                        **people.candidate(application),
                        "qualified": bool(verdict.passed),
                        "reasons": [] if verdict.passed else _verdict_reasons(verdict),
                    }
                    for application, verdict in by_post.get(position.id, [])
                ],
            }
            for position in positions
        ],
    }


def screening_announcement_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``ScreeningAnnouncementContext`` keys: who passed, per post."""
    positions, by_post, people = _screened(session, selection)
    minutes = _issued(session, selection, "screening_minutes", "screening announcement")
    own = _doc_params(params)
    return {
        "selection": selection_context(selection),
        "minutes": _letter_of(minutes),
        "posts": [
            {
                "name": position.name,
                "unit": position.unit,
                "candidates": [
                    people.candidate(application)
                    for application, verdict in by_post.get(position.id, [])
                    if verdict.passed
                ],
            }
            for position in positions
        ],
        "next_stages": _schedule_rows(selection, after=clock.to_jakarta(issued_at).date()),
        "notes": _fill(own.get("screening_notes") or DEFAULT_SCREENING_NOTES, selection.agency),
        "signatory": chair_signatory(session, selection, "screening announcement"),
    }


# --- results, plenary, three best -----------------------------------------------------


class Rankings:
    """The frozen rankings of every open post, with the applicants they name."""

    def __init__(self, session: Session, selection: Selection, document: str) -> None:
        """Load the current shortlist result of each open post.

        :raises ValidationFailed: when a post's ranking is not frozen.
        """
        self.positions = _positions(session, selection, open_only=True)
        results = session.scalars(
            sa.select(ShortlistResult)
            .where(
                ShortlistResult.selection_id == selection.id,
                ShortlistResult.superseded_at.is_(None),
            )
            .order_by(ShortlistResult.position_id, ShortlistResult.revision.desc())
        )
        self.results: dict[int, ShortlistResult] = {}
        for result in results:
            self.results.setdefault(result.position_id, result)
        for position in self.positions:
            if position.id not in self.results:
                raise _missing(
                    "no_ranking",
                    N_(
                        "The ranking of %(post)s is not frozen yet, and the %(document)s "
                        "must publish it."
                    ),
                    post=position.name,
                    document=document,
                )
        ids = {
            int(entry["application_id"])
            for result in self.results.values()
            for entry in result.ranking or []
        }
        self.applications = {a.id: a for a in _applications(session, ids)}
        self.people = People(session, list(self.applications.values()))

    def components(self, fallback: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Return the weighted components (``contexts.Component``) in the weights' order."""
        weights: Mapping[str, Any] = {}
        for result in self.results.values():
            weights = result.weights or {}
            break
        weights = weights or fallback
        values = {name: Decimal(str(value)) for name, value in weights.items()}
        as_percent = sum(values.values(), Decimal(0)) <= Decimal("1.5")
        return [
            {
                "key": name,
                "label": COMPONENT_LABELS_ID.get(name, name.replace("_", " ").title()),
                "weight": float(value * 100 if as_percent else value),
            }
            for name, value in values.items()
        ]

    def scored(self, position: Position) -> list[dict[str, Any]]:
        """Return a post's candidates (``contexts.ScoredCandidate``) in ranking order."""
        out = []
        for entry in self.results[position.id].ranking or []:
            application = self.applications.get(int(entry["application_id"]))
            if application is None:
                continue
            row: dict[str, Any] = {
                **self.people.candidate(application),
                "rank": entry.get("rank") or "–",
                "scores": {
                    name: _float(value) for name, value in (entry.get("components") or {}).items()
                },
                "total": _float(entry.get("combined")),
            }
            if not entry.get("qualified", True):
                why = [reason_in_indonesian(r) for r in entry.get("reasons") or []]
                row["note"] = "Tidak memenuhi syarat: " + "; ".join(w for w in why if w)
                if not any(why):
                    row["note"] = "Tidak memenuhi syarat."
            out.append(row)
        return out

    def top_three(self, position: Position) -> list[dict[str, str]]:
        """Return a post's three best (``contexts.Candidate``) in rank order."""
        return [
            self.people.candidate(self.applications[int(i)])
            for i in self.results[position.id].shortlist or []
            if int(i) in self.applications
        ]


def results_announcement_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``ResultsAnnouncementContext`` keys from the frozen rankings."""
    rankings = Rankings(session, selection, "results announcement")
    own = _doc_params(params)
    return {
        "selection": selection_context(selection),
        "stage_name": RESULTS_STAGE_NAME,
        "components": rankings.components(params.get("weights") or {}),
        "posts": [
            {"name": p.name, "unit": p.unit, "candidates": rankings.scored(p)}
            for p in rankings.positions
        ],
        "next_stages": _schedule_rows(selection, after=clock.to_jakarta(issued_at).date()),
        "notes": _fill(own.get("results_notes") or DEFAULT_RESULTS_NOTES, selection.agency),
        "signatory": chair_signatory(session, selection, "results announcement"),
    }


def recusals_context(session: Session, selection: Selection) -> list[dict[str, str]]:
    """Return every declared conflict of interest (``contexts.Recusal``)."""
    rows = session.execute(
        sa.select(ConflictDeclaration, User.name, Application, Position.name)
        .join(CommitteeMember, CommitteeMember.id == ConflictDeclaration.member_id)
        .join(User, User.id == CommitteeMember.user_id)
        .join(Application, Application.id == ConflictDeclaration.application_id)
        .join(Position, Position.id == Application.position_id)
        .where(Position.selection_id == selection.id)
        .options(joinedload(Application.candidate))
        .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)
    ).all()
    return [
        {
            "member": member,
            "candidate": application.candidate.name,
            "post": post,
            "reason": declaration.reason,
        }
        for declaration, member, application, post in rows
    ]


def plenary_minutes_context(
    session: Session, selection: Selection, params: Mapping[str, Any], issued_at: datetime
) -> dict[str, Any]:
    """Return the ``PlenaryMinutesContext`` keys: weights, rankings, three best, recusals."""
    rankings = Rankings(session, selection, "plenary minutes")
    agency = selection.agency
    own = _doc_params(params)
    return {
        "selection": selection_context(selection),
        "held_at": clock.to_jakarta(issued_at),
        "place": str(
            own.get("meeting_place") or f"Kantor {agency.office_name} {agency.region_name}"
        ),
        "committee": committee_context(session, selection),
        "components": rankings.components(params.get("weights") or {}),
        "posts": [
            {
                "name": p.name,
                "unit": p.unit,
                "candidates": rankings.scored(p),
                "top_three": rankings.top_three(p),
            }
            for p in rankings.positions
        ],
        "recusals": recusals_context(session, selection),
    }


def top_three_announcement_context(
    session: Session, selection: Selection, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the ``TopThreeAnnouncementContext`` keys, citing the plenary minutes."""
    rankings = Rankings(session, selection, "announcement of the three best")
    minutes = _issued(session, selection, "plenary_minutes", "announcement of the three best")
    own = _doc_params(params)
    return {
        "selection": selection_context(selection),
        "minutes": _letter_of(minutes),
        "posts": [
            {"name": p.name, "unit": p.unit, "candidates": rankings.top_three(p)}
            for p in rankings.positions
        ],
        "notes": _fill(own.get("top_three_notes") or DEFAULT_TOP_THREE_NOTES, selection.agency),
        "signatory": chair_signatory(session, selection, "announcement of the three best"),
    }


# --- decree and report ----------------------------------------------------------------


def _appointed(session: Session, selection: Selection) -> list[Application]:
    return list(
        session.scalars(
            sa.select(Application)
            .join(Position, Position.id == Application.position_id)
            .where(
                Position.selection_id == selection.id,
                Application.state == ApplicationState.APPOINTED,
            )
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.id)
        )
    )


def _new_position(position: Position, agency: Agency) -> str:
    if agency.region_name and agency.region_name.lower() in position.name.lower():
        return position.name
    return f"{position.name} {agency.region_name}".strip()


def result_letter(
    session: Session, selection: Selection, definition: WorkflowDefinition
) -> dict[str, Any]:
    """Return the oversight body's word on the results, else the letter allowing the plan."""
    approval = session.scalar(
        sa.select(Approval)
        .where(Approval.selection_id == selection.id, Approval.purpose == "result_recommendation")
        .order_by(Approval.letter_date.desc(), Approval.id.desc())
        .limit(1)
    )
    if approval is not None:
        return _letter(approval, selection.agency, RESULT_SUBJECT)
    return oversight_letter(session, selection, definition)


def decree_context(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    params: Mapping[str, Any],
    issued_at: datetime,
) -> dict[str, Any]:
    """Return the ``DecreeContext`` keys: the appointees, the letter, the legal basis.

    :raises ValidationFailed: when nobody is appointed or no oversight letter is recorded.
    """
    agency = selection.agency
    appointed = _appointed(session, selection)
    if not appointed:
        raise _missing(
            "no_appointee", N_("Nobody is appointed yet; the decree has no one to appoint.")
        )
    people = People(session, appointed)
    own = _doc_params(params)
    return {
        "selection": selection_context(selection),
        "oversight": result_letter(session, selection, definition),
        "legal_basis": legal_basis(definition, clock.to_jakarta(issued_at).date()),
        "appointees": [
            {
                "name": application.candidate.name,
                "nip": people.candidate(application)["nip"],
                "rank": people.rank(application),
                "old_position": people.candidate(application)["current_position"],
                "new_position": _new_position(application.position, agency),
            }
            for application in appointed
        ],
        "signatory": {"title": agency.head_title, "name": agency.head_name},
        "copies": _fill(own.get("decree_copies") or DEFAULT_DECREE_COPIES, agency),
    }


def _state_entries(session: Session, selection: Selection) -> list[tuple[str, date]]:
    """Return (state, WIB day entered) for each state change of the selection, in order."""
    rows = session.execute(
        sa.select(AuditEvent.to_state, AuditEvent.from_state, AuditEvent.occurred_at)
        .where(
            AuditEvent.chain == audit.chain_for(selection.id),
            AuditEvent.subject_type == "selection",
            AuditEvent.to_state.is_not(None),
        )
        .order_by(AuditEvent.seq)
    ).all()
    out: list[tuple[str, date]] = []
    for to_state, from_state, at in rows:
        if to_state == from_state or (out and out[-1][0] == to_state):
            continue
        out.append((to_state, clock.to_jakarta(at).date()))
    return out


def oversight_report_context(
    session: Session,
    selection: Selection,
    definition: WorkflowDefinition,
    issued_at: datetime,
) -> dict[str, Any]:
    """Return the ``OversightReportContext`` keys: stages, numbers per post, documents.

    :raises ValidationFailed: without the oversight letter or the decree.
    """
    agency = selection.agency
    oversight = oversight_letter(session, selection, definition)
    decree = _issued(session, selection, "decree", "report to the oversight body")
    documents = list(
        session.scalars(
            sa.select(IssuedDocument)
            .where(
                IssuedDocument.selection_id == selection.id,
                IssuedDocument.kind.not_in(("audit_trail", "oversight_report")),
            )
            .order_by(IssuedDocument.issued_at, IssuedDocument.id)
        )
    )
    by_kind: dict[str, list[IssuedDocument]] = defaultdict(list)
    for document in documents:
        by_kind[document.kind].append(document)
    today = clock.to_jakarta(issued_at).date()
    entries = _state_entries(session, selection)
    stages = []
    for index, (state, day) in enumerate(entries):
        if state in {SelectionState.DRAFT, SelectionState.COMPLETED, SelectionState.CANCELLED}:
            continue
        end = entries[index + 1][1] if index + 1 < len(entries) else today
        row: dict[str, Any] = {"stage": STAGE_LABELS_ID.get(state, state), "start": day}
        if end != day:
            row["end"] = end
        cited = [
            f"{SHORT_KIND_ID[d.kind]} Nomor {d.number}"
            for kind in STAGE_DOCUMENTS.get(state, ())
            for d in by_kind.get(kind, [])
        ]
        if state == SelectionState.APPROVAL:
            cited = [f"Surat {oversight['authority']} Nomor {oversight['number']}"]
        if cited:
            row["document"] = "; ".join(cited)
        stages.append(row)

    positions = _positions(session, selection, open_only=False)
    applications = _applications(session, selection=selection)
    verdicts = dict(
        session.execute(
            sa.select(ScreeningVerdict.application_id, ScreeningVerdict.passed)
            .join(Application, Application.id == ScreeningVerdict.application_id)
            .join(Position, Position.id == Application.position_id)
            .where(Position.selection_id == selection.id)
        ).all()
    )
    shortlists: dict[int, ShortlistResult] = {}
    for result in session.scalars(
        sa.select(ShortlistResult)
        .where(
            ShortlistResult.selection_id == selection.id,
            ShortlistResult.superseded_at.is_(None),
        )
        .order_by(ShortlistResult.position_id, ShortlistResult.revision.desc())
    ):
        shortlists.setdefault(result.position_id, result)
    names = {a.id: a.candidate.name for a in applications}
    posts = []
    for position in positions:
        apps = [a for a in applications if a.position_id == position.id]
        result = shortlists.get(position.id)
        ranking = result.ranking if result is not None else []
        shortlist = result.shortlist if result is not None else []
        appointee = next(
            (a.candidate.name for a in apps if a.state == ApplicationState.APPOINTED), ""
        )
        if position.dropped_at is not None:
            appointee = f"Jabatan tidak diisi: {position.drop_reason}".strip()
        posts.append(
            {
                "name": position.name,
                "unit": position.unit,
                "applicants": sum(1 for a in apps if a.submitted_at is not None),
                "passed_screening": sum(1 for a in apps if verdicts.get(a.id)),
                "qualified": sum(1 for entry in ranking if entry.get("qualified")),
                "top_three": [names[int(i)] for i in shortlist if int(i) in names],
                "appointee": appointee,
            }
        )
    signatory: dict[str, str] = {"title": agency.head_title, "name": agency.head_name}
    if agency.office_head_name:
        signatory = {
            "on_behalf_of": agency.head_title,
            "title": f"Kepala {agency.office_name}",
            "name": agency.office_head_name,
        }
    addressee, place = ADDRESSEES.get(
        (definition.oversight_body or "").upper(), (oversight["authority"], "Jakarta")
    )
    return {
        "selection": selection_context(selection),
        "addressee": addressee,
        "addressee_place": place,
        "oversight": oversight,
        "stages": stages,
        "posts": posts,
        "documents": [
            {
                "kind": document_title(d.kind, agency) if d.kind in KIND_TITLES else d.title,
                "number": d.number,
                "date": clock.to_jakarta(d.issued_at).date(),
            }
            for d in documents
        ],
        "decree": _letter_of(decree),
        "signatory": signatory,
    }


# --- audit trail ----------------------------------------------------------------------


def _event_text(event: AuditEvent) -> str:
    text = event.event
    if event.subject_type not in ("selection",) and event.subject_id is not None:
        text = f"{text} ({event.subject_type} #{event.subject_id})"
    elif event.subject_type not in ("selection",):
        text = f"{text} ({event.subject_type})"
    return text


def audit_trail_context(
    session: Session, selection: Selection, definition: WorkflowDefinition, exported_by: User
) -> dict[str, Any]:
    """Return the ``AuditTrailContext`` keys: every event and document so far, chain status."""
    count, problem, final_hash = audit.verify_chain(session, audit.chain_for(selection.id))
    if problem is None:
        status, message = (
            "utuh",
            (
                f"Rantai {count} peristiwa dihitung ulang: setiap hash cocok dengan isinya dan "
                "tersambung dengan peristiwa sebelumnya."
            ),
        )
    else:
        status = "rusak"
        message = f"Rantai rusak mulai peristiwa nomor {problem.seq}: {problem.message}."
    events = session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_for(selection.id))
        .order_by(AuditEvent.seq)
    )
    documents = session.execute(
        sa.select(IssuedDocument, User.name)
        .outerjoin(User, User.id == IssuedDocument.issued_by_id)
        .where(IssuedDocument.selection_id == selection.id)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)
    ).all()
    uploaded = session.execute(
        sa.select(Approval, User.name)
        .outerjoin(User, User.id == Approval.recorded_by_id)
        .where(Approval.selection_id == selection.id, Approval.file_id.is_not(None))
        .options(joinedload(Approval.file))
        .order_by(Approval.recorded_at, Approval.id)
    ).all()
    rows = [
        {
            "kind": document.title,
            "number": document.number,
            "sha256": document.sha256,
            "issued_at": clock.to_jakarta(document.issued_at),
            "issued_by": name or "sistem",
        }
        for document, name in documents
    ]
    rows += [
        {
            "kind": f"Surat {_authority(approval, selection.agency)} (diunggah)",
            "number": approval.letter_number,
            "sha256": approval.file.sha256,
            "issued_at": clock.to_jakarta(approval.recorded_at),
            "issued_by": name or "sistem",
        }
        for approval, name in uploaded
    ]
    machine = definition.machine("selection")
    return {
        "selection": selection_context(selection),
        "reference": f"{selection.agency.code.upper()}-{selection.year}-{selection.id}",
        "definition": f"{definition.key} versi {definition.version} ({definition.title})",
        "state": STAGE_LABELS_ID.get(selection.state, machine.state_label(selection.state)),
        "chain_status": status,
        "chain_message": message,
        "final_hash": final_hash,
        "events": [
            {
                "seq": event.seq,
                "at": clock.to_jakarta(event.occurred_at),
                "actor": event.actor,
                "event": _event_text(event),
                "from_state": event.from_state or "",
                "to_state": event.to_state or "",
                "hash": event.hash,
            }
            for event in events
        ],
        "documents": rows,
        "exported_by": f"{exported_by.name} <{exported_by.email}>",
    }


def build_context(
    session: Session, kind: str, selection: Selection, *, issued_at: datetime, actor: User
) -> dict[str, Any]:
    """Return the context of any kind for a selection (the actions call the builders directly).

    :raises KeyError: for an unknown kind.
    :raises ValidationFailed: when the data the document cites is missing.
    """
    from openbid.workflow import definition_of

    definition = definition_of(selection)
    params = definition.params(selection.parameters)
    builders = {
        "announcement": lambda: announcement_context(
            session, selection, definition, params, issued_at
        ),
        "extension_notice": lambda: extension_notice_context(session, selection, params)[0],
        "screening_minutes": lambda: screening_minutes_context(
            session, selection, params, issued_at
        ),
        "screening_announcement": lambda: screening_announcement_context(
            session, selection, params, issued_at
        ),
        "results_announcement": lambda: results_announcement_context(
            session, selection, params, issued_at
        ),
        "plenary_minutes": lambda: plenary_minutes_context(session, selection, params, issued_at),
        "top_three_announcement": lambda: top_three_announcement_context(
            session, selection, params
        ),
        "decree": lambda: decree_context(session, selection, definition, params, issued_at),
        "oversight_report": lambda: oversight_report_context(
            session, selection, definition, issued_at
        ),
        "audit_trail": lambda: audit_trail_context(session, selection, definition, actor),
    }
    return builders[kind]()
