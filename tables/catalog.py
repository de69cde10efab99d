"""Every table whose columns can be hidden and whose questions can be saved: its key, its page,
its columns in the order its header shows them, and who may see it.

The select checkbox before the columns and the row actions after them are never hideable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from dashboard import roles
from tables.columns import Column

AGENT_INVITATION_COLUMNS = (
    Column("Recipient", "email"),
    Column("Agent", "agent_name"),
    Column("Status", "effective_status"),
    Column("Permissions"),
    Column("Per transaction", "per_transaction_cents", css="num"),
    Column("Expires", "expires_at"),
    Column("Created", "created_at"),
    Column("Id", "invitation_id"),
)

DELEGATION_INVITATION_COLUMNS = (
    Column("Customer email", "email"),
    Column("Status", "status"),
    Column("Permissions"),
    Column("Expires", "expires_at"),
    Column("Created", "created_at"),
    Column("Id", "invitation_id"),
)

DELEGATION_COLUMNS = (
    Column("Agent", "agent_name"),
    Column("Delegating party", "customer_name"),
    Column("Status", "revoked"),
    Column("Permissions"),
    Column("Per transaction", "per_transaction_cents", css="num"),
    Column("Expires", "expires_at"),
    Column("Created", "created_at"),
    Column("Id", "agent_delegation_id"),
)

REVIEW_COLUMNS = (
    Column("Agent"),
    Column("Customer"),
    Column("Permissions"),
    Column("Per transaction", css="num"),
    Column("Expires"),
    Column("Created"),
    Column("Review"),
)


@dataclass(frozen=True)
class TableDeclaration:
    key: str
    label: str
    url_name: str
    columns: Sequence[Column]
    # Who may see the table, and so its views and its columns.
    permission: str = roles.VIEW

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission)

    def column_keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def url(self, query: str = "") -> str:
        return reverse(self.url_name) + (f"?{query}" if query else "")


DECLARED = {
    table.key: table
    for table in (
        TableDeclaration(
            "agent_invitations", "Agent invitations", "invitation-list", AGENT_INVITATION_COLUMNS
        ),
        TableDeclaration(
            "delegation_invitations",
            "Delegation invitations",
            "delegation-invitation-list",
            DELEGATION_INVITATION_COLUMNS,
        ),
        TableDeclaration(
            "agent_delegations", "Agent delegations", "delegation-list", DELEGATION_COLUMNS
        ),
        TableDeclaration(
            "review_queue",
            "Review queue",
            "delegation-review",
            REVIEW_COLUMNS,
            permission=roles.REVIEW,
        ),
    )
}


def declared_or_404(key: str | None, user=None) -> TableDeclaration:
    """The table by its key; with a user, only a table that user may see."""
    try:
        table = DECLARED[key or ""]
    except KeyError:
        raise Http404("No such table.") from None
    if user is not None and not table.allowed(user):
        raise PermissionDenied("You cannot see this table.")
    return table


def tables_for(user) -> list[str]:
    return [key for key, table in DECLARED.items() if table.allowed(user)]
