"""The complete review queue, read from the local read model of agent delegations.

Natural cannot filter delegations by permission, limit or expiry, count them, or page back, so
the queue asks the read model (customer_index) instead: filters apply to every delegation, the
counts say how many are left, and a delegation leaves the unreviewed queue once it has a mark.
Marks stay here; the only thing Natural ever receives from the queue is a confirmed revoke,
and its confirmation page reads the delegation from Natural again first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from operations.review_marks import ReviewMark
from read_model import query, search
from read_model.models import IndexedAgentDelegation, SyncRun
from tables import component

RESOURCE = SyncRun.Resource.AGENT_DELEGATIONS
TABLE = query.SCHEMAS[RESOURCE]
UNREVIEWED = "unreviewed"
STATES = (UNREVIEWED, ReviewMark.Verdict.FLAGGED.value, ReviewMark.Verdict.REVIEWED.value)
# The page sizes every table offers, the smallest the default.
PAGE_SIZES = component.PAGE_SIZES


@dataclass(frozen=True)
class Queue:
    state: str
    rows: list[dict]
    # How many delegations matching the filters are in each state (unreviewed: left to review).
    counts: dict[str, int]
    offset: int
    limit: int
    has_next: bool
    freshness: query.Freshness

    @property
    def count(self) -> int:
        return self.counts[self.state]

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def previous_offset(self) -> int:
        return max(self.offset - self.limit, 0)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def first_shown(self) -> int:
        return self.offset + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return self.offset + len(self.rows)


def latest_marks():
    """Each delegation's newest mark: no mark of the same delegation is newer."""
    newer = ReviewMark.objects.filter(delegation_id=OuterRef("delegation_id")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id"))
    )
    return ReviewMark.objects.filter(~Exists(newer))


def read(
    filters: Mapping[str, Any],
    *,
    state: str = UNREVIEWED,
    offset: int = 0,
    limit: int = 50,
    search_for: str = "",
    sort: str = "",
) -> Queue:
    """One page of the active delegations matching `filters` (query.SCHEMAS' agent delegation
    filters) in one review state, with the count of every state. Raises query.QueryError.

    Marked delegations are few next to all of them, so each state is a set of ids from the
    marks: counting a verdict reads its marks, not every delegation, and the unreviewed page
    walks the newest-first index past the marked ids."""
    if state not in STATES:
        raise query.QueryError(
            f"Review state cannot be {state!r}: choose from {', '.join(STATES)}."
        )
    chosen = {name: raw for name, raw in filters.items() if not query.blank(raw)}
    conditions = query.filter_conditions(TABLE, chosen)
    active = IndexedAgentDelegation.objects.filter(*conditions.values(), revoked=False)
    text = search.normalise(search_for)
    if text:
        active = active.filter(search.matching(text, TABLE.text))
    with_verdict = {
        verdict: active.filter(
            agent_delegation_id__in=latest_marks().filter(verdict=verdict).values("delegation_id")
        )
        for verdict in STATES[1:]
    }
    counts = {verdict: rows.count() for verdict, rows in with_verdict.items()}
    counts = {UNREVIEWED: active.count() - sum(counts.values()), **counts}
    if state == UNREVIEWED:
        # A delegation whose newest mark is an undo is unreviewed again.
        in_state = active.exclude(
            agent_delegation_id__in=latest_marks()
            .exclude(verdict=ReviewMark.Verdict.UNDONE)
            .values("delegation_id")
        )
    else:
        in_state = with_verdict[state]
    page = list(in_state.order_by(*query.ordering(TABLE, sort))[offset : offset + limit + 1])
    marks = ReviewMark.objects.latest_by_delegation(row.agent_delegation_id for row in page)
    return Queue(
        state=state,
        rows=[
            {"delegation": row, "mark": marks.get(row.agent_delegation_id)} for row in page[:limit]
        ],
        counts=counts,
        offset=offset,
        limit=limit,
        has_next=len(page) > limit,
        freshness=query.freshness(RESOURCE),
    )


def agent_choices() -> list[tuple[str, str]]:
    """The agents the read model holds delegations of, by name."""
    pairs = IndexedAgentDelegation.objects.values_list("agent_id", "agent_name").distinct()
    return sorted(((a, n or a) for a, n in pairs if a), key=lambda pair: pair[1].lower())


def creator_choices() -> list[tuple[str, str]]:
    creators = IndexedAgentDelegation.objects.values_list("created_by", flat=True).distinct()
    return [(creator, creator) for creator in sorted(filter(None, creators))]
