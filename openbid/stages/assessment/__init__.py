"""The competency assessment stage: results by form or CSV, categories, elimination.

Its guards and actions register on import. The modules:

- ``fields``: the result's fields, their names, and how each value is read;
- ``validity``: the selection's thresholds and how old a result may be;
- ``entry``: who may enter results, when, and the audited save of one candidate's result;
- ``candidates``: the stage's candidates with their results, what is missing, elimination;
- ``csv_file`` and ``csv_import``: the assessment centre's CSV, read and imported.

What other layers may call is what this package exports below.
"""

from openbid.stages.assessment import actions, guards  # noqa: F401 - registers the names
from openbid.stages.assessment.candidates import (
    AssessedCandidate,
    candidates,
    eliminate,
    missing_components,
)
from openbid.stages.assessment.csv_file import (
    COLUMNS,
    IGNORED_COLUMNS,
    TEMPLATE_HEADER,
    ImportFailed,
    LineProblem,
    template_csv,
)
from openbid.stages.assessment.csv_import import ImportReport, import_csv
from openbid.stages.assessment.entry import ASSESSMENT_STAGE, EDIT_ROLES, save_result, state_term
from openbid.stages.assessment.fields import (
    CATEGORY_ABBREVIATIONS,
    CATEGORY_LABELS,
    FIELD_LABELS,
    FIELDS,
    SCORE_FIELDS,
    category_label,
    parse_category,
    parse_centre,
    parse_date,
    parse_fit,
    parse_score,
    parse_value,
)
from openbid.stages.assessment.guards import ELIMINATION_STAGES
from openbid.stages.assessment.validity import (
    AssessmentRules,
    assessment_rules,
    date_problem,
    parse_fields,
)
from openbid.stages.assessment.warnings import unusual_scores

__all__ = [
    "ASSESSMENT_STAGE",
    "AssessedCandidate",
    "AssessmentRules",
    "CATEGORY_ABBREVIATIONS",
    "CATEGORY_LABELS",
    "COLUMNS",
    "EDIT_ROLES",
    "ELIMINATION_STAGES",
    "FIELDS",
    "FIELD_LABELS",
    "IGNORED_COLUMNS",
    "ImportFailed",
    "ImportReport",
    "LineProblem",
    "SCORE_FIELDS",
    "TEMPLATE_HEADER",
    "assessment_rules",
    "candidates",
    "category_label",
    "date_problem",
    "eliminate",
    "import_csv",
    "missing_components",
    "parse_category",
    "parse_centre",
    "parse_date",
    "parse_fields",
    "parse_fit",
    "parse_score",
    "unusual_scores",
    "parse_value",
    "save_result",
    "state_term",
    "template_csv",
]
