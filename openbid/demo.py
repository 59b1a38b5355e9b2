"""The demo agencies: Pemerintah Kota Tangerang and its 2018 open selection (KASN version),
and its neighbour Pemerintah Kabupaten Tangerang with its own (``demo_stories``).

From the 2018 news report in shared/seed/: posts emptied by retirements, a paperless push,
and the city waiting on KASN's permission to open bidding for echelon II. People other than
the Wali Kota (Arief R. Wismansyah) and the BKPSDM head (Akhmad Lutfi) are invented.

The story runs on a simulated clock from its first morning, 29 October 2018 WIB, so the
audit trail reads forwards from the agency's creation; ``upgrade_schema`` lets the demo
command start from an empty database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask_migrate import upgrade

from openbid import audit, clock
from openbid.demo_stories import KABUPATEN, Letters, Story
from openbid.extensions import db
from openbid.models import Agency, CommitteeRole, Role, Selection, User, utcnow
from openbid.rules.committee import PositionLevel
from openbid.stages import documents, oversight
from openbid.stages import planning as selection_service

AGENCY_CODE = "kota-tangerang"
DOMAIN = "tangerangkota.example"
PASSWORD = "demo-openbid-2018"  # noqa: S105 - printed for the demo; never used outside it
SELECTION_TITLE = "Seleksi Terbuka JPT Pratama Pemerintah Kota Tangerang Tahun 2018"
# The story's first morning (WIB): the agency is set up, then the plan goes to KASN at 09:00.
STORY_START = date(2018, 10, 29)
UPGRADE_HINT = "run `flask --app wsgi db upgrade`"
KOTA_FORMATION_LAW = (
    "Undang-Undang Nomor 2 Tahun 1993 tentang Pembentukan Kotamadya Daerah Tingkat II "
    "Tangerang (Lembaran Negara Republik Indonesia Tahun 1993 Nomor 18, Tambahan Lembaran "
    "Negara Republik Indonesia Nomor 3518)"
)

STAFF = [
    # email local part, name, role, position title
    ("admin", "Rina Marlina", Role.ADMIN, "Pengelola Sistem Informasi Kepegawaian BKPSDM"),
    ("lutfi", "Akhmad Lutfi", Role.SECRETARIAT, "Kepala BKPSDM Kota Tangerang"),
    ("sekretariat", "Yusuf Hidayat", Role.SECRETARIAT, "Kepala Bidang Mutasi dan Promosi BKPSDM"),
    ("walikota", "Arief R. Wismansyah", Role.PPK, "Wali Kota Tangerang"),
    ("auditor", "Dewi Kartikasari", Role.AUDITOR, "Auditor Ahli Madya, Inspektorat Kota Tangerang"),
]

# KASN, the oversight body of 2018, supervising every regional government of Banten, and
# its reviewer of open selections (email local part, name, position title).
KASN = {
    "code": "KASN",
    "name": "Komisi Aparatur Sipil Negara",
    "numbering_pattern": "B-{seq}/KASN/{month:02d}/{year}",
    "provinces": ["Banten"],
    "address": "Jl. Letjen M.T. Haryono Kav. 52-53, Jakarta Selatan 12770",
    "head_title": "Ketua Komisi Aparatur Sipil Negara",
    "head_name": "Sofian Effendi",
}
KASN_REVIEWER = ("kasn", "Sri Hadiyati", "Asisten Komisioner Bidang Pengisian JPT, KASN")

# 7 members, 3 internal (42.9%) and 4 external, as domain.md's demo prescribes.
COMMITTEE = [
    (
        "pansel.ketua",
        "Dr. H. Bambang Supriyadi, M.Si.",
        CommitteeRole.CHAIR,
        True,
        "Sekretaris Daerah Kota Tangerang",
        "Pemerintah Kota Tangerang",
        PositionLevel.JPT_PRATAMA,
    ),
    (
        "pansel.asisten",
        "Drs. Hendra Gunawan, M.M.",
        CommitteeRole.MEMBER,
        True,
        "Asisten Pemerintahan dan Kesejahteraan Rakyat",
        "Pemerintah Kota Tangerang",
        PositionLevel.JPT_PRATAMA,
    ),
    (
        "pansel.inspektur",
        "Ir. Siti Nurjanah, M.T.",
        CommitteeRole.MEMBER,
        True,
        "Inspektur Kota Tangerang",
        "Pemerintah Kota Tangerang",
        PositionLevel.JPT_PRATAMA,
    ),
    (
        "pansel.sekretaris",
        "Prof. Dr. Agus Salim, M.Si.",
        CommitteeRole.SECRETARY,
        False,
        "Guru Besar Ilmu Administrasi Negara",
        "Universitas Sultan Ageng Tirtayasa",
        PositionLevel.OTHER,
    ),
    (
        "pansel.akademisi",
        "Dr. Maya Puspitasari, M.A.P.",
        CommitteeRole.MEMBER,
        False,
        "Dosen Manajemen Sumber Daya Manusia",
        "Universitas Indonesia",
        PositionLevel.OTHER,
    ),
    (
        "pansel.provinsi",
        "Drs. Rahmat Hidayatullah, M.Si.",
        CommitteeRole.MEMBER,
        False,
        "Kepala Badan Kepegawaian Daerah Provinsi Banten",
        "Pemerintah Provinsi Banten",
        PositionLevel.JPT_PRATAMA,
    ),
    (
        "pansel.asesor",
        "Dra. Lestari Wulandari, Psi.",
        CommitteeRole.MEMBER,
        False,
        "Asesor SDM Aparatur Ahli Madya",
        "Lembaga Asesmen Independen",
        PositionLevel.OTHER,
    ),
]

POSITIONS = [
    ("Kepala Dinas Pendidikan", "Dinas Pendidikan Kota Tangerang"),
    ("Kepala Dinas Kesehatan", "Dinas Kesehatan Kota Tangerang"),
    (
        "Kepala Badan Perencanaan Pembangunan Daerah",
        "Badan Perencanaan Pembangunan Daerah Kota Tangerang",
    ),
]

# Candidates with valid 18-digit NIPs (birth date, CPNS start, gender, serial).
CANDIDATES = [
    ("kandidat01", "Drs. Ahmad Fauzi, M.Pd.", "196905121994031004"),
    ("kandidat02", "Dr. Sri Wahyuni, M.Pd.", "197102281996032002"),
    ("kandidat03", "H. Dedi Kurniawan, S.Pd., M.M.", "197306151998031005"),
    ("kandidat04", "Nurhasanah, S.Pd., M.Si.", "197508202000122003"),
    ("kandidat05", "Ir. Bayu Prasetyo, M.T.", "196011041986031002"),
    ("kandidat06", "dr. Ratna Sari Dewi, M.Kes.", "197004171999032001"),
    ("kandidat07", "dr. Andi Saputra, M.K.M.", "197212092001121003"),
    ("kandidat08", "dr. Fitri Handayani, M.A.R.S.", "197603232002122004"),
    ("kandidat09", "Drg. Yudi Permana, M.Kes.", "197809302005011006"),
    ("kandidat10", "Dr. Ir. Taufik Hidayat, M.Si.", "196808151995031002"),
    ("kandidat11", "Ir. Mega Lestari, M.P.W.K.", "197401052000032001"),
    ("kandidat12", "Rudi Hartono, S.T., M.Sc.", "197705172003121002"),
    ("kandidat13", "Dra. Endang Suryani, M.Si.", "197110101997032003"),
]


# Which post each candidate applies to (by index in demo.POSITIONS) and what makes them
# (in)eligible; the rest of their profile is a typical eligible head-of-department profile.
APPLICANTS = {
    "kandidat01": (0, {}),
    "kandidat02": (0, {}),
    "kandidat03": (0, {}),
    "kandidat04": (0, {"rank": "IV/c"}),
    "kandidat05": (0, {}),  # born 4 Nov 1960: 58 at the reference date
    "kandidat06": (1, {}),
    "kandidat07": (1, {}),
    "kandidat08": (1, {"rank": "IV/c"}),
    "kandidat09": (1, {"rank": "IV/a"}),  # below the minimum rank IV/b
    "kandidat10": (2, {"rank": "IV/c"}),
    "kandidat11": (2, {}),
    "kandidat12": (2, {"lhkpn_lodged": ""}),  # no wealth report lodged
    "kandidat13": (2, {"sanction_level": "sedang", "sanction_date": "2017-08-14"}),
}
CURRENT_POSITIONS = {
    0: "Sekretaris Dinas Pendidikan",
    1: "Sekretaris Dinas Kesehatan",
    2: "Sekretaris Badan Perencanaan Pembangunan Daerah",
}
# Competency-stage results: assessment centre, paper, track record.
RESULTS = {
    "kandidat01": ("82.50", "80.00", "85.00"),
    "kandidat02": ("78.25", "84.00", "80.00"),
    "kandidat03": ("74.00", "76.50", "82.00"),
    "kandidat04": ("80.75", "79.00", "78.00"),
    "kandidat06": ("84.00", "81.00", "83.00"),
    "kandidat07": ("76.50", "78.00", "80.00"),
    "kandidat08": ("79.00", "82.50", "79.00"),
    "kandidat10": ("81.00", "80.50", "84.00"),
    "kandidat11": ("77.75", "83.00", "81.00"),
}
INTERVIEW_BASE = {
    "kandidat01": 84,
    "kandidat02": 80,
    "kandidat03": 77,
    "kandidat04": 82,
    "kandidat06": 85,
    "kandidat07": 79,
    "kandidat08": 81,
    "kandidat10": 83,
    "kandidat11": 80,
}
# The PPK picks rank 2 for the health post: the rank does not bind the PPK.
PICK_RANK = {0: 1, 1: 2, 2: 1}

KOTA = Story(
    agency={
        "code": AGENCY_CODE,
        "name": "Pemerintah Kota Tangerang",
        "region_name": "Kota Tangerang",
        "province": "Banten",
        "seat": "Tangerang",
        "head_title": "Wali Kota Tangerang",
        "head_name": "Arief R. Wismansyah",
        "office_name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "office_head_name": "Akhmad Lutfi",
        "address": "Gedung Cisadane, Jl. Satria Sudirman No. 1, Kota Tangerang, Banten 15111",
        "phone": "(021) 5584054",
        "email": f"bkpsdm@{DOMAIN}",
        "website": "https://openbid.tangerangkota.example",
        "formation_laws": [KOTA_FORMATION_LAW],
        "numbering_patterns": {
            "decree": "821.2/Kep.{seq}-BKPSDM/{year}",
            "announcement": "800/{seq:02d}-Pansel/{year}",
            "minutes": "800/{seq:02d}/BA-Pansel/{year}",
            "report": "800/{seq:02d}/Lap-Pansel/{year}",
        },
    },
    domain=DOMAIN,
    title=SELECTION_TITLE,
    start_date=date(2018, 11, 19),
    staff=STAFF,
    committee=COMMITTEE,
    positions=POSITIONS,
    candidates=CANDIDATES,
    secretariat="lutfi",
    ppk="walikota",
    applicants=APPLICANTS,
    current_positions=CURRENT_POSITIONS,
    results=RESULTS,
    interview_base=INTERVIEW_BASE,
    pick_rank=PICK_RANK,
    letters=Letters(
        plan=("B-3921/KASN/11/2018", date(2018, 11, 15)),
        plan_subject="Rekomendasi Rencana Seleksi Terbuka JPT Pratama Kota Tangerang",
        result=("B-0158/KASN/01/2019", date(2019, 1, 11)),
        result_subject="Rekomendasi Hasil Seleksi Terbuka JPT Pratama Kota Tangerang",
        extension="B-4107/KASN/12/2018",
        override=("B-0112/KASN/01/2019", date(2019, 1, 9)),
    ),
    birth_place="Tangerang",
    late_applicant="kandidat13",
    # The provincial member knows the first eligible candidate personally: recused.
    recusal=(5, 0),
)
STORIES = (KOTA, KABUPATEN)


class SchemaError(RuntimeError):
    """The database cannot be brought to the code's schema; the message says what to run."""


