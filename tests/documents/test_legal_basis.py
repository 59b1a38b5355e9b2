"""The documents cite the agency's own legal basis around the definition's national one."""

from __future__ import annotations

from datetime import date

import pytest

from openbid.app import WORKFLOWS_DIR
from openbid.models import Agency
from openbid.rules.reasons import ValidationFailed
from openbid.stages.documents.common import formation_law_required, legal_basis
from openbid.workflow import load_workflows

KOTA = "Undang-Undang Nomor 2 Tahun 1993 tentang Pembentukan Kotamadya Daerah Tingkat II Tangerang"
PERDA = "Peraturan Daerah {region_name} Nomor 8 Tahun 2016 tentang Perangkat Daerah"


def _agency(**fields: object) -> Agency:
    return Agency(
        name="Pemerintah Kota Tangerang",
        region_name="Kota Tangerang",
        province="Banten",
        seat="Tangerang",
        head_title="Wali Kota Tangerang",
        **fields,
    )


@pytest.mark.parametrize("key", ["jpt-pratama-kasn", "jpt-pratama-bkn"])
def test_formation_law_first_national_next_local_last(key: str) -> None:
    definition = load_workflows(WORKFLOWS_DIR).get(key, 1)
    day = date(2018, 12, 1) if key.endswith("kasn") else date(2025, 3, 1)
    cited = legal_basis(definition, day, _agency(formation_laws=[KOTA], local_legal_basis=[PERDA]))
    national = definition.legal_basis_on(day)
    assert cited[0] == f"{KOTA};"
    assert (
        cited[-1] == "Peraturan Daerah Kota Tangerang Nomor 8 Tahun 2016 tentang Perangkat Daerah;"
    )
    assert len(cited) == len(national) + 2
    # No definition cites a formation law for everyone any more.
    assert not any("Pembentukan" in text for text in national)


def test_a_decree_without_the_formation_law_is_refused() -> None:
    for laws in ([], ["  "]):
        with pytest.raises(ValidationFailed) as refused:
            formation_law_required(_agency(formation_laws=laws))
        [reason] = refused.value.reasons
        assert reason.code == "documents.no_formation_law"
        assert "Pemerintah Kota Tangerang has no formation law recorded" in str(reason)
    formation_law_required(_agency(formation_laws=[KOTA]))
