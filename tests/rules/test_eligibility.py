"""Candidate eligibility: PP 11/2017 Pasal 107 as amended, plus announcement extras."""

from dataclasses import replace
from datetime import date

import pytest

from openbid.rules.eligibility import (
    RANK_NAMES,
    REQUIRED_DOCUMENTS,
    CandidateProfile,
    EligibilityParams,
    InvalidRank,
    education_at_least,
    evaluate,
    is_eligible,
    normalize_rank,
    rank_at_least,
    rank_name,
)

REFERENCE = date(2018, 8, 31)
PARAMS = EligibilityParams(reference_date=REFERENCE)

GOOD = CandidateProfile(
    nip="19650817 199003 1 002",
    education="S2",
    rank="IV/b",
    is_pns=True,
    related_experience_years=12,
    years_as_administrator_or_ahli_madya=4,
    performance_ratings=["sangat_baik", "baik"],
    lhkpn_lodged=True,
    own_ppk_approval=True,
    healthy=True,
    documents=frozenset(REQUIRED_DOCUMENTS),
)


def results_for(params=PARAMS, **changes):
    """Evaluate GOOD with `changes` applied."""
    return evaluate(replace(GOOD, **changes), params)


def result(rule, params=PARAMS, **changes):
    """Return the only result of `rule` for GOOD with `changes` applied."""
    (found,) = [r for r in results_for(params, **changes) if r.rule == rule]
    return found


def failures(params=PARAMS, **changes):
    """Return (code, message) of every failed rule."""
    return [(r.reason.code, str(r.reason)) for r in results_for(params, **changes) if not r.passed]


def test_a_good_candidate_is_eligible_on_every_rule():
    results = evaluate(GOOD, PARAMS)
    assert is_eligible(results)
    assert all(r.passed and r.reason is None for r in results)
    assert [r.rule for r in results] == [
        "nip",
        "age",
        "education",
        "rank",
        "pns",
        "related_experience",
        "administrator_years",
        "performance",
        "lhkpn",
        "own_ppk_approval",
        "disciplinary_sanction",
        "disciplinary_examination",
        "health",
        "document.surat_lamaran",
        "document.cv",
        "document.sk_pangkat",
        "document.sk_jabatan",
        "document.ijazah",
        "document.skp",
        "document.lhkpn",
        "document.persetujuan_ppk",
        "document.pernyataan_disiplin",
        "document.surat_sehat",
        "document.pernyataan_nonpartai",
    ]


def test_legal_bases():
    by_rule = {r.rule: r.legal_basis for r in evaluate(GOOD, PARAMS)}
    assert by_rule["nip"] == "Perka BKN 22/2007"
    assert by_rule["education"] == "PP 11/2017 Pasal 107(1)(c)(1), as amended by PP 17/2020"
    assert by_rule["age"] == "PP 11/2017 Pasal 107(1)(c)(6), as amended by PP 17/2020"
    assert by_rule["rank"] == "Selection announcement"
    announced = replace(PARAMS, announcement_basis="Pengumuman Nomor 800/02-Pansel/2018")
    by_rule = {r.rule: r.legal_basis for r in evaluate(GOOD, announced)}
    assert by_rule["document.cv"] == "Pengumuman Nomor 800/02-Pansel/2018"


# --- Age ---------------------------------------------------------------------------------


def test_aged_57_at_the_reference_date():
    assert failures(nip="19610901 198603 1 003", params=replace(PARAMS, max_age=55)) == [
        ("eligibility.age", "Age at 2018-08-31 is 56 years; the maximum is 55.")
    ]
    assert failures(nip="19610831 198603 1 003") == [
        ("eligibility.age", "Age at 2018-08-31 is 57 years; the maximum is 56.")
    ]


def test_turning_57_on_the_reference_date_fails():
    age = result("age", nip="19610831 198603 1 003")
    assert not age.passed
    assert age.reason.params == {"date": REFERENCE, "age": 57, "max_age": 56}


def test_exactly_56_passes():
    # 56th birthday on the reference date.
    assert result("age", nip="19620831 198703 1 003").passed
    # 57th birthday the day after the reference date.
    assert result("age", nip="19610901 198603 1 003").passed


def test_reference_date_is_a_parameter():
    later = replace(PARAMS, reference_date=date(2018, 9, 1))
    assert not result("age", params=later, nip="19610901 198603 1 003").passed


def test_age_unknown_when_the_nip_is_invalid():
    assert failures(nip="19610831 198603 3 000") == [
        ("nip.gender", "Digit 15 (3) must be 1 (male) or 2 (female)."),
        ("nip.serial", "Digits 16-18 (000) are a serial number and cannot be 000."),
        (
            "eligibility.age_unknown",
            "The age cannot be computed because the NIP is not valid.",
        ),
    ]


