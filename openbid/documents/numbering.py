"""Document numbers from an agency's numbering pattern (formatting only).

A pattern is text with placeholders in braces, e.g. ``821.2/KPTS.{seq}/BKPSDM.3/{year}``
→ ``821.2/KPTS.94/BKPSDM.3/2020``. Placeholders:

- ``{seq}`` the sequence number from the gapless yearly counter (required); a width may
  be given, ``{seq:02d}`` → ``04`` or ``{seq:3}`` → ``  4``;
- ``{year}`` the four-digit year (required);
- ``{month}`` the month number, ``{month:02d}`` → ``11``;
- ``{roman_month}`` the month in Roman numerals → ``XI``;
- ``{kind}`` the document kind's code, e.g. ``KPTS`` or ``Pansel``;
- any name the caller passes in ``extra``, e.g. ``{unit}`` → ``BKPSDM.3``.

Literal braces are written doubled: ``{{`` and ``}}``. The counter itself lives with the
database code; this module only turns its values into text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from openbid.documents.formatting import romawi

NUMBER_FIELDS = frozenset({"seq", "year", "month"})
TEXT_FIELDS = frozenset({"roman_month", "kind"})
REQUIRED_FIELDS = ("seq", "year")
_NUMBER_SPEC = re.compile(r"0?([1-9][0-9]?)?d?")
_EMPTY: Mapping[str, object] = MappingProxyType({})


def _parse(pattern: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """Split a pattern into (literal, name, spec, conversion) parts.

    :raises ValueError: when the braces do not pair up.
    """
    try:
        return list(string.Formatter().parse(pattern))
    except ValueError as error:
        raise ValueError(f"numbering pattern {pattern!r} is malformed: {error}") from None


def placeholders(pattern: str) -> list[str]:
    """List the placeholder names of a pattern in order of appearance.

    :raises ValueError: when the braces do not pair up.
    """
    return [name for _, name, _, _ in _parse(pattern) if name is not None]


def validate_pattern(pattern: str, *, extra: Iterable[str] = ()) -> None:
    """Check a numbering pattern; ``extra`` names the caller's own placeholders.

    :raises ValueError: naming the first problem: malformed braces, an unknown
        placeholder, a format a placeholder cannot take, or a missing {seq} or {year}.
    """
    extra_names = frozenset(extra)
    known = NUMBER_FIELDS | TEXT_FIELDS | extra_names
    for _, name, spec, conversion in _parse(pattern):
        if name is None:
            continue
        if name == "":
            raise ValueError(
                f"numbering pattern {pattern!r} has an empty placeholder {{}}; "
                f"name it, e.g. {{seq}}"
            )
        if name not in known:
            raise ValueError(
                f"unknown placeholder {{{name}}} in numbering pattern {pattern!r}; "
                f"known placeholders: {', '.join(sorted(known))}"
            )
        if conversion:
            raise ValueError(
                f"placeholder {{{name}!{conversion}}} in numbering pattern {pattern!r}: "
                f"conversions are not supported"
            )
        if name in NUMBER_FIELDS:
            if not _NUMBER_SPEC.fullmatch(spec or ""):
                raise ValueError(
                    f"placeholder {{{name}:{spec}}} in numbering pattern {pattern!r}: "
                    f"only a width is allowed, like {{{name}:02d}}"
                )
        elif spec:
            raise ValueError(
                f"placeholder {{{name}:{spec}}} in numbering pattern {pattern!r}: "
                f"{{{name}}} takes no format"
            )
    names = placeholders(pattern)
    for required in REQUIRED_FIELDS:
        if required not in names:
            raise ValueError(f"numbering pattern {pattern!r} must contain {{{required}}}")


def format_number(
    pattern: str,
    *,
    seq: int,
    year: int,
    month: int,
    kind_code: str = "",
    extra: Mapping[str, object] = _EMPTY,
) -> str:
    """Fill a numbering pattern, e.g. ``800/{seq:02d}-Pansel/{year}`` → ``800/04-Pansel/2021``.

    :raises ValueError: when the pattern is invalid, a value is out of range, or the
        pattern uses ``{kind}`` without a ``kind_code``.
    """
    validate_pattern(pattern, extra=extra.keys())
    if seq < 1:
        raise ValueError(f"sequence number must be 1 or more, not {seq}")
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1 to 12, not {month}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, not {year}")
    if "kind" in placeholders(pattern) and not kind_code:
        raise ValueError(f"numbering pattern {pattern!r} uses {{kind}}: give a kind_code")
    clash = extra.keys() & (NUMBER_FIELDS | TEXT_FIELDS)
    if clash:
        raise ValueError(f"extra values may not replace {', '.join(sorted(clash))}")
    return pattern.format(
        **extra,
        seq=seq,
        year=year,
        month=month,
        roman_month=romawi(month),
        kind=kind_code,
    )