def upgrade_schema(verbose: bool = False) -> str | None:
    """Migrate the database to the scripts' head; return the new revision, None if current.

    :raises SchemaError: when the database is unreachable, ahead of the code, or the
        migration fails.
    """
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise SchemaError(
            f"Cannot read the database's schema revision ({reason}); check "
            f"OPENBID_DATABASE_URL, then {UPGRADE_HINT}."
        ) from None
    if current == heads:
        return None
    try:
        script.get_revisions(tuple(current))
    except CommandError:
        raise SchemaError(
            f"The database is at revision {', '.join(sorted(current))}, which this code does "
            f"not know (newer code migrated it); update the code, then {UPGRADE_HINT}."
        ) from None
    try:
        with _migration_logging(verbose):
            upgrade(revision="heads")
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise SchemaError(f"Upgrading the database failed ({reason}); {UPGRADE_HINT}.") from None
    except SystemExit:  # Flask-Migrate logs an Alembic error, then exits
        raise SchemaError(f"Upgrading the database failed (above); {UPGRADE_HINT}.") from None
    db.session.remove()  # nothing cached from before the new schema
    return ", ".join(sorted(heads))


@contextmanager
def _migration_logging(verbose: bool) -> Iterator[None]:
    """Print Alembic's warnings and errors, and its per-revision lines only when verbose."""
    # migrations/env.py applies alembic.ini's logging (INFO to stderr) only when the root
    # logger has no handler yet: a handler of our own for the run decides instead.
    root, alembic = logging.getLogger(), logging.getLogger("alembic")
    handler = logging.StreamHandler()
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)-5.5s [%(name)s] %(message)s"))
    level = alembic.level
    root.addHandler(handler)
    if verbose:
        alembic.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        alembic.setLevel(level)


