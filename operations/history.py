"""Everything done about one delegation or one customer: operations and review marks, newest
first. Operations are found through their search text, which holds every id they touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from operations.models import Action, Operation, State
from operations.review_marks import ReviewMark

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # "operation" or "review"
    operation: Operation | None = None
    mark: ReviewMark | None = None


def _merge(operations, marks, limit: int) -> list[Entry]:
    entries = [Entry(at=op.created_at, kind="operation", operation=op) for op in operations]
    entries += [Entry(at=mark.created_at, kind="review", mark=mark) for mark in marks]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _operations_about(*ids: str, limit: int):
    query = Operation.objects.select_related("actor", "batch")
    for item in ids:
        if item:
            query = query.filter(search_text__contains=item)
    return list(query.order_by("-created_at", "-id")[:limit])


def delegation_history(
    delegation_id: str, agent_id: str, customer_id: str, *, limit: int = HISTORY_LIMIT
) -> list[Entry]:
    """Operations naming this delegation, or this agent with this customer (access revokes are
    addressed by the pair), and the delegation's review marks."""
    by_id = _operations_about(delegation_id, limit=limit)
    by_pair = (
        _operations_about(agent_id, customer_id, limit=limit) if agent_id and customer_id else []
    )
    operations = {op.pk: op for op in [*by_id, *by_pair]}.values()
    marks = ReviewMark.objects.filter(delegation_id=delegation_id).select_related("actor")
    return _merge(operations, marks[:limit], limit)


def customer_history(customer_id: str, *, limit: int = HISTORY_LIMIT) -> list[Entry]:
    operations = _operations_about(customer_id, limit=limit)
    marks = ReviewMark.objects.filter(customer_party_id=customer_id).select_related("actor")
    return _merge(operations, marks[:limit], limit)


def revoked_by_us(delegation_ids) -> set[str]:
    """Delegations whose access a succeeded operation of ours revoked. Natural's delegation
    resource has no status, so this is how a page knows right after the revoke."""
    ids = set(delegation_ids)
    found = Operation.objects.filter(
        action=Action.REVOKE_AGENT_ACCESS, state=State.SUCCEEDED
    ).filter(target__delegation_id__in=list(ids))
    return {op.target.get("delegation_id") for op in found} & ids