def test_nip_results_one_per_wrong_part():
    nip_results = [r for r in results_for(nip="1986") if r.rule == "nip"]
    assert [(r.passed, r.reason.code) for r in nip_results] == [(False, "nip.length")]


def test_birth_date_after_the_reference_date():
    assert failures(
        nip="19860926 201505 1 001", params=replace(PARAMS, reference_date=date(1980, 1, 1))
    ) == [
        (
            "eligibility.birth_after_reference",
            "The birth date 1986-09-26 in the NIP is after the reference date 1980-01-01.",
        )
    ]


# --- Education ---------------------------------------------------------------------------


def test_education_below_s1():
    assert failures(education="D3") == [
        (
            "eligibility.education",
            "Education level D3 is below the minimum, S1 or equivalent.",
        )
    ]


@pytest.mark.parametrize("education", ["S1", "D4", "S2", "S3", "s1"])
def test_education_s1_d4_or_higher(education):
    assert result("education", education=education).passed


def test_unknown_education():
    assert failures(education="SMP") == [
        ("eligibility.education_unknown", "SMP is not a known education level.")
    ]


def test_education_ordering():
    assert education_at_least("D4", "S1")
    assert education_at_least("S1", "D4")
    assert not education_at_least("D3", "D4")
    with pytest.raises(ValueError, match="unknown education code 'X'"):
        education_at_least("X", "S1")


# --- Rank --------------------------------------------------------------------------------


def test_rank_below_iv_b():
    assert failures(rank="IV/a") == [
        (
            "eligibility.rank",
            "Rank IV/a (Pembina) is below the minimum, IV/b (Pembina Tingkat I).",
        )
    ]
    assert failures(rank="III/d") == [
        (
            "eligibility.rank",
            "Rank III/d (Penata Tingkat I) is below the minimum, IV/b (Pembina Tingkat I).",
        )
    ]


@pytest.mark.parametrize("rank", ["IV/b", "IV/c", "IV/e", "iv/B", " IV / b "])
def test_rank_iv_b_or_higher(rank):
    assert result("rank", rank=rank).passed


def test_unknown_rank():
    assert failures(rank="V/a") == [("rank.unknown", "V/a is not a rank code such as IV/b.")]
    assert failures(rank="IVb") == [("rank.unknown", "IVb is not a rank code such as IV/b.")]


def test_minimum_rank_is_a_parameter_and_can_be_turned_off():
    papua = replace(PARAMS, min_rank="IV/a")
    assert result("rank", params=papua, rank="IV/a").passed
    off = replace(PARAMS, require_rank=False)
    assert "rank" not in {r.rule for r in results_for(params=off, rank="III/a")}


def test_rank_helpers():
    assert rank_at_least("IV/b", "IV/b")
    assert rank_at_least("IV/c", "IV/b")
    assert not rank_at_least("IV/a", "IV/b")
    assert not rank_at_least("III/d", "IV/a")
    assert rank_at_least("IV/a", "III/d")
    assert rank_name("IV/b") == "Pembina Tingkat I"
    assert rank_name("III/a") == "Penata Muda"
    assert rank_name("IV/e") == "Pembina Utama"
    assert normalize_rank("iii / C") == "III/c"
    assert len(RANK_NAMES) == 17
    assert list(RANK_NAMES)[12:] == ["IV/a", "IV/b", "IV/c", "IV/d", "IV/e"]


@pytest.mark.parametrize("code", ["", "IV", "IV/f", "I/e", "4/b", "V/a"])
def test_invalid_rank_codes(code):
    with pytest.raises(InvalidRank) as caught:
        rank_at_least(code, "IV/b")
    assert caught.value.reason.code == "rank.unknown"
    assert isinstance(caught.value, ValueError)


# --- Other requirements ------------------------------------------------------------------


def test_not_a_civil_servant():
    assert failures(is_pns=False) == [
        ("eligibility.pns", "The applicant is not a civil servant (PNS).")
    ]


def test_related_experience():
    assert failures(related_experience_years=4.5) == [
        (
            "eligibility.related_experience",
            "Related experience is 4.5 years; the minimum is 5.",
        )
    ]
    assert result("related_experience", related_experience_years=5).passed


def test_administrator_years():
    assert failures(years_as_administrator_or_ahli_madya=1.5) == [
        (
            "eligibility.administrator_years",
            "Time as Administrator or Ahli Madya is 1.5 years; the minimum is 2.",
        )
    ]
    assert result("administrator_years", years_as_administrator_or_ahli_madya=2).passed


