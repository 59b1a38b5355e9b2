"""The agency's details page: letterhead, PPK, legal basis and numbering, admin only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import Agency, AuditEvent, Role
from tests.factories import PASSWORD, make_agency, make_user

KAB_LAW = (
    "Undang-Undang Nomor 14 Tahun 1950 tentang Pembentukan Daerah-daerah Kabupaten dalam "
    "Lingkungan Propinsi Djawa Barat"
)


def _form(agency: Agency, **changes: str) -> dict:
    form = {
        column: getattr(agency, column) or ""
        for column in (
            "name",
            "region_name",
            "province",
            "seat",
            "head_title",
            "head_name",
            "office_name",
            "office_head_name",
            "address",
            "phone",
            "email",
            "website",
        )
    }
    form.update(formation_laws="\n".join(agency.formation_laws), local_legal_basis="")
    form.update({f"pattern_{s}": "" for s in ("decree", "announcement", "minutes", "report")})
    form.update(changes)
    return form


def _state(agency_id: int) -> tuple:
    db.session.expire_all()
    agency = db.session.get(Agency, agency_id)
    return (
        agency.head_title,
        agency.formation_laws,
        agency.local_legal_basis,
        agency.numbering_patterns,
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def test_the_admin_edits_the_legal_basis_ppk_and_numbering(app, client, browser) -> None:
    agency = make_agency(numbering_patterns={"audit": "AUD/{year}/{seq}"})
    admin = make_user(Role.ADMIN, agency)
    old_title = agency.head_title
    browser.login(admin.email, PASSWORD)
    page = client.get("/admin/agency").get_data(as_text=True)
    assert agency.formation_laws[0] in page and "Pola penomoran" in page  # Indonesian first
    form = _form(
        agency,
        head_title="Bupati Contoh",
        formation_laws=f"  {KAB_LAW}\n\n",
        local_legal_basis="Peraturan Daerah Nomor 8 Tahun 2016 tentang Perangkat Daerah",
        pattern_decree="821.2/Kep.{seq}-BKPSDM.Kab/{year}",
    )
    response = browser.post("/admin/agency", form, page="/admin/agency")
    assert response.status_code == 303
    head_title, laws, local, patterns, _count = _state(agency.id)
    assert (head_title, laws, local) == (
        "Bupati Contoh",
        [KAB_LAW],
        ["Peraturan Daerah Nomor 8 Tahun 2016 tentang Perangkat Daerah"],
    )
    # The series not on the page keep their pattern.
    assert patterns == {
        "audit": "AUD/{year}/{seq}",
        "decree": "821.2/Kep.{seq}-BKPSDM.Kab/{year}",
    }
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.event == "agency_profile_changed" and event.actor_id == admin.id
    assert event.payload["after"]["formation_laws"] == [KAB_LAW]
    assert event.payload["before"]["head_title"] == old_title


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"formation_laws": " \n "},
            ["Isikan undang-undang pembentukan daerah (satu per baris)"],
        ),
        (
            {"head_title": "", "pattern_decree": "821/{seq}"},
            [
                "Jabatan PPK wajib diisi.",
                "Pola penomoran seri keputusan tidak dapat digunakan",
            ],
        ),
        ({"local_legal_basis": "x" * 1001}, ["Dasar hukum daerah: ada baris yang lebih dari"]),
    ],
)
def test_bad_input_is_refused_with_reasons_and_nothing_is_written(
    app, client, browser, changes, messages
) -> None:
    agency = make_agency()
    browser.login(make_user(Role.ADMIN, agency).email, PASSWORD)
    before = _state(agency.id)
    response = browser.post("/admin/agency", _form(agency, **changes), page="/admin/agency")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in messages:
        assert message in page, page
    assert _state(agency.id) == before


@pytest.mark.parametrize(
    "role", [Role.SECRETARIAT, Role.COMMITTEE, Role.PPK, Role.AUDITOR, Role.CANDIDATE]
)
def test_only_the_admin_sees_or_changes_the_details(app, client, browser, role) -> None:
    agency = make_agency()
    user = make_user(role, None if role == Role.CANDIDATE else agency)
    browser.login(user.email, PASSWORD)
    assert client.get("/admin/agency").status_code == 403
    before = _state(agency.id)
    response = browser.post("/admin/agency", _form(agency, head_title="X"), page="/home")
    assert response.status_code == 403
    assert _state(agency.id) == before


def test_an_admin_changes_only_their_own_agency(app, client, browser) -> None:
    mine, theirs = make_agency(), make_agency()
    browser.login(make_user(Role.ADMIN, mine).email, PASSWORD)
    before = _state(theirs.id)
    # The page edits the admin's own agency: another's values posted land on their own.
    response = browser.post(
        "/admin/agency", _form(theirs, head_title="Bupati Lain"), page="/admin/agency"
    )
    assert response.status_code == 303
    assert _state(theirs.id)[:4] == before[:4]
    assert _state(mine.id)[0] == "Bupati Lain"
