"""Searching the local customer index: one ranked page of customers for what was typed.

A query matches, case-insensitively, a substring of the name, the email or an agent's name, or
exactly a party id. Results rank exact (name, email or party id equals the query) before prefix
(name or email starts with it) before substring; ties go newest first.

The candidates come from a real text index: an FTS5 trigram table on SQLite, pg_trgm GIN indexes
on PostgreSQL (migration 0002). Trigrams need at least three characters, so one- and two-character
queries match by prefix of the name or email instead, which a plain b-tree serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from customer_index.models import IndexedCustomer, fold

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200
TRIGRAM = 3
PARTY_ID = re.compile(r"^pty_[0-9a-f]{32}$")

EXACT, PREFIX, SUBSTRING = 0, 1, 2


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
    return bool(PARTY_ID.match(query))


def search(query: str, *, offset: int = 0, page_size: int = PAGE_SIZE) -> Results:
    """One page of matches; an empty query lists the whole index, newest first."""
    query = normalise(query)
    offset = max(offset, 0)
    rows = list(matching(query)[offset : offset + page_size + 1])
    return Results(
        query=query,
        customers=tuple(rows[:page_size]),
        offset=offset,
        page_size=page_size,
        has_next=len(rows) > page_size,
    )


def matching(query: str) -> QuerySet[IndexedCustomer]:
    newest = IndexedCustomer.objects.order_by("-created_at", "-id")
    if not query:
        return newest
    if is_party_id(query):
        return newest.filter(party_id=query)
    folded = fold(query)
    return (
        newest.filter(candidates(folded))
        .annotate(rank=rank(folded))
        .order_by("rank", "-created_at", "-id")
    )


def candidates(folded: str) -> Q:
    if len(folded) < TRIGRAM:
        return prefix_of_name_or_email(folded)
    if connection.vendor == "sqlite":
        phrase = '"' + folded.replace('"', '""') + '"'
        return Q(
            id__in=RawSQL(
                "SELECT rowid FROM customer_index_fts WHERE customer_index_fts MATCH %s", [phrase]
            )
        )
    # pg_trgm's GIN indexes answer these LIKE '%...%' (Django escapes % and _ in the value).
    return (
        Q(name_folded__contains=folded)
        | Q(email_folded__contains=folded)
        | Q(agent_names_folded__contains=folded)
    )


def prefix_of_name_or_email(folded: str) -> Q:
    if connection.vendor == "sqlite":
        # A range, not LIKE: SQLite's LIKE is case-insensitive and so never uses the b-tree.
        upper = folded + "\U0010ffff"
        return Q(name_folded__gte=folded, name_folded__lt=upper) | Q(
            email_folded__gte=folded, email_folded__lt=upper
        )
    return Q(name_folded__startswith=folded) | Q(email_folded__startswith=folded)


def rank(folded: str) -> Case:
    return Case(
        When(Q(name_folded=folded) | Q(email_folded=folded), then=Value(EXACT)),
        When(
            Q(name_folded__startswith=folded) | Q(email_folded__startswith=folded),
            then=Value(PREFIX),
        ),
        default=Value(SUBSTRING),
        output_field=IntegerField(),
    )
