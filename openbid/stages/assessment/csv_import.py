"""Importing an assessment centre's CSV: all rows or none.

The steps: read the file (``csv_file.read_sheet``), check every row and match it by NIP to
an eligible candidate of the selection, then write the results, store the file and audit
the import in one transaction. Any bad row rejects the whole file, and every problem is
listed with its line number.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from openbid import audit, storage
from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationState,
    AssessmentResult,
    Position,
    Selection,
    StoredFile,
    User,
)
from openbid.rules.reasons import N_, Reason
from openbid.stages.assessment.candidates import application_nips
from openbid.stages.assessment.csv_file import ImportFailed, LineProblem, Sheet, read_sheet
from openbid.stages.assessment.entry import (
    apply_values,
    check_entry,
    flush_results,
    reused_result,
    state_term,
)
from openbid.stages.assessment.fields import blank
from openbid.stages.assessment.validity import AssessmentRules, assessment_rules, parse_fields

#: One row's values for one candidate, to be written once every row is good.
Planned = tuple[Application, dict[str, Any]]


@dataclass
class ImportReport:
    """What an import did."""

    rows: int  # data rows read
    changed: int  # applications whose results changed
    file: StoredFile | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)


def import_csv(selection: Selection, actor: User, file_bytes: bytes, filename: str) -> ImportReport:
    """Import assessment results from an assessment centre's CSV, all rows or none.

    The file: UTF-8 (with or without BOM), separated by commas or semicolons, a header row
    naming the columns (see ``COLUMNS``), one row per candidate matched by NIP to an
    eligible application of this selection. Empty cells leave a value unchanged. Any bad
    row rejects the whole file and every problem is listed with its line number.

    :raises Forbidden: when the actor may not enter results for this selection.
    :raises ValidationFailed: outside the competency assessment.
    :raises ImportFailed: listing every problem; nothing is written.
    """
    check_entry(selection, actor)
    # The name goes into the audit trail: printable characters only (PostgreSQL refuses NUL).
    filename = "".join(c for c in filename if c.isprintable())[:200] or "import.csv"
    sheet = read_sheet(file_bytes, int(current_app.config["UPLOAD_MAX_BYTES"]))
    rules = assessment_rules(selection)
    planned, data_rows = check_rows(selection, sheet, rules)
    changes = write_results(selection, actor, planned, rules, f"import:{filename}"[:200])
    stored = storage.store(db.session, file_bytes, "text/csv")
    flush_results()
    audit.append(
        db.session,
        event="assessment_results_imported",
        actor=actor,
        subject_type="selection",
        subject_id=selection.id,
        selection_id=selection.id,
        payload={
            "filename": filename,
            "sha256": hashlib.sha256(file_bytes).hexdigest(),
            "rows": data_rows,
            "changes": changes,
        },
    )
    db.session.commit()
    return ImportReport(rows=data_rows, changed=len(changes), file=stored, changes=changes)


# --- Checking the rows ------------------------------------------------------------------------


def check_rows(
    selection: Selection, sheet: Sheet, rules: AssessmentRules
) -> tuple[list[Planned], int]:
    """Check every data row; return what to write and how many data rows there are.

    :raises ImportFailed: listing every problem of every row; nothing is written.
    """
    index = _nip_index(selection)
    problems: list[LineProblem] = []
    first_line_of: dict[str, int] = {}
    planned: list[Planned] = []
    data_rows = 0
    for line, row in sheet.rows:
        if not any(cell.strip() for cell in row):
            continue
        data_rows += 1
        if len(row) > len(sheet.header):
            problems.append(LineProblem(line, _too_many_values(row, sheet)))
            continue
        cells = sheet.cells(row)
        cells.pop("name", None)  # for the reader only: rows are matched by NIP
        matches, match_problems = _match(selection, index, first_line_of, line, cells.pop("nip"))
        values, value_problems = parse_fields(
            {name: value for name, value in cells.items() if not blank(value)}, rules
        )
        problems.extend(LineProblem(line, p) for p in match_problems + value_problems)
        planned.extend((application, values) for application in matches)
    if not data_rows and not problems:
        problems.append(
            LineProblem(
                None,
                Reason("assessment_import.no_rows", N_("The file has a header but no rows.")),
            )
        )
    if problems:
        raise ImportFailed(problems)
    return planned, data_rows


def _too_many_values(row: list[str], sheet: Sheet) -> Reason:
    """Return the problem of a row longer than the header (a decimal comma, usually)."""
    values = {"count": len(row), "columns": len(sheet.header)}
    if sheet.delimiter == ",":
        return Reason(
            "assessment_import.too_many_values",
            N_(
                "The line has %(count)d values but the header has %(columns)d; in a"
                ' file separated by commas, a decimal comma needs quotes ("78,5")'
                " or the file can be separated by semicolons."
            ),
            values,
        )
    return Reason(
        "assessment_import.too_many_values",
        N_("The line has %(count)d values but the header has %(columns)d."),
        values,
    )


# --- Matching a row to a candidate --------------------------------------------------------------


def _nip_index(selection: Selection) -> dict[str, list[Application]]:
    """Return every submitted application of the selection by its candidate's NIP."""
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(Position.selection_id == selection.id, Application.submitted_at.is_not(None))
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Application.id)
        )
    )
    nips = application_nips(applications)
    index: dict[str, list[Application]] = defaultdict(list)
    for a in applications:
        key = re.sub(r"\s", "", nips[a.id])
        if key:
            index[key].append(a)
    return index


