"""Machine-readable, translatable reasons that rules give for their verdicts.

A rule never returns a bare string. It returns a `Reason`: a stable code for programs
and tests, an English template marked with `N_()` so `pybabel extract` finds it, and the
parameters to fill in. Translation happens in the view layer (`Reason.translate`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal


def N_(s: str) -> str:  # babel extracts N_ by default, no config needed
    """Mark a message for babel extraction; translation happens in the view layer."""
    return s


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural message pair for babel extraction (keyword N_plural:1,2)."""
    return singular, plural


class Term(str):
    """A translatable word passed as a Reason parameter, e.g. a document label.

    Wrap a literal as `Term(N_("diploma"))` so it is extracted, and `Reason.translate`
    translates it along with the template.
    """

    __slots__ = ()


@dataclass(frozen=True)
class Reason:
    """Why a rule passed or failed: a code, an English template and its parameters."""

    code: str
    template: str
    # Excluded from the hash so a Reason stays hashable although it holds a dict; still
    # compared, so two reasons with different numbers are different.
    params: Mapping[str, object] = field(default_factory=dict, hash=False, compare=True)
    # With a plural template (from N_plural) the message agrees with the number in
    # params[number]: "1 post has", "2 posts have"; each language picks its own form.
    plural: str | None = None
    number: str = "count"

    def __post_init__(self) -> None:
        # A private copy: later changes to the caller's dict cannot alter the reason.
        object.__setattr__(self, "params", dict(self.params))

    def __str__(self) -> str:
        """Return the English message with its parameters filled in."""
        return self._english() % dict(self.params)

    def _english(self) -> str:
        if self.plural is not None and self.params.get(self.number) != 1:
            return self.plural
        return self.template

    def translate(
        self,
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str] | None = None,
    ) -> str:
        """Return the message translated with `gettext`, including `Term` parameters.

        A plural message goes through `ngettext` (unformatted, as gettext's own); without
        one, the English form for the number is translated with `gettext`.
        """
        params = {key: _translated(value, gettext) for key, value in self.params.items()}
        if self.plural is not None and ngettext is not None:
            number = self.params.get(self.number, 0)
            return ngettext(self.template, self.plural, int(number)) % params  # type: ignore[call-overload]
        return gettext(self._english()) % params

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (code, template, params, English message)."""
        return {
            "code": self.code,
            "template": self.template,
            "params": {key: _jsonable(value) for key, value in self.params.items()},
            "message": str(self),
        }


class Terms(tuple):
    """Several translatable words, shown joined by commas (e.g. the roles allowed)."""

    __slots__ = ()

    def __str__(self) -> str:
        return ", ".join(str(item) for item in self)


def _translated(value: object, gettext: Callable[[str], str]) -> object:
    if isinstance(value, Term):
        return gettext(value)
    if isinstance(value, Terms):
        return ", ".join(gettext(item) if isinstance(item, Term) else str(item) for item in value)
    return value


def _jsonable(value: object) -> object:
    """Return `value` as a JSON scalar: dates in ISO form, Decimals as strings."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (Term, Terms)):
        return str(value)
    return value


def percent_text(fraction: Decimal, places: int | None = None) -> str:
    """Return a fraction as percentage text without trailing zeros: 0.571 -> '57.1'.

    With `places` the value is rounded half up to that many decimals; without, it is
    exact.
    """
    value = fraction * 100
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # normalize() drops trailing zeros; format "f" avoids the exponent form of 1E+2.
    return f"{value.normalize():f}"


class ValidationFailed(Exception):
    """Input was rejected; nothing was written. Reasons say what to fix."""

    status = 422

    def __init__(self, reasons: list[Reason] | Reason) -> None:
        self.reasons = reasons if isinstance(reasons, list) else [reasons]
        super().__init__("; ".join(str(r) for r in self.reasons))
