"""Selection committee (pansel) composition."""

from dataclasses import replace
from datetime import date

import pytest

from openbid.rules.committee import (
    CommitteeParams,
    MemberInfo,
    PositionLevel,
    check_composition,
)

PRATAMA = PositionLevel.JPT_PRATAMA
PARAMS_2018 = CommitteeParams(on_date=date(2018, 7, 2))
PARAMS_2025 = CommitteeParams(on_date=date(2025, 8, 4))


def internal(name: str, role: str = "member", level: int = PRATAMA) -> MemberInfo:
    """Return a member from the agency itself."""
    return MemberInfo(name, is_internal=True, position_level=level, role=role)


def external(name: str, role: str = "member", bkn: bool = False) -> MemberInfo:
    """Return a member from outside the agency (academic, other agency, BKN)."""
    return MemberInfo(
        name,
        is_internal=False,
        position_level=PositionLevel.OTHER,
        role=role,
        is_bkn_official=bkn,
    )


def committee(internal_count: int, external_count: int) -> list[MemberInfo]:
    """Return a committee with an internal chair and an external secretary."""
    members = [internal("Dadi Budaeri", role="chair")]
    members += [internal(f"Internal {i}") for i in range(2, internal_count + 1)]
    members += [external("Prof. Ade Ruhyat", role="secretary")]
    members += [external(f"External {i}") for i in range(2, external_count + 1)]
    return members


def explain(members, post_level=PRATAMA, params=PARAMS_2018):
    """Return (code, message) of every composition failure."""
    return [(reason.code, str(reason)) for reason in check_composition(members, post_level, params)]


@pytest.mark.parametrize(("internal_count", "external_count"), [(2, 3), (3, 4), (4, 5)])
def test_valid_committees(internal_count, external_count):
    assert explain(committee(internal_count, external_count)) == []


def test_the_demo_committee_of_seven_with_three_internal_is_valid():
    members = committee(3, 4)
    assert len(members) == 7
    assert check_composition(members, PRATAMA, PARAMS_2018) == []


def test_even_size():
    assert explain(committee(2, 4)) == [
        (
            "committee.size_even",
            "The committee has 6 members; it must have an odd number.",
        )
    ]


def test_too_small():
    assert explain(committee(1, 2)) == [
        (
            "committee.size_range",
            "The committee has 3 members; it must have between 5 and 9.",
        )
    ]


def test_too_large_and_even():
    assert explain(committee(4, 6)) == [
        (
            "committee.size_even",
            "The committee has 10 members; it must have an odd number.",
        ),
        (
            "committee.size_range",
            "The committee has 10 members; it must have between 5 and 9.",
        ),
    ]


def test_four_internal_of_seven_is_too_many():
    assert explain(committee(4, 3)) == [
        (
            "committee.internal_share",
            "4 of the 7 members are internal (57.1%); at most 45% may be internal.",
        )
    ]


def test_three_internal_of_five_is_too_many():
    assert [code for code, _ in explain(committee(3, 2))] == ["committee.internal_share"]


def test_four_internal_of_nine_is_allowed():
    # 44.4%: just under the limit.
    assert explain(committee(4, 5)) == []


def test_internal_member_below_the_post_level():
    members = committee(3, 4)
    members[1] = internal("Drs. Budi Santoso", level=PositionLevel.ADMINISTRATOR)
    assert explain(members) == [
        (
            "committee.internal_level",
            "Internal member Drs. Budi Santoso is at position level Administrator,"
            " below the level of the post (JPT Pratama).",
        )
    ]


def test_each_internal_member_below_the_post_level_is_named():
    members = committee(3, 4)
    members[1] = internal("Budi", level=PositionLevel.ADMINISTRATOR)
    members[2] = internal("Sri", level=PositionLevel.OTHER)
    messages = [message for code, message in explain(members)]
    assert messages == [
        "Internal member Budi is at position level Administrator, below the level of"
        " the post (JPT Pratama).",
        "Internal member Sri is at position level below Administrator, below the level"
        " of the post (JPT Pratama).",
    ]


def test_a_more_senior_internal_member_is_fine():
    members = committee(3, 4)
    members[1] = internal("Sekda", level=PositionLevel.JPT_MADYA)
    assert explain(members) == []