def test_performance_below_baik():
    assert failures(performance_ratings=["baik", "butuh_perbaikan"]) == [
        (
            "eligibility.performance",
            "The performance ratings of the last 2 years include Butuh Perbaikan"
            " (needs improvement); each must be at least Baik (good).",
        )
    ]


def test_only_the_last_two_ratings_count():
    assert result("performance", performance_ratings=["baik", "baik", "kurang"]).passed


def test_performance_ratings_missing():
    assert failures(performance_ratings=["sangat_baik"]) == [
        (
            "eligibility.performance_missing",
            "Performance ratings are given for 1 of the last 2 years.",
        )
    ]


def test_unknown_performance_rating():
    assert failures(performance_ratings=["baik", "excellent"]) == [
        ("eligibility.performance_unknown", "excellent is not a known performance rating.")
    ]


def test_lhkpn_and_own_ppk_approval():
    assert failures(lhkpn_lodged=False, own_ppk_approval=False) == [
        ("eligibility.lhkpn", "The wealth report (LHKPN/LHKASN) has not been lodged."),
        ("eligibility.own_ppk_approval", "There is no approval from the applicant's own PPK."),
    ]


def test_extras_can_be_turned_off():
    params = replace(
        PARAMS,
        require_pns=False,
        require_performance=False,
        require_lhkpn=False,
        require_own_ppk_approval=False,
        require_clean_discipline=False,
        required_documents=(),
    )
    results = evaluate(
        replace(
            GOOD,
            is_pns=False,
            performance_ratings=[],
            lhkpn_lodged=False,
            own_ppk_approval=False,
            disciplinary_sanction="berat",
            sanction_date=date(2018, 1, 1),
            under_disciplinary_examination=True,
            documents=frozenset(),
        ),
        params,
    )
    assert is_eligible(results)
    assert [r.rule for r in results] == [
        "nip",
        "age",
        "education",
        "rank",
        "related_experience",
        "administrator_years",
        "health",
    ]


# --- Discipline --------------------------------------------------------------------------


def test_moderate_sanction_in_the_last_two_years():
    assert failures(disciplinary_sanction="sedang", sanction_date=date(2017, 5, 2)) == [
        (
            "eligibility.disciplinary_sanction",
            "A moderate (sedang) disciplinary sanction was imposed on 2017-05-02,"
            " within the last 2 years.",
        )
    ]


def test_heavy_sanction_exactly_two_years_before_is_outside_the_period():
    assert result(
        "disciplinary_sanction", disciplinary_sanction="berat", sanction_date=date(2016, 8, 31)
    ).passed
    assert not result(
        "disciplinary_sanction", disciplinary_sanction="berat", sanction_date=date(2016, 9, 1)
    ).passed


def test_light_sanction_does_not_disqualify():
    assert result(
        "disciplinary_sanction", disciplinary_sanction="ringan", sanction_date=date(2018, 8, 1)
    ).passed


def test_lookback_period_is_a_parameter():
    three_years = replace(PARAMS, sanction_lookback_years=3)
    changes = {"disciplinary_sanction": "sedang", "sanction_date": date(2016, 1, 4)}
    assert result("disciplinary_sanction", **changes).passed
    failed = result("disciplinary_sanction", params=three_years, **changes)
    assert str(failed.reason) == (
        "A moderate (sedang) disciplinary sanction was imposed on 2016-01-04,"
        " within the last 3 years."
    )


def test_undated_sanction():
    assert failures(disciplinary_sanction="berat") == [
        (
            "eligibility.disciplinary_sanction_undated",
            "A heavy (berat) disciplinary sanction is recorded without a date, so it"
            " cannot be shown to be older than 2 years.",
        )
    ]


def test_unknown_sanction_level():
    assert failures(disciplinary_sanction="pemecatan", sanction_date=date(2017, 1, 2)) == [
        (
            "eligibility.sanction_unknown",
            "pemecatan is not a known disciplinary sanction level.",
        )
    ]


def test_under_disciplinary_examination():
    assert failures(under_disciplinary_examination=True) == [
        (
            "eligibility.disciplinary_examination",
            "The applicant is under disciplinary examination.",
        )
    ]


def test_sanction_period_from_a_leap_day():
    leap = replace(PARAMS, reference_date=date(2020, 2, 29))
    changes = {"disciplinary_sanction": "sedang", "sanction_date": date(2018, 2, 28)}
    assert result("disciplinary_sanction", params=leap, **changes).passed


# --- Health ------------------------------------------------------------------------------


def test_unhealthy():
    assert failures(healthy=False) == [
        ("eligibility.health", "The applicant was found not physically and mentally healthy.")
    ]


