"""The Indonesian catalogue covers every message in the sources and compiles.

The messages are extracted like `make extract-messages` does (babel.cfg's method map, the same
extra keywords), so a string added to the code or a template without a translation fails here.
"""

from __future__ import annotations

import re
from functools import cache
from io import BytesIO
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "openbid" / "translations" / "id" / "LC_MESSAGES" / "messages.po"
HINT = "run `make extract-messages` and translate them in " + str(PO_FILE.relative_to(ROOT))
# The Makefile's `pybabel extract -k _l -k N_ -k N_plural:1,2 -k lazy_gettext`, on top of
# babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "N_plural": (1, 2), "lazy_gettext": None}
# %(name)s, %(count)d, %(share).1f ...; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER_RE = re.compile(r"%%|%\((\w+)\)[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


@cache
def extracted_ids() -> frozenset[str]:
    """Return the msgids `make extract-messages` finds in openbid/ and templates/."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(ids)


@cache
def catalogue() -> Catalog:
    """Return the Indonesian catalogue as read from its .po file."""
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="id")


def placeholders(text: str) -> set[str]:
    """Return the named placeholders of a message, with their conversion: {'%(count)d'}."""
    return {match.group(0) for match in PLACEHOLDER_RE.finditer(text) if match.group(1)}


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_every_extracted_message_has_an_indonesian_translation() -> None:
    ids = extracted_ids()
    assert "Log in" in ids and "Done: %(action)s." in ids, "extraction found too little"
    missing = []
    for msgid in sorted(ids):
        message = catalogue().get(msgid)
        if message is None or message.fuzzy or not all(_strings(message.string)):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} message(s) without an Indonesian translation; {HINT}:\n"
        + "\n".join(f"  {msgid!r}" for msgid in missing)
    )


def test_workflow_labels_are_extracted() -> None:
    # Views translate state and transition labels of workflows/*.yaml at run time.
    labels = set()
    for path in sorted((ROOT / "workflows").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for machine in raw.get("machines", {}).values():
            for state in machine.get("states", []):
                labels.add(str(state.get("label", state["name"])))
            for transition in machine.get("transitions", []):
                trigger = transition["trigger"]
                labels.add(str(transition.get("label", trigger.replace("_", " "))))
    missing = sorted(labels - extracted_ids())
    assert not missing, (
        "workflow labels that `make extract-messages` would not keep; mark them with N_() in"
        f" babel.cfg (the workflow extractor), then {HINT}:\n"
        + "\n".join(f"  {label!r}" for label in missing)
    )


def test_placeholders_match() -> None:
    wrong = []
    for message in catalogue():
        if not message.id or not any(_strings(message.string)):
            continue
        expected = placeholders(_strings(message.id)[-1])
        for translation in _strings(message.string):
            if placeholders(translation) != expected:
                wrong.append(f"  {message.id!r}\n    -> {translation!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_catalogue_compiles() -> None:
    # What `pybabel compile` does: babel's checkers, then the binary .mo.
    problems = [
        f"  {message.id!r}: {error}" for message, errors in catalogue().check() for error in errors
    ]
    assert not problems, "the catalogue does not pass babel's checks:\n" + "\n".join(problems)
    buffer = BytesIO()
    write_mo(buffer, catalogue())
    buffer.seek(0)
    compiled = read_mo(buffer)
    assert compiled.get("Log in").string == "Masuk"
    translated = [m for m in catalogue() if m.id and m.string and not m.fuzzy]
    assert len(compiled) == len(translated)