class SimulatedClock:
    """A clock the demo moves forward step by step (the services read clock.now())."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        """Return the next moment: one second later, strictly increasing like real time."""
        self.moment += timedelta(seconds=1)
        return self.moment

    def at(self, day: date, hour: int = 9) -> None:
        """Move to a WIB hour of a day, never backwards."""
        wib = datetime(day.year, day.month, day.day, hour, tzinfo=clock.JAKARTA)
        self.moment = max(self.moment, wib.astimezone(UTC))


@contextmanager
def simulated_clock(start: date, after: datetime | None = None) -> Iterator[SimulatedClock]:
    """Run the services on a simulated clock from 08:00 WIB on start, or just after a moment."""
    begin = datetime(start.year, start.month, start.day, 8, tzinfo=clock.JAKARTA)
    fake = SimulatedClock(max(begin.astimezone(UTC), after or begin))
    original = clock.now
    clock.now = fake.now
    try:
        yield fake
    finally:
        clock.now = original


def _email(local: str) -> str:
    return KOTA.email(local)


def _user(
    story: Story, agency: Agency | None, local: str, name: str, role: Role, title: str = ""
) -> User:
    user = User(email=story.email(local), name=name, role=role, agency=agency, position_title=title)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def load() -> bool:
    """Create the demo agencies, their users and 2018 selections in draft; False if present."""
    # Each issuer signs with its own self-signed demo certificate, kept in the instance
    # folder (made on the real clock: its validity must include today); the platform's
    # signs the audit checkpoints.
    documents.ensure_demo_signing("openbid (demo)", "openbid")
    for story in STORIES:
        ensure_agency_signing(story)
    documents.ensure_oversight_signing(KASN["code"], KASN["name"], KASN["name"])
    if db.session.scalar(sa.select(Agency.id).where(Agency.code == AGENCY_CODE)) is not None:
        return False
    # The story's first events, so the audit trail starts in 2018 like the rest of it.
    with simulated_clock(STORY_START):
        for story in STORIES:
            _create(story)
        add_oversight_body()
        db.session.commit()
    return True


def ensure_agency_signing(story: Story) -> None:
    """Create a demo agency's own self-signed certificate, naming its BKPSDM, once."""
    agency = story.agency
    documents.ensure_issuer_signing(
        documents.AGENCY, agency["code"], f"BKPSDM {agency['region_name']}", agency["name"]
    )