def test_health_not_assessed_yet_passes_with_a_note():
    health = result("health", healthy=None)
    assert health.passed
    assert health.reason.code == "eligibility.health_pending"
    assert str(health.reason) == (
        "Health has not been assessed yet; the health test decides it later."
    )
    # It does not block now, but it is not "met" either: a third outcome.
    assert health.pending and health.outcome == "unchecked"
    assert result("health", healthy=True).outcome == "met"
    assert result("health", healthy=False).outcome == "not_met"


# --- Documents ---------------------------------------------------------------------------


def test_each_missing_document_is_its_own_failure():
    documents = frozenset(REQUIRED_DOCUMENTS) - {"cv", "ijazah"}
    assert failures(documents=documents) == [
        ("eligibility.document_missing", "Missing document: curriculum vitae."),
        ("eligibility.document_missing", "Missing document: diploma."),
    ]
    missing = [r for r in results_for(documents=documents) if not r.passed]
    assert [r.rule for r in missing] == ["document.cv", "document.ijazah"]
    assert missing[0].reason.params["code"] == "cv"


def test_required_documents_are_a_parameter():
    params = replace(PARAMS, required_documents=("surat_lamaran", "cv"))
    results = results_for(params=params, documents={"surat_lamaran", "cv"})
    assert is_eligible(results)
    assert [r.rule for r in results if r.rule.startswith("document.")] == [
        "document.surat_lamaran",
        "document.cv",
    ]


def test_the_document_catalogue():
    assert list(REQUIRED_DOCUMENTS) == [
        "surat_lamaran",
        "cv",
        "sk_pangkat",
        "sk_jabatan",
        "ijazah",
        "skp",
        "lhkpn",
        "persetujuan_ppk",
        "pernyataan_disiplin",
        "surat_sehat",
        "pernyataan_nonpartai",
    ]
    assert REQUIRED_DOCUMENTS["ijazah"].name_id == "Ijazah"
    assert REQUIRED_DOCUMENTS["ijazah"].label == "diploma"


# --- Presidential waiver (Pasal 107(2)) ---------------------------------------------------


def test_waiver_turns_pasal_107_failures_into_recorded_passes():
    results = results_for(
        nip="19610831 198603 1 003",
        education="D3",
        related_experience_years=3,
        years_as_administrator_or_ahli_madya=1,
        healthy=False,
        presidential_waiver=True,
    )
    assert is_eligible(results)
    waived = [r for r in results if r.waived_failure is not None]
    assert [r.rule for r in waived] == [
        "age",
        "education",
        "related_experience",
        "administrator_years",
        "health",
    ]
    age = waived[0]
    assert age.passed
    assert age.reason.code == "eligibility.waived"
    assert str(age.reason) == (
        "Waived with the President's prior approval (PP 11/2017 Pasal 107(2))."
    )
    assert str(age.waived_failure) == "Age at 2018-08-31 is 57 years; the maximum is 56."
    assert age.legal_basis == (
        "PP 11/2017 Pasal 107(1)(c)(6), as amended by PP 17/2020;"
        " PP 11/2017 Pasal 107(2), as amended by PP 17/2020"
    )


def test_waiver_does_not_cover_announcement_extras():
    results = results_for(rank="IV/a", is_pns=False, presidential_waiver=True)
    assert not is_eligible(results)
    assert [r.reason.code for r in results if not r.passed] == [
        "eligibility.rank",
        "eligibility.pns",
    ]


def test_without_waiver_nothing_is_waived():
    assert all(r.waived_failure is None for r in results_for(education="D3"))


# --- Parameters --------------------------------------------------------------------------


def test_params_normalise_codes():
    params = EligibilityParams(reference_date=REFERENCE, min_rank="iv/a", min_education="d4")
    assert params.min_rank == "IV/a"
    assert params.min_education == "D4"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"min_rank": "IV/z"}, InvalidRank, "IV/z is not a rank code"),
        ({"min_education": "SMP"}, ValueError, "unknown education code 'SMP'"),
        ({"required_rating": "good"}, ValueError, "unknown performance rating 'good'"),
        ({"disqualifying_sanctions": ("x",)}, ValueError, "unknown disciplinary sanction"),
        ({"required_documents": ("ktp",)}, ValueError, "unknown document code 'ktp'"),
    ],
)
def test_params_reject_unknown_codes(changes, error, message):
    with pytest.raises(error, match=message):
        EligibilityParams(reference_date=REFERENCE, **changes)


def test_is_eligible():
    assert is_eligible([])
    assert not is_eligible(results_for(is_pns=False))
