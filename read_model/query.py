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

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from natural.records import DELEGATION_PERMISSIONS
from read_model import counts, search
from read_model.models import SyncRun, fold
from read_model.resources import (
    AGENT_DELEGATIONS,
    AGENT_INVITATIONS,
    CUSTOMERS,
    DELEGATION_INVITATIONS,
    Resource,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The furthest a page may start: well past any list, and inside every database's integers.
MAX_OFFSET = 1_000_000_000
MAX_DAYS = 3650
# Above this many matches a page is read by walking the sort order (see sorted_first).
SORT_FIRST = 2_000
# A search walks the sort order, testing each row's text, when a page is met within about
# this many rows (all rows / matches per row sought); else it reads every text-index match.
WALK_BUDGET = 20_000


class QueryError(ValueError):
    """The question cannot be asked as put; the message says what to change."""


# --- filters ---------------------------------------------------------------------------------
#
# Each filter narrows the rows (`condition`, a Q) and, when it can, a group of the count summary
# (`predicate`, on one group's values). Faceted ones also count per value from groups (`facet`).


@dataclass(frozen=True)
class Choice:
    """Equal to one of the chosen values; facet counts per value. `values` maps what a user
    picks to what is stored, when they differ (delegation state: active/revoked)."""

    column: str
    values: Mapping[str, Any] | None = None
    faceted: bool = True
    # Grouped by in the count summary (see ListSchema.dimensions).
    summarised: bool = True

    def stored(self, name: str, raw: Any) -> list:
        picked = as_list(raw)
        if self.values is None:
            return picked
        unknown = [value for value in picked if value not in self.values]
        if unknown:
            raise QueryError(
                f"{name} cannot be {unknown[0]!r}: choose from {', '.join(self.values)}."
            )
        return [self.values[value] for value in picked]

    def condition(self, name: str, raw: Any, column: str = "") -> Q:
        return Q(**{f"{column or self.column}__in": self.stored(name, raw)})

    def predicate(self, name: str, raw: Any) -> Callable[[dict], bool]:
        wanted = set(self.stored(name, raw))
        return lambda group: group[self.column] in wanted

    def facet(self, groups: Iterable[dict]) -> dict[str, int]:
        counted: dict[Any, int] = {}
        for group in groups:
            counted[group[self.column]] = counted.get(group[self.column], 0) + group["n"]
        if self.values is None:
            return dict(sorted(counted.items(), key=lambda pair: (-pair[1], str(pair[0]))))
        return {picked: counted.get(stored, 0) for picked, stored in self.values.items()}


@dataclass(frozen=True)
class Permission:
    """Holds every chosen permission; facet counts per known permission."""

    column: str = "permission_set"
    faceted: bool = True
    summarised: bool = True

    def chosen(self, name: str, raw: Any) -> list[str]:
        permissions = as_list(raw)
        for permission in permissions:
            if permission not in DELEGATION_PERMISSIONS:
                known = ", ".join(DELEGATION_PERMISSIONS)
                raise QueryError(f"{name} cannot be {permission!r}: choose from {known}.")
        return permissions

    def condition(self, name: str, raw: Any, column: str = "") -> Q:
        condition = Q()
        for permission in self.chosen(name, raw):
            condition &= Q(**{f"{column or self.column}__contains": f" {permission} "})
        return condition

    def predicate(self, name: str, raw: Any) -> Callable[[dict], bool]:
        wanted = [f" {permission} " for permission in self.chosen(name, raw)]
        return lambda group: all(p in group[self.column] for p in wanted)

    def facet(self, groups: Iterable[dict]) -> dict[str, int]:
        delimited = {permission: f" {permission} " for permission in DELEGATION_PERMISSIONS}
        counts = dict.fromkeys(DELEGATION_PERMISSIONS, 0)
        for group in groups:
            held = group[self.column]
            for permission, needle in delimited.items():
                if needle in held:
                    counts[permission] += group["n"]
        return counts


@dataclass(frozen=True)
class AtLeast:
    """A number at or above the one given (a limit in cents); no number never qualifies."""

    column: str
    faceted: bool = False
    summarised: bool = True

    def condition(self, name: str, raw: Any, column: str = "") -> Q:
        return Q(**{f"{column or self.column}__gte": as_int(name, raw, low=0)})

    def predicate(self, name: str, raw: Any) -> Callable[[dict], bool]:
        least = as_int(name, raw, low=0)
        return lambda group: group[self.column] is not None and group[self.column] >= least


@dataclass(frozen=True)
class Equals:
    """Equal to one value, such as one customer's id: too many distinct values for the count
    summary to group by, so it narrows the rows themselves (an index serves it).

    `folded`: the column is a folded copy (see models.fold), and the value is folded the same
    way, so the whole value matches whatever its letters' case, as Natural's email filter
    matches: never a part of it (that is the search's)."""

    column: str
    folded: bool = False
    faceted: bool = False
    summarised: bool = False

    def condition(self, name: str, raw: Any, column: str = "") -> Q:
        values = as_list(raw)
        if self.folded:
            values = [fold(str(value)) for value in values]
        return Q(**{f"{column or self.column}__in": values})

    def predicate(self, name: str, raw: Any) -> None:
        return None


@dataclass(frozen=True)
class WithinDays:
    """A moment between now and N days from now (expiring within N days). Time moves, so
    the count summary cannot answer it: it narrows the rows themselves."""

    column: str
    now: Callable[[], datetime] = timezone.now
    faceted: bool = False
    summarised: bool = False

    def condition(self, name: str, raw: Any, column: str = "") -> Q:
        days = as_int(name, raw, low=0, high=MAX_DAYS)
        now = self.now()
        column = column or self.column
        return Q(**{f"{column}__gte": now, f"{column}__lt": now + timedelta(days=days)})

    def predicate(self, name: str, raw: Any) -> None:
        return None


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
class ListSchema:
    resource: Resource
    text: search.TextSpec
    # What a user sorts by -> the column that orders it (text sorts on its folded, indexed copy).
    sortable: dict[str, str]
    filters: dict[str, Any] = field(default_factory=dict)
    default_sort: str = "-created_at"

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The columns the count summary groups by: every column a summary predicate reads."""
        columns = []
        for kind in self.filters.values():
            if kind.summarised and kind.column not in columns:
                columns.append(kind.column)
        return tuple(columns)


def plain(*columns: str) -> dict[str, str]:
    return {column: column for column in columns}


SCHEMAS: dict[str, ListSchema] = {
    table.resource.name: table
    for table in (
        ListSchema(
            CUSTOMERS,
            search.CUSTOMER_TEXT,
            sortable={
                "name": "name_folded",
                "email": "email_folded",
                **plain("created_at", "delegation_status", "party_id"),
            },
            filters={"delegation_status": Choice("delegation_status")},
        ),
        ListSchema(
            AGENT_INVITATIONS,
            search.AGENT_INVITATION_TEXT,
            sortable={
                "email": "email_folded",
                "agent_name": "agent_name_folded",
                **plain(
                    "effective_status",
                    "status",
                    "per_transaction_cents",
                    "expires_at",
                    "created_at",
                    "updated_at",
                    "invitation_id",
                ),
            },
            filters={
                "status": Choice("effective_status"),
                "agent": Choice("agent_id"),
                # Natural's `customerEmail`: the whole address, case-insensitively.
                "email": Equals("email_folded", folded=True),
                "permission": Permission(),
                "recipient_type": Choice("recipient_type"),
                "limit_at_least": AtLeast("per_transaction_cents"),
                "expiring_within_days": WithinDays("expires_at"),
            },
        ),
        ListSchema(
            DELEGATION_INVITATIONS,
            search.DELEGATION_INVITATION_TEXT,
            sortable={
                "email": "email_folded",
                **plain("status", "expires_at", "created_at", "invitation_id"),
            },
            filters={
                "status": Choice("status"),
                "permission": Permission(),
                "expiring_within_days": WithinDays("expires_at"),
            },
        ),
        ListSchema(
            AGENT_DELEGATIONS,
            search.AGENT_DELEGATION_TEXT,
            sortable={
                "customer_name": "customer_name_folded",
                "agent_name": "agent_name_folded",
                **plain(
                    "per_transaction_cents",
                    "expires_at",
                    "created_at",
                    "updated_at",
                    "created_by",
                    "revoked",
                    "agent_delegation_id",
                ),
            },
            filters={
                "state": Choice("revoked", values={"active": False, "revoked": True}),
                "agent": Choice("agent_id"),
                "permission": Permission(),
                "created_by": Choice("created_by"),
                "party": Equals("customer_party_id"),
                "delegation": Equals("delegation_id"),
                "limit_at_least": AtLeast("per_transaction_cents"),
                "expiring_within_days": WithinDays("expires_at"),
            },
        ),
    )
}


def rebuild_counts(resource: str) -> None:
    """Store the resource's count summary as the rows stand now (a pass just completed)."""
    table = SCHEMAS[resource]
    counts.store(resource, counts.group(table.resource.model.objects.all(), table.dimensions))


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
    # Read with the rows, not derived from the count, which stands as of the last pass.
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def freshness(resource: str) -> Freshness:
    passes = SyncRun.objects.filter(resource=resource)
    complete = passes.filter(state=SyncRun.State.COMPLETE).order_by("-finished_at")
    # A webhook event refreshes the rows it names, not the list: it does not date the rest.
    latest = complete.exclude(mode=SyncRun.Mode.EVENT).values_list("finished_at", flat=True)
    latest = latest.first()
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
    other filter applied, as Django admin's facets count). `facets=()` skips them.

    Counts come from one grouping of the matching rows by the filter columns. Without a search
    or a time-based filter that grouping is the summary the last complete pass stored
    (`counts.py`), so a page costs the same at 100 rows or 100,000."""
    table = SCHEMAS.get(resource)
    if table is None:
        raise QueryError(f"There is no table {resource!r}: choose from {', '.join(SCHEMAS)}.")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise QueryError(f"A page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}.")
    offset = max(int(offset), 0)
    if offset > MAX_OFFSET:
        raise QueryError(f"A page starts at row {MAX_OFFSET:,} at the furthest, not {offset:,}.")
    chosen_filters = {name: raw for name, raw in (filters or {}).items() if not blank(raw)}
    conditions = filter_conditions(table, chosen_filters)
    predicates = {
        name: table.filters[name].predicate(name, raw) for name, raw in chosen_filters.items()
    }
    facet_names = facets_wanted(table, facets)
    text = search.normalise(search_for)
    everything = table.resource.model.objects.all()
    rows = everything.filter(search.matching(text, table.text))
    order = ordering(table, sort)

    row_only = [conditions[name] for name, predicate in predicates.items() if predicate is None]
    stored = counts.summary(table.resource.name)
    summary = None if text or row_only else stored
    summarised = {name: p for name, p in predicates.items() if p is not None}
    if summary is None:
        # Grouped by only the columns this answer reads: fewer groups to build and add up.
        needed = [table.filters[name].column for name in (*summarised, *facet_names)]
        dimensions = tuple(c for c in table.dimensions if c in needed)
        summary = counts.group(rows.filter(*row_only), dimensions)
    count, facet_groups = tally(summary, summarised, facet_names)

    walk = False
    if connection.vendor == "sqlite":
        if text:
            total = sum(group["n"] for group in stored or ())
            walk = (offset + limit + 1) * total <= WALK_BUDGET * max(count, 1)
        else:
            walk = count > SORT_FIRST
    read_order = order
    if connection.vendor == "postgresql" and not text:
        read_order = led_by_filter(table, chosen_filters, conditions, order)
    if walk:
        chosen = sorted_first(table, everything, chosen_filters, order[0].removeprefix("-"))
    else:
        # The tiers bring their own text conditions: narrowing these rows by the text index
        # too would make every tier read all its matches again.
        chosen = everything.filter(*conditions.values())
    chosen = chosen.order_by(*read_order)
    tiers = search.tiers(text, table.text, chosen, walk=walk if text else None)
    page = search.page_of(tiers, offset, limit + 1)
    return Answer(
        resource=resource,
        rows=tuple(page[:limit]),
        has_next=len(page) > limit,
        count=count,
        facets={name: table.filters[name].facet(facet_groups[name]) for name in facet_names},
        offset=offset,
        limit=limit,
        sort=",".join(order),
        freshness=freshness(resource),
    )


def sorted_first(
    table: ListSchema, rows: QuerySet, filters: Mapping[str, Any], sort_column: str
) -> QuerySet:
    """The rows filtered on copies of the columns that no index serves (SQLite's `+column`).

    With thousands of matches, walking the sort column's index and filtering as it goes meets
    a page in a few hundred rows; SQLite's planner instead takes a filter's index and sorts
    every match (60 ms at 100,000 rows where the walk takes under 1). PostgreSQL's planner
    weighs both with its statistics, so this is for SQLite only.

    A filter on the sort column itself, or on the first column of an index that goes on with
    the sort column, stays usable: then that index is the walk."""
    walks = {tuple(index.fields[:2]) for index in table.resource.model._meta.indexes}
    aliases, conditions = {}, []
    for name, raw in filters.items():
        kind = table.filters[name]
        if kind.column == sort_column or (kind.column, sort_column) in walks:
            conditions.append(kind.condition(name, raw))
            continue
        alias = f"unindexed_{kind.column}"
        field = table.resource.model._meta.get_field(kind.column)
        aliases[alias] = Func(F(kind.column), template="+%(expressions)s", output_field=field)
        conditions.append(kind.condition(name, raw, alias))
    return rows.alias(**aliases).filter(*conditions)


def led_by_filter(
    table: ListSchema, filters: Mapping[str, Any], conditions: dict[str, Q], order: list[str]
) -> list[str]:
    """PostgreSQL: a filter to one value whose column leads an index that goes on with the
    sort column (pending, by expiry) reads that index in order and stops after a page.

    Left to itself the planner prefers the sort column's own index, filtering as it goes
    (its rows lie in heap order), and may pass tens of thousands of rows to fill a page. So
    the order is led by the filter's column, and the value is written as `= ANY(array)`,
    which the planner does not fold into a constant, so only that index serves the order.
    One value only: the order of the rows asked for stays the same. That filter's entry in
    `conditions` is rewritten in place to the `= ANY` form."""
    model = table.resource.model
    sort_column = order[0].removeprefix("-")
    walks = {tuple(index.fields[:2]) for index in model._meta.indexes}
    for name, raw in filters.items():
        kind = table.filters[name]
        if not isinstance(kind, Choice) or (kind.column, sort_column) not in walks:
            continue
        values = kind.stored(name, raw)
        if len(values) != 1 or not isinstance(values[0], str):
            continue
        quote = connection.ops.quote_name
        column = f"{quote(model._meta.db_table)}.{quote(kind.column)}"
        sql = f"{column} = ANY(%s)"  # names from the model, never user input
        conditions[name] = Q(RawSQL(sql, (values,), output_field=BooleanField()))  # noqa: S611
        direction = "-" if order[0].startswith("-") else ""
        return [direction + kind.column, *order]
    return order


def blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str | list | tuple) and len(raw) == 0)


def tally(
    groups: list[dict], predicates: dict[str, Callable[[dict], bool]], facet_names: list[str]
) -> tuple[int, dict[str, list[dict]]]:
    """How many rows pass every filter, and for each facet the groups that pass every filter
    but its own (what its chips count), in one pass over the groups."""
    count = 0
    for_facet: dict[str, list[dict]] = {name: [] for name in facet_names}
    for group in groups:
        failed = [name for name, predicate in predicates.items() if not predicate(group)]
        if not failed:
            count += group["n"]
            for chosen in for_facet.values():
                chosen.append(group)
        elif len(failed) == 1 and failed[0] in for_facet:
            for_facet[failed[0]].append(group)
    return count, for_facet


def filter_conditions(table: ListSchema, filters: Mapping[str, Any]) -> dict[str, Q]:
    conditions = {}
    for name, raw in filters.items():
        kind = table.filters.get(name)
        if kind is None:
            raise QueryError(
                f"{table.resource.label.capitalize()} cannot be filtered by {name!r}: "
                f"choose from {', '.join(table.filters)}."
            )
        conditions[name] = kind.condition(name, raw)
    return conditions


def facets_wanted(table: ListSchema, wanted: Iterable[str] | None) -> list[str]:
    faceted = [name for name, kind in table.filters.items() if kind.faceted]
    names = faceted if wanted is None else list(wanted)
    for name in names:
        if name not in faceted:
            raise QueryError(
                f"{table.resource.label.capitalize()} have no counts by {name!r}: "
                f"choose from {', '.join(faceted)}."
            )
    return names


def ordering(table: ListSchema, sort: str) -> list[str]:
    """The sort asked for, then creation time and id in the first column's direction: every
    page has one stable order, and one index on (column, created_at, id) serves it both ways."""
    order: list[str] = []
    for part in (sort or table.default_sort).split(","):
        part = part.strip()
        name = part.removeprefix("-")
        if name not in table.sortable:
            raise QueryError(
                f"{table.resource.label.capitalize()} cannot be sorted by {name!r}: "
                f"choose from {', '.join(table.sortable)}."
            )
        column = table.sortable[name]
        if column not in (o.removeprefix("-") for o in order):
            order.append(("-" if part.startswith("-") else "") + column)
    direction = "-" if order[0].startswith("-") else ""
    for tie_break in ("created_at", "id"):
        if tie_break not in (o.removeprefix("-") for o in order):
            order.append(direction + tie_break)
    return order
