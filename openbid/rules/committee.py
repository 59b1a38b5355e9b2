"""Selection committee (pansel) composition, checked before the plan goes for approval.

Sources: KASN guidance on pansel composition (odd number, 5 to 9 members, at most 45%
internal, internal members at least at the level of the post) and BKN's 2025 decision to
stop seating its officials on pansels (regulation-notes.md section 2).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import IntEnum
from typing import Literal

from openbid.rules.reasons import N_, Reason, Term, percent_text

Role = Literal["chair", "secretary", "member"]
ROLES: tuple[Role, ...] = ("chair", "secretary", "member")

# Since July 2025 BKN supervises selections and no longer sits on committees.
BKN_OFFICIALS_EXCLUDED_FROM = date(2025, 7, 1)


class PositionLevel(IntEnum):
    """Position levels in ascending seniority; compare with <, >=."""

    OTHER = 0  # below Administrator: Pengawas, Pelaksana, functional posts, outsiders
    ADMINISTRATOR = 1  # former echelon III
    JPT_PRATAMA = 2  # former echelon II: the posts openbid fills
    JPT_MADYA = 3  # former echelon I, e.g. a provincial Sekda
    JPT_UTAMA = 4

    @property
    def label(self) -> Term:
        """Return the level's name for messages."""
        return POSITION_LEVEL_LABELS[self]


POSITION_LEVEL_LABELS: dict[PositionLevel, Term] = {
    PositionLevel.OTHER: Term(N_("below Administrator")),
    PositionLevel.ADMINISTRATOR: Term(N_("Administrator")),
    PositionLevel.JPT_PRATAMA: Term(N_("JPT Pratama")),
    PositionLevel.JPT_MADYA: Term(N_("JPT Madya")),
    PositionLevel.JPT_UTAMA: Term(N_("JPT Utama")),
}


# The rules a recorded exception may override (with its justification, for the oversight
# body to judge). The roles are the committee's structure and BKN's withdrawal is the law:
# neither is waived.
OVERRIDABLE_RULES: dict[str, str] = {
    "committee.size_even": N_("Odd number of members"),
    "committee.size_range": N_("Number of members"),
    "committee.internal_share": N_("Share of internal members"),
    "committee.internal_level": N_("Internal members' position level"),
}


def waive(reasons: Sequence[Reason], excepted: Iterable[str]) -> list[Reason]:
    """Return the reasons no recorded exception covers (by rule code)."""
    covered = set(excepted)
    return [reason for reason in reasons if reason.code not in covered]


@dataclass(frozen=True)
class MemberInfo:
    """One committee member as the composition rules see them."""

    name: str
    is_internal: bool  # from the agency holding the selection
    position_level: int  # a PositionLevel value
    role: Role
    is_bkn_official: bool = False


@dataclass(frozen=True)
class CommitteeParams:
    """Limits for a committee; `on_date` is the date the committee is formed."""

    on_date: date
    min_size: int = 5
    max_size: int = 9
    require_odd_size: bool = True
    max_internal_share: Decimal = Decimal("0.45")
    # None turns the BKN rule off.
    bkn_officials_excluded_from: date | None = BKN_OFFICIALS_EXCLUDED_FROM

    def __post_init__(self) -> None:
        """Hold the share as an exact Decimal even when configured as a float (0.45)."""
        share = self.max_internal_share
        if not isinstance(share, Decimal):
            object.__setattr__(self, "max_internal_share", Decimal(str(share)))


def check_composition(
    members: Sequence[MemberInfo], post_level: int, params: CommitteeParams
) -> list[Reason]:
    """Return every reason the committee is not properly composed; empty when it is."""
    return [
        *_check_size(len(members), params),
        *_check_internal_share(members, params),
        *_check_internal_levels(members, PositionLevel(post_level)),
        *_check_roles(members),
        *_check_bkn_officials(members, params),
    ]


def _check_size(size: int, params: CommitteeParams) -> list[Reason]:
    """Return reasons when the committee size is even or out of range."""
    reasons = []
    if params.require_odd_size and size % 2 == 0:
        reasons.append(
            Reason(
                "committee.size_even",
                N_("The committee has %(size)d members; it must have an odd number."),
                {"size": size},
            )
        )
    if not params.min_size <= size <= params.max_size:
        reasons.append(
            Reason(
                "committee.size_range",
                N_(
                    "The committee has %(size)d members; it must have between"
                    " %(min_size)d and %(max_size)d."
                ),
                {
                    "size": size,
                    "min_size": params.min_size,
                    "max_size": params.max_size,
                },
            )
        )
    return reasons


def _check_internal_share(members: Sequence[MemberInfo], params: CommitteeParams) -> list[Reason]:
    """Return a reason when internal members exceed the allowed share."""
    size = len(members)
    internal = sum(1 for member in members if member.is_internal)
    # Multiply, not divide: exact in Decimal, so 4 of 9 (44.4%) cannot round over 45%.
    if size == 0 or internal <= params.max_internal_share * size:
        return []
    return [
        Reason(
            "committee.internal_share",
            N_(
                "%(internal)d of the %(size)d members are internal (%(share)s%%);"
                " at most %(max_share)s%% may be internal."
            ),
            {
                "internal": internal,
                "size": size,
                "share": percent_text(Decimal(internal) / size, places=1),
                "max_share": percent_text(params.max_internal_share),
            },
        )
    ]


def _check_internal_levels(
    members: Iterable[MemberInfo], post_level: PositionLevel
) -> list[Reason]:
    """Return a reason for each internal member below the level of the post."""
    return [
        Reason(
            "committee.internal_level",
            N_(
                "Internal member %(name)s is at position level %(member_level)s, below"
                " the level of the post (%(post_level)s)."
            ),
            {
                "name": member.name,
                "member_level": PositionLevel(member.position_level).label,
                "post_level": post_level.label,
            },
        )
        for member in members
        if member.is_internal and member.position_level < post_level
    ]


def _check_roles(members: Sequence[MemberInfo]) -> list[Reason]:
    """Return reasons for unknown roles, no or several chairs, or two secretaries."""
    reasons = [
        Reason(
            "committee.role_unknown",
            N_("Member %(name)s has the unknown role %(role)s; use chair, secretary or member."),
            {"name": member.name, "role": member.role},
        )
        for member in members
        if member.role not in ROLES
    ]
    chairs = sum(1 for member in members if member.role == "chair")
    if chairs != 1:
        reasons.append(
            Reason(
                "committee.chair_count",
                N_("The committee has %(count)d chairs; it must have exactly one."),
                {"count": chairs},
            )
        )
    secretaries = sum(1 for member in members if member.role == "secretary")
    if secretaries > 1:
        reasons.append(
            Reason(
                "committee.secretary_count",
                N_("The committee has %(count)d secretaries; it may have at most one."),
                {"count": secretaries},
            )
        )
    return reasons


def _check_bkn_officials(members: Iterable[MemberInfo], params: CommitteeParams) -> list[Reason]:
    """Return a reason for each BKN official once BKN no longer sits on committees."""
    cutoff = params.bkn_officials_excluded_from
    if cutoff is None or params.on_date < cutoff:
        return []
    return [
        Reason(
            "committee.bkn_official",
            N_(
                "%(name)s is a BKN official; since %(cutoff)s BKN officials do not sit"
                " on selection committees."
            ),
            {"name": member.name, "cutoff": cutoff},
        )
        for member in members
        if member.is_bkn_official
    ]
