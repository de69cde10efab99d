"""Searching the read model: one ranked page of customers (or other rows) for what was typed.

A query matches, case-insensitively, a substring of the name, the email or an agent's name, or
exactly a party id. Results rank exact (name, email or party id equals the query) before prefix
(name or email starts with it) before substring; ties go newest first.

The candidates come from a real text index: an FTS5 trigram table on SQLite, pg_trgm GIN indexes
on PostgreSQL (migrations 0002 and 0004). Trigrams need at least three characters, so one- and
two-character queries match by prefix of the name or email instead, which a plain b-tree serves.

Every resource is searched the same way; a `TextSpec` names its columns (customers: name and email
exact/prefix, agent names substring only; invitations: email and id; agent delegations: customer
name and id, agent names substring only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from natural.ids import PATTERNS, is_id
from read_model.models import (
    IndexedAgentDelegation,
    IndexedAgentInvitation,
    IndexedCustomer,
    IndexedDelegationInvitation,
    fold,
)

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200
TRIGRAM = 3


@dataclass(frozen=True)
class TextSpec:
    """Where a resource's search looks: equal to (exact) or starting with (prefix) the folded
    query in `ranked`, containing it in `ranked` + `substring_only`; a whole Natural id goes
    straight to its column."""

    model: type[models.Model]
    fts_table: str
    ranked: tuple[str, ...]
    substring_only: tuple[str, ...] = ()
    ids: dict[str, re.Pattern] = field(default_factory=dict)

    @property
    def substring(self) -> tuple[str, ...]:
        return self.ranked + self.substring_only

    def id_column(self, query: str) -> str | None:
        return next((column for column, id_ in self.ids.items() if id_.match(query)), None)


CUSTOMER_TEXT = TextSpec(
    IndexedCustomer,
    "customer_index_fts",
    ranked=("name_folded", "email_folded"),
    substring_only=("agent_names_folded",),
    ids={"party_id": PATTERNS["pty"]},
)
AGENT_INVITATION_TEXT = TextSpec(
    IndexedAgentInvitation,
    "customer_index_adi_fts",
    ranked=("email_folded", "invitation_id"),
    substring_only=("agent_name_folded",),
    ids={"customer_party_id": PATTERNS["pty"], "agent_delegation_id": PATTERNS["adl"]},
)
DELEGATION_INVITATION_TEXT = TextSpec(
    IndexedDelegationInvitation,
    "customer_index_din_fts",
    ranked=("email_folded", "invitation_id"),
    ids={"customer_party_id": PATTERNS["pty"]},
)
AGENT_DELEGATION_TEXT = TextSpec(
    IndexedAgentDelegation,
    "customer_index_adl_fts",
    ranked=("customer_name_folded", "agent_delegation_id"),
    substring_only=("agent_name_folded",),
    ids={"customer_party_id": PATTERNS["pty"], "delegation_id": PATTERNS["dlg"]},
)

# Above this many candidates, walking the newest-first index beats sorting them (SQLite).
DENSE = 1_000


@dataclass(frozen=True)
class Results:
    query: str
    customers: tuple[IndexedCustomer, ...]
    offset: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def shown_to(self) -> int:
        return self.offset + len(self.customers)

    @property
    def next_offset(self) -> int:
        return self.offset + self.page_size

    @property
    def previous_offset(self) -> int:
        return max(self.offset - self.page_size, 0)


def normalise(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def is_party_id(query: str) -> bool:
    return is_id("pty", query)


def search(query: str, *, offset: int = 0, page_size: int = PAGE_SIZE) -> Results:
    """One page of matches; an empty query lists the whole index, newest first."""
    query = normalise(query)
    offset = max(offset, 0)
    rows = page_of(tiers(query), offset, page_size + 1)
    return Results(
        query=query,
        customers=tuple(rows[:page_size]),
        offset=offset,
        page_size=page_size,
        has_next=len(rows) > page_size,
    )


def page_of(tiers: list[QuerySet[IndexedCustomer]], offset: int, wanted: int) -> list:
    """Rows `offset`..`offset + wanted` of the tiers read one after the other.

    Each tier is read newest first with a LIMIT, so a page costs what its rows cost; a tier is
    counted only when the offset skips it whole (never on the first page, where typing lands).
    """
    rows: list[IndexedCustomer] = []
    for tier in tiers:
        chunk = list(tier[offset : offset + wanted - len(rows)])
        if not chunk and offset:
            offset = max(offset - tier.count(), 0)
            continue
        rows += chunk
        offset = 0
        if len(rows) >= wanted:
            break
    return rows


def tiers(
    query: str,
    spec: TextSpec = CUSTOMER_TEXT,
    rows: QuerySet | None = None,
    *,
    walk: bool | None = None,
) -> list[QuerySet]:
    """Disjoint querysets in rank order: exact, then prefix, then substring matches, each in
    the order of `rows` (default: the whole table, newest first).

    `walk` says how SQLite finds substring matches: True tests each row in the order of
    `rows`, False reads the text index's matches; None decides by how many those are."""
    if rows is None:
        rows = spec.model.objects.order_by("-created_at", "-id")
    if not query:
        return [rows]
    if column := spec.id_column(query):
        return [rows.filter(**{column: query})]
    folded = fold(query)
    exact = any_of(spec.ranked, "exact", folded)
    prefix = any_of(spec.ranked, "startswith", folded)
    prefix_found = rows.filter(prefix_candidates(folded, spec))
    if is_sqlite():
        # The candidates' ids first, from the b-tree ranges alone: asked together with the
        # filters and the order, SQLite walks the order's index through every filtered row.
        ids = list(
            spec.model.objects.filter(prefix_candidates(folded, spec))
            .order_by()
            .values_list("id", flat=True)[: DENSE + 1]
        )
        prefix_found = rows.filter(prefix) if len(ids) > DENSE else rows.filter(id__in=ids)
    result = [rows.filter(exact), prefix_found.exclude(exact)]
    if len(folded) >= TRIGRAM:
        substring_found = rows.filter(text_candidates(folded, spec))
        if walk is None:
            walk = is_sqlite() and many_trigram_matches(folded, spec)
        if walk and is_sqlite():
            substring_found = rows.filter(substring_filter(folded, spec))
        result.append(substring_found.exclude(prefix))
    return result


