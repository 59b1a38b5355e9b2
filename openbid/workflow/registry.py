"""Named guards and actions that workflow definitions refer to.

Definitions name guards and actions as strings; they are resolved here, never by importing a
dotted path (transitions would import anything), and an unknown name fails at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Registry:
    """A table of named callables of one kind ("guard" or "action")."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, Callable[..., Any]] = {}

    def register(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated function under name."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            if name in self._items and self._items[name] is not func:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = func
            return func

        return decorator

    def get(self, name: str) -> Callable[..., Any]:
        """Return the callable registered under name.

        :raises KeyError: when no such name is registered.
        """
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._items)

    @contextmanager
    def temporarily(self, name: str, func: Callable[..., Any]) -> Iterator[None]:
        """Register func under name for the duration of a block (tests, plug-ins)."""
        previous = self._items.get(name)
        self._items[name] = func
        try:
            yield
        finally:
            if previous is None:
                del self._items[name]
            else:
                self._items[name] = previous


GUARDS = Registry("guard")
ACTIONS = Registry("action")
guard = GUARDS.register
action = ACTIONS.register
