"""Named guards and actions that workflow definitions refer to.

Definitions name guards and actions as strings; they are resolved here, never by importing a
dotted path (transitions would import anything), and an unknown name fails at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class Registry:
    """A table of named callables of one kind ("guard" or "action")."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, Callable[..., Any]] = {}
        self._audit_free: set[str] = set()

    def register(
        self, name: str, *, audit_free: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated function under name.

        ``audit_free``: it neither reads nor writes the audit trail (no event, no chain head,
        no query of either), so fire() may append the transition's event after it runs.
        """

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            if name in self._items and self._items[name] is not func:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = func
            if audit_free:
                self._audit_free.add(name)
            return func

        return decorator

    def audit_free(self, names: Iterable[str]) -> bool:
        """Return whether every one of names was registered ``audit_free``."""
        return all(name in self._audit_free for name in names)

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
        """Register func under name for the duration of a block (tests, plug-ins).

        The stand-in is not ``audit_free``, whatever the function it replaces was.
        """
        previous = self._items.get(name)
        free = name in self._audit_free
        self._items[name] = func
        self._audit_free.discard(name)
        try:
            yield
        finally:
            if previous is None:
                del self._items[name]
            else:
                self._items[name] = previous
            if free:
                self._audit_free.add(name)


GUARDS = Registry("guard")
ACTIONS = Registry("action")
guard = GUARDS.register
action = ACTIONS.register
