"""One time budget per page: all the reads a request makes of Natural share it.

A request starts its budget (the read timeout plus NATURAL_API_RETRY_BUDGET); the client cuts
every read attempt to what is left, and starts none once it is spent. Calls run side by side
in the fan-out pool share their request's budget (the pool copies the context)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_deadline: ContextVar[float | None] = ContextVar("natural_page_deadline", default=None)


def page_seconds() -> float:
    return settings.NATURAL_API_READ_TIMEOUT + settings.NATURAL_API_RETRY_BUDGET


@contextmanager
def page_budget(now: float, seconds: float | None = None) -> Iterator[None]:
    """Reads inside share `seconds` (a page's budget by default) from `now` on."""
    token = _deadline.set(now + (page_seconds() if seconds is None else seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left(now: float) -> float | None:
    """What is left of the current page's budget; None outside any page."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - now
