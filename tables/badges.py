"""A status as every table shows it: its words and its badge class, ready for the template."""

from __future__ import annotations

from functools import lru_cache

from django.utils.html import escape


def badge(status: str | None) -> dict:
    return _badge(status or "UNKNOWN")


@lru_cache(maxsize=64)
def _badge(status: str) -> dict:
    # A handful of statuses fill every table: each is escaped once here, not once per row,
    # and the rows share its dict (read-only).
    status = status.upper()
    return {"label": escape(status.title()), "css": escape(f"badge badge-{status.lower()}")}
