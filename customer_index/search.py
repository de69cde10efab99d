"""Searching the local customer index: one ranked page of customers for what was typed.

A query matches, case-insensitively, a substring of the name, the email or an agent's name, or
exactly a party id. Results rank exact (name, email or party id equals the query) before prefix
(name or email starts with it) before substring; ties go newest first.

The candidates come from a real text index: an FTS5 trigram table on SQLite, pg_trgm GIN indexes
on PostgreSQL (migration 0002). Trigrams need at least three characters, so one- and two-character
queries match by prefix of the name or email instead, which a plain b-tree serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from customer_index.models import IndexedCustomer, fold
from delegations.ids import is_id

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200
TRIGRAM = 3

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


def tiers(query: str) -> list[QuerySet[IndexedCustomer]]:
    """Disjoint querysets in rank order: exact, then prefix, then substring matches."""
    newest = IndexedCustomer.objects.order_by("-created_at", "-id")
    if not query:
        return [newest]
    if is_party_id(query):
        return [newest.filter(party_id=query)]
    folded = fold(query)
    exact = Q(name_folded=folded) | Q(email_folded=folded)
    prefix = Q(name_folded__startswith=folded) | Q(email_folded__startswith=folded)
    prefix_found = newest.filter(prefix_candidates(folded))
    if is_sqlite() and many(prefix_found.values("id")):
        prefix_found = newest.filter(prefix)
    result = [newest.filter(exact), prefix_found.exclude(exact)]
    if len(folded) >= TRIGRAM:
        substring_found = newest.filter(text_candidates(folded))
        if is_sqlite() and many_trigram_matches(folded):
            substring_found = newest.filter(substring_filter(folded))
        result.append(substring_found.exclude(prefix))
    return result


# Few candidates: fetch them through the text or b-tree index and sort them. Many: walk the
# newest-first index and filter, which meets a page of matches after a few hundred rows.
# PostgreSQL's planner makes this choice itself from its statistics; SQLite's cannot see how
# many rows a trigram or a range matches, so we count them, up to a cap, and choose.
def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def many(candidates: QuerySet) -> bool:
    return candidates.order_by()[: DENSE + 1].count() > DENSE


def many_trigram_matches(folded: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM customer_index_fts "
            "WHERE customer_index_fts MATCH %s LIMIT %s)",
            [fts_phrase(folded), DENSE + 1],
        )
        return cursor.fetchone()[0] > DENSE


def fts_phrase(folded: str) -> str:
    return '"' + folded.replace('"', '""') + '"'


def substring_filter(folded: str) -> Q:
    return (
        Q(name_folded__contains=folded)
        | Q(email_folded__contains=folded)
        | Q(agent_names_folded__contains=folded)
    )


def text_candidates(folded: str) -> Q:
    if is_sqlite():
        return Q(
            id__in=RawSQL(
                "SELECT rowid FROM customer_index_fts WHERE customer_index_fts MATCH %s",
                [fts_phrase(folded)],
            )
        )
    # pg_trgm's GIN indexes answer these LIKE '%...%' (Django escapes % and _ in the value).
    return substring_filter(folded)


def prefix_candidates(folded: str) -> Q:
    if is_sqlite():
        # A range, not LIKE: SQLite's LIKE is case-insensitive and so never uses the b-tree.
        upper = folded + "\U0010ffff"
        return Q(name_folded__gte=folded, name_folded__lt=upper) | Q(
            email_folded__gte=folded, email_folded__lt=upper
        )
    return Q(name_folded__startswith=folded) | Q(email_folded__startswith=folded)