def matching(query: str, spec: TextSpec) -> Q:
    """Every row some tier of `tiers` holds, as one condition (for counts and facets)."""
    query = normalise(query)
    if not query:
        return Q()
    if column := spec.id_column(query):
        return Q(**{column: query})
    folded = fold(query)
    if len(folded) >= TRIGRAM:
        # The substring columns include the ranked ones, so this holds the exact and prefix tiers.
        return text_candidates(folded, spec)
    return prefix_candidates(folded, spec)


def any_of(columns: tuple[str, ...], lookup: str, value: str) -> Q:
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__{lookup}": value})
    return condition


# Few candidates: fetch them through the text or b-tree index and sort them. Many: walk the
# newest-first index and filter, which meets a page of matches after a few hundred rows.
# PostgreSQL's planner makes this choice itself from its statistics; SQLite's cannot see how
# many rows a trigram or a range matches, so we count them, up to a cap, and choose.
def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def many_trigram_matches(folded: str, spec: TextSpec = CUSTOMER_TEXT) -> bool:
    fts = spec.fts_table  # a constant of this module, never user input
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH %s LIMIT %s)",  # noqa: S608
            [fts_phrase(folded), DENSE + 1],
        )
        return cursor.fetchone()[0] > DENSE


def fts_phrase(folded: str) -> str:
    return '"' + folded.replace('"', '""') + '"'


def substring_filter(folded: str, spec: TextSpec = CUSTOMER_TEXT) -> Q:
    return any_of(spec.substring, "contains", folded)


def text_candidates(folded: str, spec: TextSpec = CUSTOMER_TEXT) -> Q:
    if is_sqlite():
        fts = spec.fts_table  # a constant of this module, never user input
        return Q(
            id__in=RawSQL(  # noqa: S611
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s",  # noqa: S608
                [fts_phrase(folded)],
            )
        )
    # pg_trgm's GIN indexes answer these LIKE '%...%' (Django escapes % and _ in the value).
    return substring_filter(folded, spec)


def prefix_candidates(folded: str, spec: TextSpec = CUSTOMER_TEXT) -> Q:
    if is_sqlite():
        # A range, not LIKE: SQLite's LIKE is case-insensitive and so never uses the b-tree.
        upper = folded + "\U0010ffff"
        condition = Q()
        for column in spec.ranked:
            condition |= Q(**{f"{column}__gte": folded, f"{column}__lt": upper})
        return condition
    return any_of(spec.ranked, "startswith", folded)
