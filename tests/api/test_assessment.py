"""API v1 the assessment centre's CSV import: read by content, every row or none, each
problem with its line; the page's roles.
"""

from __future__ import annotations

import io
from decimal import Decimal

import sqlalchemy as sa

from openbid.extensions import db
from openbid.models import AssessmentResult, AuditEvent, Role, StoredFile
from openbid.stages import assessment
from tests.factories import make_agency, make_user


def _written() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count(model.id)))
        for model in (AssessmentResult, AuditEvent, StoredFile)
    )


def _upload(api, selection_id: int, content: bytes, name: str = "pusat.csv", query: str = ""):
    return api.post(
        f"/selections/{selection_id}/assessment/import{query}",
        json=None,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_the_csv_import_lists_each_bad_line_then_imports_a_good_file(stages, api_as) -> None:
    setup = stages.at("assessment", per_post=5)
    selection_id = setup.selection.id
    nip = [x.profile_snapshot["nip"] for x in setup.applications]
    bad = (
        "nip;nilai_asesmen;kesehatan\n"
        f"{nip[0]};101;MS\n"
        f"{nip[1]};80;MS\n"
        f"{nip[2]};80;barangkali\n"
        f"{nip[3]};80,123;MS\n"
    ).encode()
    api = api_as(setup.secretariat)
    ppk = api_as(make_user(Role.PPK, setup.agency))
    stranger = api_as(make_user(Role.SECRETARIAT, make_agency()))
    before = _written()
    refused = _upload(api, selection_id, bad, query="?lang=en")
    assert refused.status_code == 422, refused.get_json()
    errors = refused.get_json()["errors"]
    assert [e["line"] for e in errors] == [2, 4, 5]
    assert errors[0]["message"] == "The assessment-centre score 101 is outside 0 to 100."
    not_csv = _upload(api, selection_id, b"%PDF-1.4\x00\xff\xfe binary", name="hasil.csv")
    assert not_csv.status_code == 422 and not_csv.get_json()["errors"][0]["line"] is None
    assert _upload(api, selection_id, b"", name="").status_code == 422  # no file chosen
    # A NUL in a cell (PostgreSQL could not store it) is refused on its line, by name.
    nul = f"nip;lembaga_asesmen\n{nip[0]};Pusat\x00Asesmen\n".encode()
    refused_nul = _upload(api, selection_id, nul, name="a\x00b.csv")
    assert refused_nul.status_code == 422, refused_nul.get_json()
    assert [(e["code"], e["line"]) for e in refused_nul.get_json()["errors"]] == [
        ("assessment.nul", 2)
    ]
    assert _upload(ppk, selection_id, bad).status_code == 403
    assert _upload(stranger, selection_id, bad).status_code == 404
    assert _written() == before

    content = assessment.template_csv(setup.selection).decode("utf-8-sig")
    content = content.replace(";;;;;;;;", ";77,5;;2018-12-11;Pusat Asesmen;81;70;MS;MS")
    imported = _upload(api, selection_id, content.encode("utf-8-sig"))
    assert imported.status_code == 200, imported.get_json()
    report = imported.get_json()
    assert report["rows"] == report["changed"] == len(setup.applications)
    for application in setup.applications:
        result = db.session.scalar(
            sa.select(AssessmentResult).where(AssessmentResult.application_id == application.id)
        )
        assert result.assessment_score == Decimal("77.50") and result.psych_fit is True
