"""The documented context types match the samples the templates are tested with."""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime

import pytest

from openbid.documents.contexts import CONTEXTS, template_name
from tests.documents.samples import KINDS, sample_context

pytestmark = pytest.mark.real_pdf  # examines issued PDFs: WeasyPrint and signatures


def _check(value: object, hint: object, path: str) -> None:
    """Assert that ``value`` fits the type ``hint``; recurse into TypedDicts and lists."""
    origin = typing.get_origin(hint)
    if origin in (typing.NotRequired, typing.Required):
        _check(value, typing.get_args(hint)[0], path)
    elif typing.is_typeddict(hint):
        assert isinstance(value, dict), path
        hints = typing.get_type_hints(hint, include_extras=True)
        missing = hint.__required_keys__ - value.keys()
        unknown = value.keys() - hints.keys()
        assert not missing, f"{path}: missing {sorted(missing)}"
        assert not unknown, f"{path}: undocumented {sorted(unknown)}"
        for key, item in value.items():
            _check(item, hints[key], f"{path}.{key}")
    elif origin is list:
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            _check(item, typing.get_args(hint)[0], f"{path}[{i}]")
    elif origin is dict:
        assert isinstance(value, dict), path
    elif origin in (typing.Union, types.UnionType):
        assert any(_fits(value, option) for option in typing.get_args(hint)), path
    elif origin is typing.Literal:
        assert value in typing.get_args(hint), path
    elif hint is float:
        assert isinstance(value, int | float) and not isinstance(value, bool), path
    elif hint is date:
        assert isinstance(value, date), path
    else:
        assert isinstance(value, hint), f"{path}: {value!r} is not {hint}"


def _fits(value: object, hint: object) -> bool:
    """Whether ``value`` fits ``hint``."""
    try:
        _check(value, hint, "")
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_sample_matches_its_documented_context(kind: str) -> None:
    _check(sample_context(kind), CONTEXTS[kind], kind)


@pytest.mark.parametrize("kind", KINDS)
def test_context_is_serialisable(kind: str) -> None:
    def encode(value: object) -> str:
        assert isinstance(value, date | datetime), type(value)
        return value.isoformat()

    json.dumps(sample_context(kind), default=encode)


@pytest.mark.parametrize("kind", KINDS)
def test_template_documents_its_context_keys(kind: str) -> None:
    from openbid.documents.render import TEMPLATES_DIR

    head = (TEMPLATES_DIR / template_name(kind)).read_text().split("-#}", 1)[0]
    base = {"agency", "number", "issued_at", "verification_code", "verify_url", "signed"}
    base |= {"chain_seq", "chain_hash"}
    for key in typing.get_type_hints(CONTEXTS[kind]).keys() - base:
        assert f"\n    {key} " in head, f"{kind}: {key} not described in the template"


def test_unknown_kind() -> None:
    with pytest.raises(KeyError, match="unknown document kind"):
        sample_context("memo")
    with pytest.raises(KeyError, match="unknown document kind"):
        template_name("memo")


def test_samples_are_fresh_copies() -> None:
    first = sample_context("decree")
    first["appointees"].clear()
    assert sample_context("decree")["appointees"]
