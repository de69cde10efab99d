"""A table's columns and its sortable headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.utils.text import slugify


@dataclass(frozen=True)
class Column:
    label: str
    # The read model's sort key; empty for a column that cannot be sorted.
    sort: str = ""
    css: str = ""
    # Names the column in stored choices (hidden columns, saved views): keep it when the
    # label changes. Defaults to the label, slugified.
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", slugify(self.label))


def headers(columns: Sequence[Column], current: str) -> list[dict]:
    """Each column's header: the sort its link asks for next, and aria-sort when it is the
    current order (a second click on the sorted column reverses it)."""
    shown = []
    for column in columns:
        aria_sort, next_sort = "", column.sort
        if column.sort and current == column.sort:
            aria_sort, next_sort = "ascending", f"-{column.sort}"
        elif column.sort and current == f"-{column.sort}":
            aria_sort = "descending"
        shown.append({**column.__dict__, "aria_sort": aria_sort, "next_sort": next_sort})
    return shown


def checked_sort(sort: str, sortable) -> str:
    """The sort asked for, when a column offers it (a leading “-” sorts descending)."""
    sort = sort.strip()
    if sort and sort.removeprefix("-") not in sortable:
        raise forms.ValidationError(
            f"“{sort}” is not a column to sort by: choose one of "
            f"{', '.join(sortable)} (a leading “-” sorts descending)."
        )
    return sort
