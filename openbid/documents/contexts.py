"""The context each document template expects, as plain serialisable TypedDicts.

Values are strings, ints, floats, bools, ``date``/``datetime`` and lists/dicts of
those, so a context can be built from the database, stored as JSON for a job queue and
rendered elsewhere. Naive datetimes are read as WIB (UTC+7). Keys marked
``NotRequired`` may be left out; every other key must be present (templates render
with ``StrictUndefined`` and fail loudly on a missing key).

Every document context starts with :class:`DocumentBase`.
"""

# No ``from __future__ import annotations`` here: on Python 3.11 it hides NotRequired
# from TypedDict's runtime __required_keys__, which the tests use.
from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict


class Agency(TypedDict):
    """The issuing government; key names follow ``openbid.models.Agency``."""

    name: str  # "Pemerintah Kota Tangerang"
    region_name: str  # "Kota Tangerang"
    province: str  # "Banten"
    seat: str  # place of signing: "Tangerang"
    head_title: str  # "Wali Kota Tangerang"
    head_name: str  # "Arief R. Wismansyah"
    office_name: str  # "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    office_head_name: str
    address: str
    phone: str  # may be ""
    email: str  # may be ""
    website: str  # may be ""
    logo: NotRequired[str]  # the region's emblem as a data: URI (no external images)


class Letter(TypedDict):
    """A reference to another letter or document: number and date."""

    number: str
    date: date
    authority: NotRequired[str]  # "Komisi Aparatur Sipil Negara"
    subject: NotRequired[str]  # "Rekomendasi Rencana Seleksi Terbuka JPT Pratama"


class Signatory(TypedDict):
    """Who signs a document, printed under the signature space."""

    title: str  # "Ketua Panitia Seleksi"
    name: str
    on_behalf_of: NotRequired[str]  # printed "a.n. Wali Kota Tangerang" above the title
    nip: NotRequired[str]  # 18 digits; left out for elected officials
    rank: NotRequired[str]  # "Pembina Utama Madya"


class Selection(TypedDict):
    """The open selection a document belongs to."""

    title: str  # "Seleksi Terbuka Jabatan Pimpinan Tinggi Pratama ... Tahun 2018"
    year: int


class Post(TypedDict):
    """A vacant JPT Pratama post."""

    name: str  # "Kepala Dinas Pendidikan"
    unit: str  # "Dinas Pendidikan"


class Member(TypedDict):
    """A committee (pansel) member."""

    name: str
    role: str  # "Ketua", "Sekretaris", "Anggota"
    position: str  # "Sekretaris Daerah Kota Tangerang" or "Akademisi, Universitas ..."
    present: NotRequired[bool]  # minutes: attended the meeting (default True)


class ScheduleRow(TypedDict):
    """A stage of the schedule; ``end`` is left out for one-day stages."""

    stage: str
    start: date
    end: NotRequired[date]
    time: NotRequired[str]  # when the stage starts, in WIB: "09:00"
    place: NotRequired[str]


class Candidate(TypedDict):
    """A candidate as listed in announcements."""

    name: str
    nip: str
    current_position: str


class DocumentBase(TypedDict):
    """Keys every document uses: who issues it, its number, date and verification."""

    agency: Agency
    number: str
    issued_at: datetime  # also the PDF's creation date; never now()
    verification_code: str
    verify_url: str  # the public verification page of this document
    signed: bool  # True when the PDF will carry a PAdES signature
    chain_seq: int  # the selection's audit chain head at issue: its last event number ...
    chain_hash: str  # ... and that event's hash (64 hex); printed and in the PDF metadata


# --- decree.html ---------------------------------------------------------------------


class Appointee(TypedDict):
    """A row of the decree's attachment."""

    name: str
    nip: str
    rank: str  # "Pembina Utama Muda (IV/c)"
    old_position: str
    new_position: str


class DecreeContext(DocumentBase):
    """Appointment decree (Keputusan Wali Kota ... tentang Pengangkatan dalam JPT Pratama)."""

    selection: Selection
    oversight: Letter  # KASN recommendation or BKN Pertek; needs authority and subject
    legal_basis: list[str]  # Mengingat, one regulation per item, from the workflow
    appointees: list[Appointee]
    signatory: Signatory  # the PPK: title "Wali Kota Tangerang", name
    copies: list[str]  # Tembusan


# --- announcement.html ---------------------------------------------------------------


class AnnouncedPost(Post):
    """A post in the announcement with its own requirements."""

    requirements: list[str]


class Contact(TypedDict):
    """The committee secretariat's contact."""

    unit: str  # "Sekretariat Panitia Seleksi, Bidang Pengembangan Karier BKPSDM"
    address: str
    phone: NotRequired[str]
    email: NotRequired[str]
    hours: NotRequired[str]  # "Senin-Jumat pukul 08.00-16.00 WIB"


