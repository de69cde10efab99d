"""The tables whose columns can be hidden and whose questions can be saved.

Each names its page and its Column tuple (by import path: the table views import this app,
not the other way round)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.module_loading import import_string

from dashboard import roles

# Where in the list, not which list: a saved view always opens at its first page.
PLACE_PARAMETERS = frozenset({"cursor", "offset", "trail"})
QUERY_MAX = 2000
PARAMETER_NAME = re.compile(r"^[a-z_]{1,40}$")
# static/css/app.css has a `table.hide-col-N` rule for each N up to this.
MAX_COLUMN_POSITION = 14


@dataclass(frozen=True)
class TableSpec:
    key: str
    label: str
    url_name: str
    columns_path: str
    # Who may see the table, and so its views and its columns.
    permission: str = roles.VIEW

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission)

    def columns(self) -> Sequence:
        return import_string(self.columns_path)

    def column_keys(self) -> list[str]:
        return [column.key for column in self.columns()]

    def url(self, query: str = "") -> str:
        return reverse(self.url_name) + (f"?{query}" if query else "")


TABLES = {
    spec.key: spec
    for spec in (
        TableSpec(
            "agent_invitations",
            "Agent invitations",
            "invitation-list",
            "delegations.views.invitations.AGENT_INVITATION_COLUMNS",
        ),
        TableSpec(
            "delegation_invitations",
            "Delegation invitations",
            "delegation-invitation-list",
            "delegations.views.invitations.DELEGATION_INVITATION_COLUMNS",
        ),
        TableSpec(
            "agent_delegations",
            "Agent delegations",
            "delegation-list",
            "delegations.views.agent_delegations.DELEGATION_COLUMNS",
        ),
        TableSpec(
            "review_queue",
            "Review queue",
            "delegation-review",
            "operations.views.review.REVIEW_COLUMNS",
            permission=roles.REVIEW,
        ),
    )
}


def table_or_404(key: str | None, user=None) -> TableSpec:
    """The table by its key; with a user, only a table that user may see."""
    try:
        spec = TABLES[key or ""]
    except KeyError:
        raise Http404("No such table.") from None
    if user is not None and not spec.allowed(user):
        raise PermissionDenied("You cannot see this table.")
    return spec


def tables_for(user) -> list[str]:
    return [key for key, spec in TABLES.items() if spec.allowed(user)]


def view_query(query: str) -> str:
    """The part of a table's query string a view keeps: filters, sort and page size, in the
    order given; the page position and empty values are dropped."""
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=False)
        if name not in PLACE_PARAMETERS and PARAMETER_NAME.match(name)
    ]
    return urlencode(kept)


def same_query(first: str, second: str) -> bool:
    return sorted(parse_qsl(first)) == sorted(parse_qsl(second))
