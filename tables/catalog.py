"""Every list of the dashboard, declared once: its key, its page, its columns in the order its
header shows them, who may see it, and the words the one table component
(tables/component.py) draws around it. Every table here has hideable columns and saved views.

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
    # The same person the customers page calls a customer; its stored key stays.
    Column("Customer", "customer_name", key="delegating-party"),
    Column("Status", "revoked"),
    Column("Permissions"),
    Column("Per transaction", "per_transaction_cents", css="num"),
    Column("Expires", "expires_at"),
    Column("Created", "created_at"),
    Column("Id", "agent_delegation_id"),
)

REVIEW_COLUMNS = (
    Column("Agent", "agent_name"),
    Column("Customer", "customer_name"),
    Column("Permissions"),
    Column("Per transaction", "per_transaction_cents", css="num"),
    Column("Expires", "expires_at"),
    Column("Created", "created_at"),
    Column("Review"),
)

CUSTOMER_COLUMNS = (
    Column("Customer", "name"),
    Column("Delegation", "delegation_status"),
    Column("Permissions"),
    Column("Agents (per-transaction limit)", key="agents"),
    Column("Created", "created_at"),
    Column("Id", "party_id"),
)

# The logs are local tables: each sorts by any column that holds one value.
AUDIT_COLUMNS = (
    Column("When", "created_at"),
    Column("Actor", "actor"),
    Column("Action", "action"),
    Column("Target"),
    Column("State", "state"),
    Column("Attempts", "attempts", css="num"),
    Column("Key", "key"),
)

REQUEST_COLUMNS = (
    Column("When", "created_at"),
    Column("Method", "method"),
    Column("Path", "path"),
    Column("Status", "status", css="num"),
    Column("Time", "duration_ms", css="num"),
    Column("Attempt", "attempt", css="num"),
    Column("Support id and error", "support_id", key="support-id"),
    Column("Idempotency key", "idempotency_key"),
)

SECURITY_COLUMNS = (
    Column("When", "at"),
    Column("Event", "kind"),
    Column("User", "username"),
    Column("Actor", "actor"),
    Column("Address", "ip_address"),
    Column("Detail"),
)

# Saved views of every table: a view's own table is one of its columns, and a filter.
SAVED_VIEW_COLUMNS = (
    Column("Name", "name"),
    Column("Table", "table"),
    Column("Owner", "owner"),
    Column("Shared", "shared"),
    Column("Filters and columns", key="holds"),
    Column("Changed", "updated_at"),
)


@dataclass(frozen=True)
class TableDeclaration:
    key: str
    label: str
    url_name: str
    columns: Sequence[Column]
    # Who may see the table, and so its views and its columns.
    permission: str = roles.VIEW
    # The id of the region htmx swaps, and the page around it.
    target: str = ""
    page_template: str = ""
    # The page's heading, one of its rows ("invitation"), and the words of an empty table.
    heading: str = ""
    noun: str = "row"
    empty: str = "Nothing here yet."
    # The search box every table has: its label and an example of what it finds.
    search_label: str = "Search"
    search_placeholder: str = ""
    # A table read from Natural's live list until a question needs the read model.
    live: bool = False
    # What a sort link's title adds ("from the local copy").
    sort_note: str = ""
    export_url_name: str = ""

    @property
    def rows(self) -> str:
        """The template of this table's own cells (its one region)."""
        return f"tables/rows/{self.key}.html"

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission)

    def column_keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def url(self, query: str = "") -> str:
        return reverse(self.url_name) + (f"?{query}" if query else "")


LOCAL_COPY = " (from the local copy)"

DECLARED = {
    table.key: table
    for table in (
        TableDeclaration(
            "customers",
            "Customers",
            "customer-list",
            CUSTOMER_COLUMNS,
            target="customers-table",
            page_template="browse/customer_list.html",
            heading="Customers",
            noun="customer",
            search_label="Search by name, email or id",
            search_placeholder="name, email, pty_…",
            live=True,
            sort_note=LOCAL_COPY,
            export_url_name="customer-export",
        ),
        TableDeclaration(
            "agent_invitations",
            "Agent invitations",
            "invitation-list",
            AGENT_INVITATION_COLUMNS,
            target="invitations-table",
            page_template="browse/invitation_list.html",
            heading="Invitations",
            noun="invitation",
            search_placeholder="part of an email, agent or id",
            live=True,
            sort_note=LOCAL_COPY,
            export_url_name="invitation-export",
        ),
        TableDeclaration(
            "delegation_invitations",
            "Delegation invitations",
            "delegation-invitation-list",
            DELEGATION_INVITATION_COLUMNS,
            target="delegation-invitations-table",
            page_template="browse/delegation_invitation_list.html",
            heading="Invitations",
            noun="delegation invitation",
            search_placeholder="part of an email or id",
            live=True,
            sort_note=LOCAL_COPY,
            export_url_name="delegation-invitation-export",
        ),
        TableDeclaration(
            "agent_delegations",
            "Agent delegations",
            "delegation-list",
            DELEGATION_COLUMNS,
            target="delegations-table",
            page_template="browse/delegation_list.html",
            heading="Agent delegations",
            noun="delegation",
            search_placeholder="part of a name or id",
            live=True,
            sort_note=LOCAL_COPY,
            export_url_name="delegation-export",
        ),
        TableDeclaration(
            "review_queue",
            "Review queue",
            "delegation-review",
            REVIEW_COLUMNS,
            permission=roles.REVIEW,
            target="review-table",
            page_template="operations/review_queue.html",
            heading="Review delegations",
            noun="delegation",
            search_placeholder="part of a name or id",
            export_url_name="delegation-review-export",
        ),
        TableDeclaration(
            "audit_log",
            "Audit log",
            "audit-list",
            AUDIT_COLUMNS,
            permission=roles.AUDIT,
            target="audit-table",
            page_template="operations/audit_list.html",
            heading="Audit log",
            noun="entry",
            empty="Nothing recorded yet.",
            search_placeholder="key, adi_, adl_, pty_, email, comment",
            export_url_name="audit-entries-export",
        ),
        TableDeclaration(
            "natural_requests",
            "Natural requests",
            "natural-requests",
            REQUEST_COLUMNS,
            permission=roles.AUDIT,
            target="natural-requests-table",
            page_template="browse/natural_requests.html",
            heading="Natural requests",
            noun="request",
            empty="No request to Natural yet.",
            search_placeholder="path, support id, key or error",
            export_url_name="natural-requests-export",
        ),
        TableDeclaration(
            "security_log",
            "Security events",
            "security_log",
            SECURITY_COLUMNS,
            permission=roles.SECURITY_LOG,
            target="security-table",
            page_template="accounts/security_log.html",
            heading="Security log",
            noun="event",
            empty="No security event yet.",
            search_placeholder="username, address or detail",
            export_url_name="security-log-export",
        ),
        TableDeclaration(
            "saved_views",
            "Saved views",
            "saved-view-list",
            SAVED_VIEW_COLUMNS,
            target="saved-views-table",
            page_template="saved_views/manage.html",
            heading="Saved views",
            noun="view",
            empty="No saved view yet: save one from the “Save view…” menu above any table.",
            search_placeholder="name, owner, table or filter",
            export_url_name="saved-view-export",
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
