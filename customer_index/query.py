"""Questions Natural's list endpoints cannot answer, asked of the read model: any sort, filters,
counts, facet counts per filter value, and search by part of an email, name or id (ranked as the
customer search ranks). Every answer carries the freshness of the rows it was computed from.

    answer = query.ask("agent_invitations", filters={"status": ["PENDING"]}, sort="-expires_at")
    answer.count, answer.facets["agent"], answer.rows, answer.freshness.as_of

Bad input (an unknown sort, filter or value) raises QueryError with a message fit for a user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from customer_index import search
from customer_index.models import SyncRun
from customer_index.resources import (
    AGENT_DELEGATIONS,
    AGENT_INVITATIONS,
    CUSTOMERS,
    DELEGATION_INVITATIONS,
    Resource,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_DAYS = 3650
# The permissions Natural documents for delegations and invitations (natural-api.md 1.9).
PERMISSIONS = (
    "payments.read",
    "payments.create",
    "external_accounts.create",
    "wallets.read",
    "wallets.update",
    "party.read",
    "party.update",
)


class QueryError(ValueError):
    """The question cannot be asked as put; the message says what to change."""


# --- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """Equal to one of the chosen values; facet counts per value. `values` maps what a user
    picks to what is stored, when they differ (delegation state: active/revoked)."""

    column: str
    values: Mapping[str, Any] | None = None
    faceted: bool = True

    def condition(self, name: str, raw: Any) -> Q:
        picked = as_list(raw)
        if self.values is None:
            return Q(**{f"{self.column}__in": picked})
        unknown = [value for value in picked if value not in self.values]
        if unknown:
            raise QueryError(
                f"{name} cannot be {unknown[0]!r}: choose from {', '.join(self.values)}."
            )
        return Q(**{f"{self.column}__in": [self.values[value] for value in picked]})

    def facet(self, rows: QuerySet) -> dict[str, int]:
        counted = rows.order_by().values_list(self.column).annotate(n=Count("pk"))
        if self.values is None:
            return dict(sorted(counted, key=lambda pair: (-pair[1], pair[0])))
        label = {stored: picked for picked, stored in self.values.items()}
        found = {label[stored]: n for stored, n in counted}
        return {picked: found.get(picked, 0) for picked in self.values}


@dataclass(frozen=True)
class Permission:
    """Holds every chosen permission; facet counts per known permission, in one scan."""

    column: str = "permission_set"
    faceted: bool = True

    def condition(self, name: str, raw: Any) -> Q:
        condition = Q()
        for permission in as_list(raw):
            if permission not in PERMISSIONS:
                raise QueryError(
                    f"{name} cannot be {permission!r}: choose from {', '.join(PERMISSIONS)}."
                )
            condition &= Q(**{f"{self.column}__contains": f" {permission} "})
        return condition

    def facet(self, rows: QuerySet) -> dict[str, int]:
        counts = rows.order_by().aggregate(
            **{
                f"p{index}": Count("pk", filter=Q(**{f"{self.column}__contains": f" {p} "}))
                for index, p in enumerate(PERMISSIONS)
            }
        )
        return {p: counts[f"p{index}"] for index, p in enumerate(PERMISSIONS)}


@dataclass(frozen=True)
class AtLeast:
    """A number at or above the one given (a limit in cents)."""

    column: str
    faceted: bool = False

    def condition(self, name: str, raw: Any) -> Q:
        return Q(**{f"{self.column}__gte": as_int(name, raw, low=0)})


@dataclass(frozen=True)
class WithinDays:
    """A moment between now and N days from now (expiring within N days)."""

    column: str
    now: Callable[[], datetime] = timezone.now
    faceted: bool = False

    def condition(self, name: str, raw: Any) -> Q:
        days = as_int(name, raw, low=0, high=MAX_DAYS)
        now = self.now()
        return Q(**{f"{self.column}__gte": now, f"{self.column}__lt": now + timedelta(days=days)})


def as_list(raw: Any) -> list:
    values = [raw] if isinstance(raw, str | bool | int) else list(raw)
    if not values:
        raise QueryError("A filter needs at least one value.")
    return values


def as_int(name: str, raw: Any, *, low: int, high: int | None = None) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise QueryError(f"{name} must be {bound}.")
    return value


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    resource: Resource
    text: search.TextSpec
    sortable: tuple[str, ...]
    filters: dict[str, Any] = field(default_factory=dict)
    default_sort: str = "-created_at"


TABLES: dict[str, Table] = {
    table.resource.name: table
    for table in (
        Table(
            CUSTOMERS,
            search.CUSTOMER_TEXT,
            sortable=("name", "email", "created_at", "delegation_status", "party_id"),
            filters={"delegation_status": Choice("delegation_status")},
        ),
        Table(
            AGENT_INVITATIONS,
            search.AGENT_INVITATION_TEXT,
            sortable=(
                "email",
                "agent_name",
                "effective_status",
                "status",
                "per_transaction_cents",
                "expires_at",
                "created_at",
                "updated_at",
                "invitation_id",
            ),
            filters={
                "status": Choice("effective_status"),
                "agent": Choice("agent_id"),
                "permission": Permission(),
                "recipient_type": Choice("recipient_type"),
                "limit_at_least": AtLeast("per_transaction_cents"),
                "expiring_within_days": WithinDays("expires_at"),
            },
        ),
        Table(
            DELEGATION_INVITATIONS,
            search.DELEGATION_INVITATION_TEXT,
            sortable=("email", "status", "expires_at", "created_at", "invitation_id"),
            filters={
                "status": Choice("status"),
                "permission": Permission(),
                "expiring_within_days": WithinDays("expires_at"),
            },
        ),
        Table(
            AGENT_DELEGATIONS,
            search.AGENT_DELEGATION_TEXT,
            sortable=(
                "customer_name",
                "agent_name",
                "per_transaction_cents",
                "expires_at",
                "created_at",
                "updated_at",
                "created_by",
                "revoked",
                "agent_delegation_id",
            ),
            filters={
                "state": Choice("revoked", values={"active": False, "revoked": True}),
                "agent": Choice("agent_id"),
                "permission": Permission(),
                "created_by": Choice("created_by"),
                "limit_at_least": AtLeast("per_transaction_cents"),
                "expiring_within_days": WithinDays("expires_at"),
            },
        ),
    )
}


# --- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    """How current the rows are. `as_of`: the last pass of any kind that completed (recent
    rows are at least this fresh); `complete_as_of`: the last complete full pass (rows Natural
    stopped listing before then are gone from here)."""

    as_of: datetime | None
    complete_as_of: datetime | None
    running: bool

    def age(self, now: datetime | None = None) -> timedelta | None:
        return (now or timezone.now()) - self.as_of if self.as_of else None


@dataclass(frozen=True)
class Answer:
    resource: str
    rows: tuple
    count: int
    facets: dict[str, dict[str, int]]
    offset: int
    limit: int
    sort: str
    freshness: Freshness

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.count

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def freshness(resource: str) -> Freshness:
    passes = SyncRun.objects.filter(resource=resource)
    complete = passes.filter(state=SyncRun.State.COMPLETE).order_by("-finished_at")
    latest = complete.values_list("finished_at", flat=True).first()
    latest_full = complete.filter(mode=SyncRun.Mode.FULL).values_list("finished_at", flat=True)
    return Freshness(
        as_of=latest,
        complete_as_of=latest_full.first(),
        running=passes.filter(state=SyncRun.State.RUNNING).exists(),
    )


def ask(
    resource: str,
    *,
    filters: Mapping[str, Any] | None = None,
    search_for: str = "",
    sort: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
    facets: Iterable[str] | None = None,
) -> Answer:
    """One page of rows, how many match, and facet counts for each faceted filter (with every
    other filter applied, as Django admin's facets count). `facets=()` skips them."""
    table = TABLES.get(resource)
    if table is None:
        raise QueryError(f"There is no table {resource!r}: choose from {', '.join(TABLES)}.")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise QueryError(f"A page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}.")
    offset = max(int(offset), 0)
    conditions = filter_conditions(table, filters or {})
    text = search.normalise(search_for)
    matched = table.resource.model.objects.filter(search.matching(text, table.text))
    chosen = matched.filter(*conditions.values())
    order = ordering(table, sort)
    rows = search.page_of(search.tiers(text, table.text, chosen.order_by(*order)), offset, limit)
    return Answer(
        resource=resource,
        rows=tuple(rows),
        count=chosen.count(),
        facets=facet_counts(table, matched, conditions, facets),
        offset=offset,
        limit=limit,
        sort=",".join(order),
        freshness=freshness(resource),
    )


def filter_conditions(table: Table, filters: Mapping[str, Any]) -> dict[str, Q]:
    conditions = {}
    for name, raw in filters.items():
        if raw in (None, "", [], ()):
            continue
        kind = table.filters.get(name)
        if kind is None:
            raise QueryError(
                f"{table.resource.label.capitalize()} cannot be filtered by {name!r}: "
                f"choose from {', '.join(table.filters)}."
            )
        conditions[name] = kind.condition(name, raw)
    return conditions


def facet_counts(
    table: Table, matched: QuerySet, conditions: dict[str, Q], wanted: Iterable[str] | None
) -> dict[str, dict[str, int]]:
    faceted = [name for name, kind in table.filters.items() if kind.faceted]
    names = faceted if wanted is None else list(wanted)
    for name in names:
        if name not in faceted:
            raise QueryError(
                f"{table.resource.label.capitalize()} have no counts by {name!r}: "
                f"choose from {', '.join(faceted)}."
            )
    counts = {}
    for name in names:
        others = [condition for other, condition in conditions.items() if other != name]
        counts[name] = table.filters[name].facet(matched.filter(*others))
    return counts


def ordering(table: Table, sort: str) -> list[str]:
    """The sort asked for, then newest first, then id: every page has one stable order."""
    order = []
    for part in (sort or table.default_sort).split(","):
        part = part.strip()
        column = part.removeprefix("-")
        if column not in table.sortable:
            raise QueryError(
                f"{table.resource.label.capitalize()} cannot be sorted by {column!r}: "
                f"choose from {', '.join(table.sortable)}."
            )
        if column not in (o.removeprefix("-") for o in order):
            order.append(part)
    for tie_break in ("-created_at", "-id"):
        if tie_break.removeprefix("-") not in (o.removeprefix("-") for o in order):
            order.append(tie_break)
    return order