def _match(
    selection: Selection,
    index: dict[str, list[Application]],
    first_line_of: dict[str, int],
    line: int,
    cell: str,
) -> tuple[list[Application], list[Reason]]:
    """Return the eligible applications a row's NIP names, and why it names none.

    ``first_line_of`` remembers the line each NIP was first seen on, to report a repeat.
    """
    nip, problem = _nip_key(cell)
    if nip is None:
        return [], [problem]
    problems: list[Reason] = []
    if nip in first_line_of:
        problems.append(
            Reason(
                "assessment_import.duplicate_nip",
                N_("The NIP %(nip)s was already on line %(first)d."),
                {"nip": nip, "first": first_line_of[nip]},
            )
        )
    else:
        first_line_of[nip] = line
    found = index.get(nip, [])
    matches = [a for a in found if a.state == ApplicationState.ELIGIBLE]
    if not found:
        problems.append(
            Reason(
                "assessment_import.unknown_nip",
                N_("No applicant of this selection has the NIP %(nip)s."),
                {"nip": nip},
            )
        )
    elif not matches:
        problems.append(_not_a_candidate(selection, found[0], nip))
    return matches, problems


def _not_a_candidate(selection: Selection, application: Application, nip: str) -> Reason:
    return Reason(
        "assessment_import.not_eligible",
        N_(
            "%(name)s (NIP %(nip)s) is not a candidate in the competency"
            " assessment: the application is %(state)s."
        ),
        {
            "name": application.candidate.name,
            "nip": nip,
            "state": state_term(selection, application.state),
        },
    )


def _nip_key(value: str) -> tuple[str | None, Reason | None]:
    """Return the NIP's 18 digits from a cell as a spreadsheet may write it, or the problem."""
    text = value.strip().strip("'").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    if re.match(r"^\d+([.,]\d+)?[eE]\+?\d+$", text):
        return None, Reason(
            "assessment_import.nip_scientific",
            N_(
                "The NIP %(value)s was turned into a number by the spreadsheet; format the NIP"
                " column as text and export the file again."
            ),
            {"value": text},
        )
    digits = re.sub(r"[\s.]", "", text)
    if not digits:
        return None, Reason("assessment_import.nip_missing", N_("The NIP is empty."))
    if not digits.isdigit() or len(digits) != 18:
        return None, Reason(
            "assessment_import.nip_shape",
            N_("%(value)s is not an NIP: an NIP has 18 digits."),
            {"value": text},
        )
    return digits, None


# --- Writing the results ------------------------------------------------------------------------


def write_results(
    selection: Selection,
    actor: User,
    planned: Sequence[Planned],
    rules: AssessmentRules,
    source: str,
) -> list[dict[str, Any]]:
    """Set each planned row's values on its candidate's result; return what changed."""
    existing = {
        r.application_id: r
        for r in db.session.scalars(
            sa.select(AssessmentResult).where(
                AssessmentResult.application_id.in_([a.id for a, _ in planned])
            )
        )
    }
    changes = []
    for application, values in planned:
        result, before, after = apply_values(
            application, existing.get(application.id), values, actor, rules, source
        )
        if after:
            existing[application.id] = result
            changes.append(
                {
                    "application_id": application.id,
                    "candidate": application.candidate.name,
                    "reused_result": reused_result(after, selection),
                    "before": before,
                    "after": after,
                }
            )
    return changes
