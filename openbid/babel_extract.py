"""A babel extractor for the labels of workflow definitions (workflows/*.yaml).

Views translate state and transition labels at run time; listing this extractor in
babel.cfg lets `make extract-messages` find them, so their translations are never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml


def extract_workflow_labels(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, function, message, comments) for every state and transition label.

    Only the machines are read: approval-gate labels are Indonesian names of letters, shown
    as they are written.
    """
    node = yaml.compose(fileobj.read().decode("utf-8"))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "machines":
                yield from _labels(value)


def _labels(node: yaml.Node) -> Iterator[tuple[int, str | None, str, list[str]]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "label" and isinstance(value, yaml.ScalarNode) and value.value:
                yield value.start_mark.line + 1, None, value.value, ["workflow label"]
            else:
                yield from _labels(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _labels(item)
