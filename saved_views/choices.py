"""Reading and writing a user's hidden columns."""

from __future__ import annotations

from collections.abc import Iterable

from saved_views.models import ColumnChoice
from tables.catalog import TableDeclaration


def hidden_columns(user, spec: TableDeclaration) -> list[str]:
    """The keys of the columns this user hides, in the table's order; keys of columns the
    table no longer has are ignored."""
    stored = (
        ColumnChoice.objects.filter(user=user, table=spec.key)
        .values_list("hidden", flat=True)
        .first()
    )
    if not stored:
        return []
    return [key for key in spec.column_keys() if key in stored]


def hide_columns(user, spec: TableDeclaration, hidden: Iterable[str]) -> list[str]:
    wanted = set(hidden)
    kept = [key for key in spec.column_keys() if key in wanted]
    ColumnChoice.objects.update_or_create(user=user, table=spec.key, defaults={"hidden": kept})
    return kept
