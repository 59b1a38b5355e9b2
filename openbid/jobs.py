"""The seam for work too slow for a web request: long documents, later email.

Today every job runs inline, in the caller's process and transaction context. When
documents of hundreds of candidates or large audit trails make requests slow, this is the
one place to hand the work to a real queue (RQ or Celery on Redis): enqueue ``func`` with
its arguments, return a job whose ``done`` is False, and let the caller show "being
prepared". State transitions never go through here: a transition's documents are issued
inside its own transaction, so a failed render rolls the transition back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Job(Generic[T]):
    """A unit of work handed to run_or_enqueue: finished (with its result) or pending."""

    name: str
    done: bool
    result: T | None = None


def run_or_enqueue(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> Job[T]:
    """Run ``func(*args, **kwargs)`` now and return the finished job.

    :raises Exception: whatever ``func`` raises, unchanged (inline runs fail loudly).
    """
    return Job(
        name=getattr(func, "__qualname__", repr(func)), done=True, result=func(*args, **kwargs)
    )
