"""Factories for agencies, users and selections in a given state (through the real services)."""

from __future__ import annotations

from datetime import date

from openbid.extensions import db
from openbid.models import Agency, CommitteeRole, Role, Selection, User
from openbid.rules.committee import PositionLevel
from openbid.stages import planning as service
from openbid.workflow import WorkflowDefinition

PASSWORD = "correct horse battery"


class Numbers:
    """A test process's unique numbers for one kind of value (e-mails, NIPs, letter numbers).

    A stage built by another test process of the session (``tests/snapshots.py``) has used
    that process's numbers: whoever takes the stage skips past them, or the next row it
    makes repeats one (unique columns).
    """

    def __init__(self, name: str) -> None:
        self.following = 1
        SEQUENCES[name] = self

    def __next__(self) -> int:
        self.following += 1
        return self.following - 1

    def skip_past(self, last: int) -> None:
        """Hand out no number up to last."""
        self.following = max(self.following, last + 1)


SEQUENCES: dict[str, Numbers] = {}


def numbers_used() -> dict[str, int]:
    """Return the last number each sequence has handed out (saved with a stage)."""
    return {name: numbers.following - 1 for name, numbers in SEQUENCES.items()}


def skip_numbers(used: dict[str, int]) -> None:
    """Skip past the numbers a stage built by another test process has used."""
    for name, last in used.items():
        SEQUENCES[name].skip_past(last)


_seq = Numbers("factories")


def make_agency(code: str | None = None, **fields: object) -> Agency:
    """Create an agency with realistic defaults."""
    n = next(_seq)
    agency = Agency(
        code=code or f"agency-{n}",
        name=fields.pop("name", f"Pemerintah Kota Contoh {n}"),
        region_name=fields.pop("region_name", f"Kota Contoh {n}"),
        province=fields.pop("province", "Banten"),
        seat=fields.pop("seat", "Contoh"),
        head_title=fields.pop("head_title", f"Wali Kota Contoh {n}"),
        head_name=fields.pop("head_name", "Budi Santoso"),
        office_name=fields.pop("office_name", "Badan Kepegawaian dan Pengembangan SDM"),
        # Every decree cites the law that formed its region (Mengingat, first item).
        formation_laws=fields.pop(
            "formation_laws",
            [f"Undang-Undang Nomor {n} Tahun 1990 tentang Pembentukan Kota Contoh {n}"],
        ),
        **fields,
    )
    db.session.add(agency)
    db.session.commit()
    return agency


def make_user(role: Role, agency: Agency | None = None, name: str | None = None) -> User:
    """Create a user of role (staff need an agency)."""
    n = next(_seq)
    user = User(
        email=f"{role.value}{n}@example.org",
        name=name or f"{role.value.title()} {n}",
        role=role,
        agency=agency,
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def make_selection(
    agency: Agency,
    *,
    start: date = date(2018, 11, 19),
    definition: WorkflowDefinition | None = None,
    positions: int = 1,
    committee: int = 5,
    internal: int = 2,
) -> tuple[Selection, User]:
    """Create a draft selection with posts and a valid committee; return it and its secretary."""
    secretariat = make_user(Role.SECRETARIAT, agency)
    selection = service.create_selection(
        agency, secretariat, title=f"Seleksi {next(_seq)}", start_date=start, definition=definition
    )
    for i in range(positions):
        service.create_position(
            selection, secretariat, name=f"Kepala Dinas {i + 1}", unit=f"Dinas {i + 1}"
        )
    for i in range(committee):
        member = make_user(Role.COMMITTEE, agency)
        service.add_committee_member(
            selection,
            secretariat,
            member,
            committee_role=CommitteeRole.CHAIR if i == 0 else CommitteeRole.MEMBER,
            is_internal=i < internal,
            position_title="Kepala Badan" if i < internal else "Akademisi",
            position_level=int(PositionLevel.JPT_PRATAMA if i < internal else PositionLevel.OTHER),
        )
    return selection, secretariat


def committee_users(selection: Selection) -> list[User]:
    """Return the users seated on the selection's committee."""
    return [m.user for m in selection.committee]
