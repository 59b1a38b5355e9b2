"""The assessment centre's CSV file: its columns, reading it, and the template to fill in.

The file: UTF-8 (with or without BOM), separated by commas, semicolons or tabs, a header row
naming the columns (see ``COLUMNS``), then one row per candidate. Reading it checks the file
as a whole (size, encoding, CSV syntax, the header); the rows are checked by the import.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from openbid.models import Selection
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.assessment.candidates import candidates

# The CSV's columns: the canonical (Indonesian) header, then the English names also accepted.
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("nip",),
    "name": ("nama", "name"),
    "assessment_score": ("nilai_asesmen", "assessment_score"),
    "assessment_category": ("kategori_asesmen", "assessment_category"),
    "assessed_on": ("tanggal_asesmen", "assessment_date", "assessed_on"),
    "assessment_centre": ("lembaga_asesmen", "assessment_centre", "assessment_center"),
    "paper_score": ("nilai_makalah", "paper_score"),
    "track_record_score": ("nilai_rekam_jejak", "track_record_score"),
    "health_fit": ("kesehatan", "health"),
    "psych_fit": ("psikologi", "psychological", "psych"),
}
# Columns an assessment centre's sheet often carries and that mean nothing to the import.
IGNORED_COLUMNS = frozenset({"no", "nomor", "jabatan", "post", "keterangan", "notes"})
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
TEMPLATE_HEADER = [aliases[0] for aliases in COLUMNS.values()]


@dataclass(frozen=True)
class LineProblem:
    """What is wrong on one line of an imported file (line None: the file as a whole)."""

    line: int | None
    reason: Reason


class ImportFailed(ValidationFailed):
    """The CSV has problems; nothing was imported. ``problems`` lists each with its line."""

    def __init__(self, problems: list[LineProblem]) -> None:
        self.problems = problems
        super().__init__([p.reason for p in problems])

    @property
    def lines(self) -> list[int]:
        """Return the numbers of the lines with problems, in order, once each."""
        return sorted({p.line for p in self.problems if p.line is not None})


EMPTY = Reason("assessment_import.empty", N_("The file is empty."))


@dataclass
class Sheet:
    """A CSV file read: its separator, its header and its rows after the header."""

    delimiter: str
    header: list[str]
    columns: dict[int, str]  # the header's position of each known column
    rows: list[tuple[int, list[str]]]  # (line number, cells)

    def cells(self, row: list[str]) -> dict[str, str]:
        """Return a row's cells by column name ("" for a cell the row lacks)."""
        return {name: (row[pos] if pos < len(row) else "") for pos, name in self.columns.items()}


def read_sheet(file_bytes: bytes, limit: int) -> Sheet:
    """Read an uploaded CSV: its separator, its header and its rows, as lines of cells.

    The file as a whole must be usable; its rows are checked by the import.

    :raises ImportFailed: for an empty, too large or non-UTF-8 file, a file that is not CSV,
        or a header with unknown, repeated or missing columns.
    """
    _check_size(file_bytes, limit)
    text = _decode(file_bytes)
    _check_nul(text)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise ImportFailed([LineProblem(None, EMPTY)])
        header_line = reader.line_num
        columns, problems = _parse_header(header)
        if problems:
            raise ImportFailed([LineProblem(header_line, problem) for problem in problems])
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise ImportFailed(
            [
                LineProblem(
                    reader.line_num,
                    Reason(
                        "assessment_import.csv",
                        N_("The file cannot be read as CSV: %(error)s."),
                        {"error": str(error)},
                    ),
                )
            ]
        ) from None
    return Sheet(delimiter, header, columns, rows)


def _check_size(file_bytes: bytes, limit: int) -> None:
    """Refuse an empty file or one over limit bytes.

    :raises ImportFailed: naming the problem.
    """
    if not file_bytes:
        raise ImportFailed([LineProblem(None, EMPTY)])
    if len(file_bytes) > limit:
        raise ImportFailed(
            [
                LineProblem(
                    None,
                    Reason(
                        "assessment_import.too_large",
                        N_("The file is larger than %(limit)s MB."),
                        {"limit": f"{limit / (1024 * 1024):g}"},
                    ),
                )
            ]
        )


def _decode(data: bytes) -> str:
    """Return the file's text.

    :raises ImportFailed: when the file is not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(
            [
                LineProblem(
                    None,
                    Reason(
                        "assessment_import.encoding",
                        N_(
                            'The file is not UTF-8 text; in the spreadsheet save it as "CSV UTF-8".'
                        ),
                    ),
                )
            ]
        ) from None


def _check_nul(text: str) -> None:
    """Refuse a file with NUL characters, naming each line (at most 20) that holds one.

    No text file has them, and PostgreSQL cannot store a cell holding one.

    :raises ImportFailed: for each such line.
    """
    if "\x00" not in text:
        return
    lines = [n for n, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
    raise ImportFailed(
        [
            LineProblem(
                line,
                Reason(
                    "assessment.nul",
                    N_("This line holds a NUL character: save the file again as text (CSV)."),
                ),
            )
            for line in lines[:20]
        ]
    )


def _delimiter(text: str) -> str:
    """Return ';' or ',' (or a tab): whichever separates the header line more often."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-/]+", "_", cell.strip().strip("\ufeff").lower())


def _parse_header(row: list[str]) -> tuple[dict[int, str], list[Reason]]:
    """Return the position of each known column, and what is wrong with the header."""
    columns: dict[int, str] = {}
    problems: list[Reason] = []
    seen: set[str] = set()
    for position, cell in enumerate(row):
        key = _header_key(cell)
        if not key or key in IGNORED_COLUMNS:
            continue
        name = _ALIASES.get(key)
        if name is None:
            problems.append(
                Reason(
                    "assessment_import.unknown_column",
                    N_("The header has an unknown column %(column)s; the columns are %(columns)s."),
                    {"column": cell.strip(), "columns": ", ".join(TEMPLATE_HEADER)},
                )
            )
        elif name in seen:
            problems.append(
                Reason(
                    "assessment_import.duplicate_column",
                    N_("The header has the column %(column)s twice."),
                    {"column": cell.strip()},
                )
            )
        else:
            seen.add(name)
            columns[position] = name
    if "nip" not in seen:
        problems.append(
            Reason(
                "assessment_import.no_nip_column",
                N_("The header has no nip column; rows are matched to candidates by NIP."),
            )
        )
    elif not problems and seen <= {"nip", "name"}:
        problems.append(
            Reason(
                "assessment_import.no_value_columns",
                N_("The header has no result column; see the format below."),
            )
        )
    return columns, problems


def template_csv(selection: Selection) -> bytes:
    """Return a CSV to fill in: the header and one row per eligible candidate (NIP, name).

    Semicolon-separated UTF-8 with a BOM, so a spreadsheet set to Indonesian opens it in
    columns; the NIP is written grouped (``19690512 199403 1 004``) so it stays text.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    for item in candidates(selection):
        writer.writerow(
            [item.nip_formatted, item.application.candidate.name] + [""] * (len(COLUMNS) - 2)
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
