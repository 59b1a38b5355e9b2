"""Form fields that parse dates and numbers with messages in openbid's own catalogue.

WTForms' built-in DateField and IntegerField report errors in English only (it ships no
Indonesian catalogue); these fields keep what was typed, parse it, and say what to type.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.widgets import DateInput

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_day(text: str) -> date | None:
    """Return the date in ``2018-12-03`` (date pickers) or ``03-12-2018`` form, else None."""
    text = (text or "").strip()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DMY.match(text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class DayField(StringField):
    """A calendar date; empty means None. Rendered as ``<input type="date">``.

    Browsers show their own picker and the format of the reader's locale; one without date
    inputs shows a text box, which the placeholder and title tell how to fill.
    """

    widget = DateInput()

    def __call__(self, **attributes: object) -> str:
        """Render the input with its format hint."""
        attributes.setdefault("placeholder", "yyyy-mm-dd")
        attributes.setdefault("title", _l("A date, such as 2018-12-03"))
        return super().__call__(**attributes)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the typed date.

        :raises ValueError: when the text is not a date (WTForms shows the message).
        """
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            self.data = parse_day(text)
            if self.data is None:
                raise ValueError(_l("Enter a real date, such as 2018-12-03."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


class WholeNumberField(StringField):
    """A whole number; empty means None."""

    input_type = "number"

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the typed number.

        :raises ValueError: when the text is not a whole number.
        """
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = int(text)
            except ValueError:
                raise ValueError(_l("Enter a whole number, such as 15.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def field_errors(form: object) -> list[str]:
    """Return every error of a form (and its sub-forms) as "Label: message" lines."""
    lines = []
    for field in form:  # type: ignore[attr-defined]
        if hasattr(field, "entries"):  # FieldList
            for number, entry in enumerate(field.entries, start=1):
                for line in field_errors(entry.form if hasattr(entry, "form") else [entry]):
                    lines.append(f"{number}. {line}")
            continue
        for error in field.errors if isinstance(field.errors, list) else []:
            label = field.label.text if field.label else field.name
            lines.append(f"{label}: {error}")
    return lines


def only_required_failed(form: object, required: set[str]) -> bool:
    """Return whether every field that failed to parse is one the service requires.

    A field that failed to parse reaches the service as None; when the service requires
    it, the service is sure to refuse without writing, so the view may still ask it for
    its other reasons and show everything wrong at once.
    """
    failed = {field.short_name for field in form if field.errors}  # type: ignore[attr-defined]
    return failed <= required
