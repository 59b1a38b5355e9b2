"""A 2025 selection under jpt-pratama-bkn: BKN's reviewer gives its technical consideration
(Pertek) in openbid; the letter says Pertek and BKN, is numbered in BKN's own series, signed
with BKN's own key (not the agency's), registered and verifiable."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from openbid.documents.render import pdf_text
from openbid.extensions import db
from openbid.models import Approval, IssuedDocument, OversightCounter, OversightReview
from openbid.stages import documents, oversight
from openbid.workflow import available_events, fire
from tests.factories import PASSWORD, make_agency, make_selection
from tests.oversight_support import kasn
from tests.stage_factories import clock_at

pytestmark = pytest.mark.real_pdf  # reads the letter's text and checks its signature

BKN_NAME = "Badan Kepegawaian Negara"
SENT_AT = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 3 March 2025, 09:00 WIB
GIVEN_AT = datetime(2025, 3, 7, 3, 0, tzinfo=UTC)


def test_bkn_gives_its_pertek_in_openbid(app, client, runner, tmp_path: Path) -> None:
    kasn_body, _kasn_reviewer = kasn()  # KASN supervises Banten too, but not a 2025 selection
    bkn = oversight.create_body(
        code="BKN",
        name=BKN_NAME,
        numbering_pattern="{seq}/B-KP.03.00/SD/K/{year}",
        provinces=["Banten"],
        head_title="Kepala Badan Kepegawaian Negara",
        head_name="Zudan Arif Fakrulloh",
    )
    reviewer = oversight.create_reviewer(
        bkn, email="pertek@bkn.example", name="Suharmen", password=PASSWORD
    )
    agency = make_agency(province="Banten", name="Pemerintah Kabupaten Contoh")
    documents.ensure_issuer_signing(documents.AGENCY, agency.code, "BKPSDM Contoh", agency.name)
    selection, secretariat = make_selection(agency, start=date(2025, 3, 10))
    db.session.commit()
    assert selection.workflow_key == "jpt-pratama-bkn"  # after 30 Oct 2023: BKN's version

    with clock_at(SENT_AT):
        fire(selection, "submit_for_approval", secretariat)
    assert [i.selection.id for i in oversight.review_queue(db.session, bkn)] == [selection.id]
    assert oversight.review_queue(db.session, kasn_body) == []
    with clock_at(GIVEN_AT):
        oversight.approve_plan(selection, reviewer, notes="Laksanakan sesuai jadwal.")

    approval = db.session.scalars(sa.select(Approval)).one()
    letter = db.session.get(IssuedDocument, approval.document_id)
    assert (approval.purpose, approval.source) == ("gate:bkn_pertek", "openbid")
    assert letter.series == "oversight:BKN" and letter.number == "1/B-KP.03.00/SD/K/2025"
    assert db.session.get(OversightCounter, (bkn.id, 2025)).last_seq == 1
    assert db.session.get(OversightCounter, (kasn_body.id, 2025)) is None
    review = db.session.scalars(sa.select(OversightReview)).one()
    assert (review.body_id, review.outcome, review.waited_days) == (bkn.id, "approved", 4)

    data = documents.document_bytes(letter)
    text = " ".join(pdf_text(data).split())
    assert "Pertimbangan Teknis" in text and "memberikan pertimbangan teknis (Pertek)" in text
    assert BKN_NAME in text and letter.number in text and agency.name in text
    assert "Komisi Aparatur Sipil Negara" not in text and "KASN" not in text
    check = documents.check_file(db.session, data)
    assert check.matched_by == "sha256" and check.document.id == letter.id
    assert check.signature.valid and check.signature.signer_name == BKN_NAME  # BKN's own key
    page = client.get(f"/verify/{letter.verification_code}?lang=en").get_data(as_text=True)
    assert "Valid signature" in page and BKN_NAME in page
    path = tmp_path / "pertek.pdf"
    path.write_bytes(data)
    result = runner.invoke(args=["openbid", "verify-document", str(path)])
    assert result.exit_code == 0, result.output
    assert f"signer {BKN_NAME}" in result.output and "VERIFIED" in result.output

    # The Pertek satisfies the gate: the agency may publish.
    publish = next(
        e for e in available_events(selection, secretariat) if e.name == "publish_announcement"
    )
    assert publish.enabled, publish.reasons