def _create(story: Story) -> None:
    """Add a story's agency, its people and the selection with posts and committee; commit."""
    agency = Agency(**story.agency)
    db.session.add(agency)
    staff = {
        local: _user(story, agency, local, name, role, title)
        for local, name, role, title in story.staff
    }
    members = {
        local: _user(story, agency, local, name, Role.COMMITTEE, title)
        for local, name, _role, _internal, title, _inst, _level in story.committee
    }
    for local, name, _nip in story.candidates:
        # Demo candidates have confirmed their email, as real ones must before applying.
        _user(story, None, local, name, Role.CANDIDATE).email_confirmed_at = utcnow()
    db.session.flush()
    audit.append(
        db.session,
        event="demo_loaded",
        actor=None,
        subject_type="agency",
        subject_id=agency.id,
        payload={"agency": agency.code},
    )
    _plan_selection(story, agency, staff[story.secretariat], members)
    db.session.commit()


def add_oversight_body() -> User:
    """Add KASN (supervising Banten) and its reviewer, who gives the demo's approvals."""
    body = oversight.create_body(**KASN, commit=False)
    local, name, title = KASN_REVIEWER
    # The demo's one KASN account also administers KASN's reviewers (admin/body).
    return oversight.create_reviewer(
        body,
        email=_email(local),
        name=name,
        password=PASSWORD,
        title=title,
        admin=True,
        commit=False,
    )


