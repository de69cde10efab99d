"""The bar above a table: its saved views, its columns, and "Save view…".

Hidden columns are hidden by classes on the table's region (`hide-col-N`, one static CSS rule
per position), so the row markup stays the same whatever a user hides and costs nothing per
row. The region's element sits outside the part htmx swaps: a swapped page of rows keeps the
classes, and never has to read the user's choice again."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Q
from django.http import HttpRequest

from saved_views.choices import hidden_columns
from saved_views.models import SavedView
from saved_views.queries import MAX_COLUMN_POSITION, same_query, view_query
from tables.catalog import DECLARED, tables_for


def visible_views(user, table: str | None):
    """The user's own views of a table (of every table the user may see with None) and those
    others share with the team."""
    views = SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")
    return views.filter(table=table) if table else views.filter(table__in=tables_for(user))


class ViewBar:
    """Built once per table request; nothing is read from the database until the whole page
    draws the bar and the region, which the htmx partial of the rows never does."""

    def __init__(self, request: HttpRequest, table: str, *, leading: int = 0) -> None:
        self.spec = DECLARED[table]
        self.table = table
        self.user = request.user
        # Cells before the first Column (the select checkbox), never hideable.
        self.leading = leading
        self.query = view_query(request.GET.urlencode())

    @cached_property
    def hidden(self) -> list[str]:
        return hidden_columns(self.user, self.spec)

    @cached_property
    def region_class(self) -> str:
        """ " hide-col-3 hide-col-6": appended to the table region's own classes."""
        positions = [
            index + 1 + self.leading
            for index, column in enumerate(self.spec.columns)
            if column.key in self.hidden
        ]
        return "".join(f" hide-col-{p}" for p in positions if p <= MAX_COLUMN_POSITION)

    @cached_property
    def columns(self) -> list[dict]:
        return [
            {"key": column.key, "label": column.label, "shown": column.key not in self.hidden}
            for column in self.spec.columns
        ]

    @cached_property
    def saved(self) -> list[SavedView]:
        return list(visible_views(self.user, self.table))

    @cached_property
    def current(self) -> SavedView | None:
        """The saved view this page is showing, if any: the same question, the same columns."""
        keys, hidden = set(self.spec.column_keys()), set(self.hidden)
        return next(
            (
                view
                for view in self.saved
                if same_query(view.query, self.query) and set(view.hidden) & keys == hidden
            ),
            None,
        )