def test_external_members_have_no_level_requirement():
    assert explain(committee(2, 3), post_level=PositionLevel.JPT_MADYA) == [
        (
            "committee.internal_level",
            "Internal member Dadi Budaeri is at position level JPT Pratama, below the"
            " level of the post (JPT Madya).",
        ),
        (
            "committee.internal_level",
            "Internal member Internal 2 is at position level JPT Pratama, below the"
            " level of the post (JPT Madya).",
        ),
    ]


def test_position_levels_are_ordered():
    assert (
        PositionLevel.OTHER
        < PositionLevel.ADMINISTRATOR
        < PositionLevel.JPT_PRATAMA
        < PositionLevel.JPT_MADYA
        < PositionLevel.JPT_UTAMA
    )
    assert PositionLevel.JPT_PRATAMA == 2
    assert PositionLevel(3).label == "JPT Madya"


def test_no_chair():
    members = [replace(member, role="member") for member in committee(2, 3)]
    members[4] = replace(members[4], role="secretary")
    assert explain(members) == [
        (
            "committee.chair_count",
            "The committee has 0 chairs; it must have exactly one.",
        )
    ]


def test_two_chairs_and_two_secretaries():
    members = committee(2, 3)
    members[1] = replace(members[1], role="chair")
    members[3] = replace(members[3], role="secretary")
    assert explain(members) == [
        (
            "committee.chair_count",
            "The committee has 2 chairs; it must have exactly one.",
        ),
        (
            "committee.secretary_count",
            "The committee has 2 secretaries; it may have at most one.",
        ),
    ]


def test_a_secretary_is_optional():
    members = [
        replace(member, role="member") if member.role == "secretary" else member
        for member in committee(2, 3)
    ]
    assert explain(members) == []


def test_unknown_role():
    members = committee(2, 3)
    members[4] = replace(members[4], role="treasurer")
    assert explain(members) == [
        (
            "committee.role_unknown",
            "Member External 3 has the unknown role treasurer; use chair, secretary or member.",
        )
    ]


def test_bkn_official_allowed_before_july_2025():
    members = committee(2, 3)
    members[4] = external("Kepala Kanreg III BKN", bkn=True)
    assert explain(members, params=PARAMS_2018) == []
    assert explain(members, params=CommitteeParams(on_date=date(2025, 6, 30))) == []


def test_bkn_official_refused_from_july_2025():
    members = committee(2, 3)
    members[4] = external("Kepala Kanreg III BKN", bkn=True)
    expected = [
        (
            "committee.bkn_official",
            "Kepala Kanreg III BKN is a BKN official; since 2025-07-01 BKN officials do"
            " not sit on selection committees.",
        )
    ]
    assert explain(members, params=CommitteeParams(on_date=date(2025, 7, 1))) == expected
    assert explain(members, params=PARAMS_2025) == expected


def test_bkn_cutoff_is_configurable_and_can_be_turned_off():
    members = committee(2, 3)
    members[4] = external("BKN", bkn=True)
    earlier = CommitteeParams(
        on_date=date(2024, 1, 2), bkn_officials_excluded_from=date(2024, 1, 1)
    )
    assert [code for code, _ in explain(members, params=earlier)] == ["committee.bkn_official"]
    off = CommitteeParams(on_date=date(2025, 8, 4), bkn_officials_excluded_from=None)
    assert explain(members, params=off) == []


def test_limits_are_parameters():
    params = CommitteeParams(
        on_date=date(2018, 7, 2), min_size=3, max_size=5, max_internal_share=0.5
    )
    assert explain(committee(1, 2), params=params) == []
    assert explain(committee(3, 2), params=params) == [
        (
            "committee.internal_share",
            "3 of the 5 members are internal (60%); at most 50% may be internal.",
        )
    ]


def test_empty_committee_reports_size_and_chair_only():
    assert [code for code, _ in explain([])] == [
        "committee.size_even",
        "committee.size_range",
        "committee.chair_count",
    ]


def test_every_failure_is_reported_at_once():
    members = committee(4, 2)  # 6 members, 4 internal
    members[1] = internal("Budi", level=PositionLevel.ADMINISTRATOR)
    members[5] = external("BKN", bkn=True)
    codes = [code for code, _ in explain(members, params=PARAMS_2025)]
    assert codes == [
        "committee.size_even",
        "committee.internal_share",
        "committee.internal_level",
        "committee.bkn_official",
    ]