class AnnouncementContext(DocumentBase):
    """Pengumuman Panitia Seleksi: the vacancies, requirements and schedule."""

    selection: Selection
    oversight: Letter
    legal_basis: list[str]
    posts: list[AnnouncedPost]
    general_requirements: list[str]
    required_documents: list[str]
    registration_opens_at: datetime
    registration_closes_at: datetime
    registration_url: str
    schedule: list[ScheduleRow]
    contact: Contact
    notes: list[str]  # "Ketentuan lain-lain"
    signatory: Signatory


# --- extension_notice.html -----------------------------------------------------------


class ExtendedPost(Post):
    """A post whose registration is extended, with its applicant count at closing."""

    applicants: int


class ExtensionNoticeContext(DocumentBase):
    """Pengumuman perpanjangan pendaftaran."""

    selection: Selection
    announcement: Letter  # the original announcement
    extension_number: int  # 1 or 2
    minimum_applicants: int
    posts: list[ExtendedPost]
    original_closes_at: datetime
    new_closes_at: datetime
    registration_url: str
    approval: NotRequired[Letter]  # the oversight body's approval of the extension
    signatory: Signatory


# --- screening_minutes.html ----------------------------------------------------------


class ScreenedApplicant(Candidate):
    """An applicant's administrative result; reasons only when not qualified."""

    qualified: bool  # MS (Memenuhi Syarat) / TMS (Tidak Memenuhi Syarat)
    reasons: list[str]


class ScreenedPost(Post):
    """A post with its screened applicants."""

    applicants: list[ScreenedApplicant]


class ScreeningMinutesContext(DocumentBase):
    """Berita Acara Penetapan Hasil Seleksi Administrasi."""

    selection: Selection
    held_at: datetime
    place: str
    committee: list[Member]
    posts: list[ScreenedPost]


# --- screening_announcement.html -----------------------------------------------------


class PassedPost(Post):
    """A post with the applicants who passed a stage."""

    candidates: list[Candidate]


class ScreeningAnnouncementContext(DocumentBase):
    """Pengumuman Hasil Seleksi Administrasi."""

    selection: Selection
    minutes: Letter  # the Berita Acara it announces
    posts: list[PassedPost]
    next_stages: list[ScheduleRow]
    notes: list[str]
    signatory: Signatory


# --- results_announcement.html -------------------------------------------------------


class Component(TypedDict):
    """A scored component; ``key`` indexes each candidate's ``scores``."""

    key: str
    label: str
    weight: NotRequired[float]  # percent, e.g. 25


class ScoredCandidate(Candidate):
    """A candidate's component scores and combined score."""

    rank: int
    scores: dict[str, float | None]  # component key → score; None prints "-"
    total: float
    note: NotRequired[str]  # "Tidak mengikuti asesmen"


class ScoredPost(Post):
    """A post with its candidates, ordered by rank."""

    candidates: list[ScoredCandidate]


class ResultsAnnouncementContext(DocumentBase):
    """Pengumuman hasil penilaian kompetensi / wawancara, with scores."""

    selection: Selection
    stage_name: str  # "Penilaian Kompetensi dan Wawancara Akhir"
    components: list[Component]
    posts: list[ScoredPost]
    next_stages: list[ScheduleRow]
    notes: list[str]
    signatory: Signatory


# --- plenary_minutes.html ------------------------------------------------------------


class RankedPost(Post):
    """A post's final ranking and the three best sent to the PPK."""

    candidates: list[ScoredCandidate]
    top_three: list[Candidate]  # in rank order, as computed by openbid.rules


class Recusal(TypedDict):
    """A member who declared a conflict of interest and did not score a candidate."""

    member: str
    candidate: str
    post: str
    reason: str


class PlenaryMinutesContext(DocumentBase):
    """Berita Acara Sidang Panitia Seleksi dalam rangka Penetapan Hasil Akhir."""

    selection: Selection
    held_at: datetime
    place: str
    committee: list[Member]
    components: list[Component]  # with weights
    posts: list[RankedPost]
    recusals: list[Recusal]


# --- top_three_announcement.html -----------------------------------------------------


class TopThreeAnnouncementContext(DocumentBase):
    """Pengumuman tiga besar per jabatan (listed alphabetically, not by rank)."""

    selection: Selection
    minutes: Letter  # the plenary minutes
    posts: list[PassedPost]  # template sorts each post's candidates by name
    notes: list[str]
    signatory: Signatory


# --- oversight_report.html -----------------------------------------------------------


class StageReport(TypedDict):
    """A stage as carried out, with its dates and the document that closed it."""

    stage: str
    start: date
    end: NotRequired[date]
    document: NotRequired[str]  # "Berita Acara Nomor 800/04-Pansel/2018"


