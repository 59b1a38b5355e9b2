"""The profile form's fields: their labels, the errors found in them, and reading one value.

Each reader takes the raw form value, records what is wrong with it in a ``ProfileErrors``
under the field's name, and returns the cleaned value (or None), so a whole form is read in
one pass and every problem is shown next to its field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openbid import clock
from openbid.rules.reasons import N_, Reason, Term, ValidationFailed

FIELD_LABELS: dict[str, str] = {
    "name": N_("Full name"),
    "nip": N_("NIP"),
    "birth_place": N_("Place of birth"),
    "phone": N_("Mobile phone"),
    "rank": N_("Rank (golongan)"),
    "education": N_("Education level"),
    "education_major": N_("Field of study"),
    "agency_name": N_("Agency"),
    "current_position": N_("Current position"),
    "current_position_since": N_("In the current position since"),
    "related_experience_years": N_("Years of experience related to the post"),
    "history": N_("Position history"),
    "ratings": N_("Performance ratings"),
    "sanction_level": N_("Disciplinary sanction"),
    "sanction_date": N_("Date of the sanction"),
}


@dataclass
class ProfileErrors:
    """Problems found in a profile form, by field name ("history.2", "ratings.1"...)."""

    by_field: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, reason: Reason) -> None:
        """Record a problem with one field."""
        self.by_field[name].append(reason)

    @property
    def reasons(self) -> list[Reason]:
        """Return every problem, in field order."""
        return [reason for reasons in self.by_field.values() for reason in reasons]


class ProfileInvalid(ValidationFailed):
    """The profile form has problems; ``by_field`` places each next to its field."""

    def __init__(self, errors: ProfileErrors) -> None:
        super().__init__(errors.reasons)
        self.by_field = dict(errors.by_field)


def field_label(name: str) -> Term:
    """Return the label of a field ("history.2" is labelled as "history")."""
    return Term(FIELD_LABELS.get(name.split(".", 1)[0], name))


def required_reason(name: str) -> Reason:
    """Return the reason an empty required field gives."""
    return Reason("profile.required", N_("Enter %(field)s."), {"field": field_label(name)})


def read_text(
    raw: Mapping[str, Any], name: str, errors: ProfileErrors, *, required: bool, limit: int
):
    """Return a text field with its whitespace collapsed, cut to limit characters."""
    value = " ".join(str(raw.get(name) or "").split())
    if required and not value:
        errors.add(name, required_reason(name))
    elif len(value) > limit:
        errors.add(
            name,
            Reason(
                "profile.too_long",
                N_("%(field)s may have at most %(limit)d characters."),
                {"field": field_label(name), "limit": limit},
            ),
        )
    return value[:limit]


def read_date(
    raw_value: object, name: str, errors: ProfileErrors, *, required: bool
) -> date | None:
    """Return a date field (YYYY-MM-DD, not in the future), or None."""
    text = str(raw_value or "").strip()
    if not text:
        if required:
            errors.add(name, required_reason(name))
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.add(
            name,
            Reason(
                "profile.date",
                N_("%(field)s: %(value)s is not a date; use the form YYYY-MM-DD."),
                {"field": field_label(name), "value": text[:20]},
            ),
        )
        return None
    if value > clock.today_jakarta():
        errors.add(
            name,
            Reason(
                "profile.future",
                N_("%(field)s cannot be in the future (%(value)s)."),
                {"field": field_label(name), "value": value.isoformat()},
            ),
        )
        return None
    return value


def read_flag(raw: Mapping[str, Any], name: str) -> bool:
    """Return a checkbox field as a boolean."""
    return str(raw.get(name) or "").strip().lower() in {"1", "y", "yes", "true", "on"}