def _plan_selection(
    story: Story, agency: Agency, secretariat: User, members: dict[str, User]
) -> None:
    """Add the story's selection in draft with its posts and committee (not committed)."""
    selection = selection_service.create_selection(
        agency,
        secretariat,
        title=story.title,
        start_date=story.start_date,
        commit=False,
    )
    for name, unit in story.positions:
        selection_service.create_position(
            selection, secretariat, name=name, unit=unit, commit=False
        )
    for local, _name, role, internal, title, institution, level in story.committee:
        selection_service.add_committee_member(
            selection,
            secretariat,
            members[local],
            committee_role=role,
            is_internal=internal,
            position_title=title,
            institution=institution,
            position_level=int(level),
            commit=False,
        )


def story_selection(story: Story) -> Selection | None:
    """Return a story's selection, if loaded."""
    return db.session.scalar(sa.select(Selection).where(Selection.title == story.title))


def demo_selection() -> Selection | None:
    """Return Kota Tangerang's demo selection, if loaded."""
    return story_selection(KOTA)


def logins(story: Story = KOTA) -> list[tuple[str, str]]:
    """Return (email, role) of every account of a demo agency, staff first (KASN's with Kota's)."""
    rows = [(story.email(local), role.value) for local, _n, role, _t in story.staff]
    if story is KOTA:
        rows += [(_email(KASN_REVIEWER[0]), Role.OVERSIGHT.value)]
    rows += [(story.email(c[0]), Role.COMMITTEE.value) for c in story.committee]
    rows += [(story.email(c[0]), Role.CANDIDATE.value) for c in story.candidates]
    return rows
