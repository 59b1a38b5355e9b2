"""Reasons, their translation, and the package's promises: extractable, pure."""

import ast
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir

from openbid import rules
from openbid.rules.reasons import N_, Reason, Term, percent_text

RULES_DIR = Path(__file__).resolve().parents[2] / "openbid" / "rules"

AGE = Reason(
    "eligibility.age",
    N_("Age at %(date)s is %(age)d years; the maximum is %(max_age)d."),
    {"date": date(2018, 8, 31), "age": 57, "max_age": 56},
)


def test_str_fills_in_the_parameters():
    assert str(AGE) == "Age at 2018-08-31 is 57 years; the maximum is 56."


def test_a_reason_without_parameters():
    reason = Reason("eligibility.pns", N_("The applicant is not a civil servant (PNS)."))
    assert reason.params == {}
    assert str(reason) == "The applicant is not a civil servant (PNS)."


def test_reasons_are_hashable_and_compare_their_parameters():
    same = Reason(AGE.code, AGE.template, {"date": date(2018, 8, 31), "age": 57, "max_age": 56})
    other = Reason(AGE.code, AGE.template, {"date": date(2018, 8, 31), "age": 58, "max_age": 56})
    assert same == AGE
    assert other != AGE
    assert len({AGE, same, other}) == 2


def test_reasons_keep_a_private_copy_of_their_parameters():
    params = {"count": 2}
    reason = Reason("x", "%(count)d", params)
    params["count"] = 3
    assert str(reason) == "2"


def test_translate_translates_the_template_and_term_parameters():
    catalogue = {
        "Missing document: %(document)s (%(code)s).": "Dokumen belum ada: %(document)s (%(code)s).",
        "diploma": "ijazah",
    }
    reason = Reason(
        "eligibility.document_missing",
        "Missing document: %(document)s (%(code)s).",
        {"document": Term("diploma"), "code": "diploma"},
    )
    # Term parameters are translated; plain strings, such as codes and names, are not.
    assert reason.translate(lambda text: catalogue.get(text, text)) == (
        "Dokumen belum ada: ijazah (diploma)."
    )
    assert str(reason) == "Missing document: diploma (diploma)."


def test_as_dict_is_json_ready():
    reason = Reason(
        "x",
        N_("%(when)s %(score)s %(label)s"),
        {"when": date(2018, 8, 31), "score": Decimal("77.61"), "label": Term("paper")},
    )
    data = reason.as_dict()
    assert json.loads(json.dumps(data)) == {
        "code": "x",
        "template": "%(when)s %(score)s %(label)s",
        "params": {"when": "2018-08-31", "score": "77.61", "label": "paper"},
        "message": "2018-08-31 77.61 paper",
    }


def test_percent_text():
    assert percent_text(Decimal(4) / 7, places=1) == "57.1"
    assert percent_text(Decimal("0.45")) == "45"
    assert percent_text(Decimal("1.00")) == "100"
    assert percent_text(Decimal("0.9999")) == "99.99"


# --- Package-wide promises ---------------------------------------------------------------


def _calls(name: str):
    """Yield (file, call) for every call of `name` in openbid/rules."""
    for path in sorted(RULES_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == name
            ):
                yield path.name, node


def test_every_message_is_a_literal_that_babel_extracts():
    literals = []
    for filename, call in _calls("N_"):
        (argument,) = call.args
        assert isinstance(argument, ast.Constant), f"{filename}:{call.lineno}"
        assert isinstance(argument.value, str), f"{filename}:{call.lineno}"
        literals.append(argument.value)
    extracted = [message for _, _, message, _, _ in extract_from_dir(str(RULES_DIR))]
    # reasons.py's own N_ definition holds no literal; everything else is extracted.
    assert sorted(extracted) == sorted(literals)
    assert len(extracted) > 50


def test_every_reason_template_is_marked_for_translation():
    for filename, call in _calls("Reason"):
        template = call.args[1] if len(call.args) > 1 else None
        template = template or next(k.value for k in call.keywords if k.arg == "template")
        # A Name is a template chosen between N_ literals just before the call.
        is_marked = isinstance(template, ast.Name) or (
            isinstance(template, ast.Call) and getattr(template.func, "id", None) == "N_"
        )
        assert is_marked, f"{filename}:{call.lineno}"


class _AnyParams(dict):
    """Answers every placeholder, so formatting tests only the template's syntax."""

    def __missing__(self, key: str) -> int:
        return 1


def test_every_template_formats():
    for _, _, message, _, _ in extract_from_dir(str(RULES_DIR)):
        # Raises on a stray "%" (a percentage must be written "%%").
        message % _AnyParams()


def test_rules_import_only_the_standard_library_and_holidays():
    allowed = set(sys.stdlib_module_names) | {"holidays", "openbid"}
    for path in RULES_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top in allowed, f"{path.name} imports {module}"
                if top == "openbid":
                    assert module.startswith("openbid.rules"), f"{path.name} imports {module}"


def test_the_package_exports_its_main_names():
    assert all(hasattr(rules, name) for name in rules.__all__)
    assert {"parse_nip", "WorkCalendar", "check_composition", "evaluate", "rank"} <= set(
        rules.__all__
    )
