"""The announcement that opens registration, and the notice of each extension."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, joinedload

from openbid import clock
from openbid.documents.formatting import tanggal
from openbid.models import (
    Agency,
    Application,
    ApplicationState,
    Position,
    RegistrationExtension,
    Selection,
)
from openbid.rules.eligibility import RANK_NAMES, REQUIRED_DOCUMENTS, normalize_rank
from openbid.rules.reasons import N_
from openbid.stages.documents.committee import chair_signatory
from openbid.stages.documents.common import (
    as_day,
    count_text,
    document_params,
    fill_texts,
    legal_basis,
    missing_data,
    schedule_rows,
    selection_context,
    selection_positions,
)
from openbid.stages.documents.letters import (
    approval_letter,
    cited_document,
    document_letter,
    oversight_letter,
)
from openbid.stages.documents.wording import (
    DEFAULT_ANNOUNCEMENT_NOTES,
    DEFAULT_CONTACT_HOURS,
    DOCUMENT_DESCRIPTIONS,
    EDUCATION_ID,
    RATINGS_ID,
    STAGE_LABELS_ID,
)
from openbid.workflow.definition import WorkflowDefinition


def general_requirements(params: Mapping[str, Any], closes_at: datetime) -> list[str]:
    """Write the eligibility parameters as the announcement's general requirements."""
    rules = params["eligibility"]
    out: list[str] = []
    if rules["require_pns"]:
        out.append("Berstatus Pegawai Negeri Sipil.")
    education = str(rules["min_education"]).upper()
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
        f"{count_text(rules['min_related_years'])} tahun."
    )
    out.append(
        "Sedang atau pernah menduduki jabatan administrator atau jabatan fungsional jenjang "
        f"ahli madya paling singkat {count_text(rules['min_admin_years'])} tahun."
    )
    if rules["require_rank"]:
        code = normalize_rank(str(rules["min_rank"]))
        out.append(f"Pangkat paling rendah {RANK_NAMES[code]} ({code}).")
    reference = rules["age_reference"]
    on = as_day(reference) if reference != "registration_close" else None
    on = on or clock.to_jakarta(closes_at).date()
    out.append(
        f"Usia paling tinggi {count_text(rules['max_age'])} tahun pada tanggal {tanggal(on)}."
    )
    if rules["require_performance"]:
        rating = RATINGS_ID.get(str(rules["required_rating"]), "baik")
        out.append(
            f"Penilaian kinerja paling kurang bernilai {rating} dalam "
            f"{count_text(rules['rating_years'])} tahun terakhir."
        )
    out.append("Memiliki rekam jejak jabatan, integritas, dan moralitas yang baik.")
    if rules["require_clean_discipline"]:
        out.append(
            "Tidak pernah dijatuhi hukuman disiplin tingkat sedang atau berat dalam "
            f"{count_text(rules['sanction_lookback_years'])} tahun terakhir dan tidak "
            "sedang dalam pemeriksaan pelanggaran disiplin."
        )
    if rules["require_lhkpn"]:
        out.append(
            "Telah menyampaikan Laporan Harta Kekayaan Penyelenggara Negara (LHKPN) atau "
            "Laporan Harta Kekayaan Aparatur Sipil Negara (LHKASN) tahun terakhir."
        )
    if rules["require_own_ppk_approval"]:
        out.append("Mendapat persetujuan dari Pejabat Pembina Kepegawaian instansi asal.")
    out.append("Sehat jasmani dan rohani.")
    if rules["one_post_per_selection"]:
        out.append("Setiap pelamar hanya dapat melamar 1 (satu) jabatan.")
    return out


def required_documents(params: Mapping[str, Any]) -> list[str]:
    """Return the documents applicants upload, from the eligibility parameters."""
    rules = params["eligibility"]
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
        raise missing_data(
            "no_window",
            N_("The registration window is not set, and the announcement must state it."),
        )
    own = document_params(params)
    min_rank = str(params["eligibility"]["min_rank"])
    base_url = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return {
        "selection": selection_context(selection),
        "oversight": oversight_letter(session, selection, definition),
        "legal_basis": legal_basis(definition, clock.to_jakarta(issued_at).date(), agency),
        "posts": [
            {
                "name": position.name,
                "unit": position.unit,
                "requirements": _post_requirements(position, min_rank),
            }
            for position in selection_positions(session, selection, open_only=True)
        ],
        "general_requirements": general_requirements(params, closes),
        "required_documents": required_documents(params),
        "registration_opens_at": clock.to_jakarta(opens),
        "registration_closes_at": clock.to_jakarta(closes),
        "registration_url": f"{base_url}/",
        "schedule": _schedule(selection, opens, closes),
        "contact": _contact(agency, own),
        "notes": fill_texts(own.get("announcement_notes") or DEFAULT_ANNOUNCEMENT_NOTES, agency),
        "signatory": chair_signatory(session, selection, "announcement"),
    }


def _schedule(selection: Selection, opens: datetime, closes: datetime) -> list[dict[str, Any]]:
    """Return the announced schedule: online registration, then the planned later stages."""
    registration = {
        "stage": "Pendaftaran secara daring",
        "start": clock.to_jakarta(opens).date(),
        "end": clock.to_jakarta(closes).date(),
        "place": "Laman pendaftaran openbid",
    }
    later = [
        row
        for row in schedule_rows(selection)
        if row["stage"] not in (STAGE_LABELS_ID["announcement"], STAGE_LABELS_ID["registration"])
    ]
    return [registration, *later]


def _contact(agency: Agency, own: Mapping[str, Any]) -> dict[str, Any]:
    """Return the secretariat's contact (``contexts.Contact``) with the agency's details."""
    return {
        "unit": f"Sekretariat Panitia Seleksi, {agency.office_name} {agency.region_name}",
        "address": agency.address or agency.seat,
        **({"phone": agency.phone} if agency.phone else {}),
        **({"email": agency.email} if agency.email else {}),
        "hours": str(own.get("contact_hours") or DEFAULT_CONTACT_HOURS),
    }


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
        raise missing_data("no_extension", N_("No extension of the registration is recorded."))
    announcement = cited_document(session, selection, "announcement", "extension notice")
    ids = [int(i) for i in extension.position_ids or []]
    positions = [p for p in selection_positions(session, selection, open_only=False) if p.id in ids]
    counts = _applicant_counts(session, ids)
    base_url = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    context: dict[str, Any] = {
        "selection": selection_context(selection),
        "announcement": document_letter(announcement),
        "extension_number": extension.number,
        "minimum_applicants": int(params["min_applicants_per_post"]),
        "posts": [
            {"name": p.name, "unit": p.unit, "applicants": counts.get(p.id, 0)} for p in positions
        ],
        "original_closes_at": clock.to_jakarta(extension.previous_closes_at),
        "new_closes_at": clock.to_jakarta(extension.new_closes_at),
        "registration_url": f"{base_url}/",
        "signatory": chair_signatory(session, selection, "extension notice"),
    }
    if extension.approval is not None:
        context["approval"] = approval_letter(extension.approval, selection.agency, "")
    return context, extension