class PostReport(Post):
    """A post's numbers, three best and appointee."""

    applicants: int
    passed_screening: int
    qualified: int  # completed every stage and scored
    top_three: list[str]  # names, rank order
    appointee: str  # name, or "" when not yet appointed


class IssuedDocument(TypedDict):
    """A document issued during the selection."""

    kind: str  # "Pengumuman Hasil Seleksi Administrasi"
    number: str
    date: date


class OversightReportContext(DocumentBase):
    """Laporan pelaksanaan seleksi terbuka to the oversight body (KASN / BKN)."""

    selection: Selection
    addressee: str  # "Ketua Komisi Aparatur Sipil Negara"
    addressee_place: str  # "Jakarta"
    oversight: Letter  # the approval the selection ran under
    stages: list[StageReport]
    posts: list[PostReport]
    documents: list[IssuedDocument]
    decree: Letter  # the appointment decree
    signatory: Signatory


# --- audit_trail.html ----------------------------------------------------------------


class AuditRow(TypedDict):
    """An audit event as the auditor sees it."""

    seq: int
    at: datetime
    actor: str
    event: str  # the machine name the chain records, with its subject: "close (application #4)"
    # Its readable name with the subject, in Indonesian and English (openbid.audit.labels);
    # exports numbered before they were added render without them.
    label: NotRequired[str]  # "Lamaran ditutup — Lamaran #4"
    label_en: NotRequired[str]  # "Application closed — Application #4"
    from_state: str  # "" when the event changes no state
    to_state: str
    hash: str  # full sha256 hex; the template prints the first 12 characters


class DocumentRow(TypedDict):
    """A generated or uploaded document with its registered hash."""

    kind: str
    number: str
    sha256: str
    issued_at: datetime
    issued_by: str


class AuditTrailContext(DocumentBase):
    """The auditor's export: events, documents and the chain's status."""

    selection: Selection
    reference: str  # the selection's identifier in openbid
    definition: str  # "seleksi-jpt-kasn-2018 versi 1"
    state: str  # current state, e.g. "completed"
    chain_status: Literal["utuh", "rusak"]
    chain_message: str  # "Rantai 214 peristiwa diverifikasi ulang: utuh." / first bad seq
    final_hash: str
    events: list[AuditRow]
    documents: list[DocumentRow]
    exported_by: str


# --- oversight_recommendation.html ----------------------------------------------------


class OversightBody(TypedDict):
    """The oversight body that issues a letter in openbid (its own letterhead)."""

    code: str  # "KASN", "BKN"
    name: str  # "Komisi Aparatur Sipil Negara"
    seat: str  # "Jakarta"
    address: str


class ReviewedPost(Post):
    """A post as the oversight body saw it; for the results, its three best."""

    top_three: list[str]  # names in rank order; empty for the plan
    applicants: NotRequired[int]  # an extension's short post: applicants so far


class ExtensionAsked(TypedDict):
    """The extension the agency asked the oversight body for."""

    number: int  # the extension's ordinal (1, 2)
    reason: str


class OversightRecommendationContext(DocumentBase):
    """The oversight body's letter on a plan (recommendation / Pertek) or on the results."""

    body: OversightBody
    gate: Literal["plan", "results", "extension"]
    heading: str  # "Rekomendasi Pelaksanaan Seleksi Terbuka ..."
    addressee: str  # "Wali Kota Tangerang"
    selection: Selection
    posts: list[ReviewedPost]
    committee: list[Member]
    notes: str  # the reviewer's conditions or remarks; "" when none
    signatory: Signatory
    extension: NotRequired[ExtensionAsked]  # for an extension only


CONTEXTS: dict[str, type] = {
    "decree": DecreeContext,
    "announcement": AnnouncementContext,
    "extension_notice": ExtensionNoticeContext,
    "screening_minutes": ScreeningMinutesContext,
    "screening_announcement": ScreeningAnnouncementContext,
    "results_announcement": ResultsAnnouncementContext,
    "plenary_minutes": PlenaryMinutesContext,
    "top_three_announcement": TopThreeAnnouncementContext,
    "oversight_report": OversightReportContext,
    "audit_trail": AuditTrailContext,
    "oversight_recommendation": OversightRecommendationContext,
}
"""Document kind → its context type; the template is ``documents/<kind>.html``."""


def template_name(kind: str) -> str:
    """Return the template of a document kind, e.g. ``documents/decree.html``.

    :raises KeyError: for an unknown kind.
    """
    if kind not in CONTEXTS:
        raise KeyError(f"unknown document kind {kind!r}; known: {', '.join(CONTEXTS)}")
    return f"documents/{kind}.html"
