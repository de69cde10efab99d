"""The audit log's entries: a write to Natural made alone, a batch (one entry, however many
parts it was sent in: its parts are on its own page), and each review mark or its undoing.

One SQL UNION ALL of three querysets with the same columns lists them, each filtered by the
audit form before the union, so the database filters, sorts, counts and pages them as one log.
A page of entries then loads its objects with one query per kind and a batch's totals with one
aggregate, whatever the page size.

How the filters read a batch: its actor, action and creation time are its own; it is listed
under its own state (sending, paused, canceled, done) and under every state one of its parts
is in (a batch with a refused part is under Failed), and a search finds it by its key or by
anything one of its parts holds (a part's key, a recipient, an invitation id). A review mark
holds no state of Natural: it is listed under Recorded only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import batched
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone

from operations.models import (
    ACTIVE_BATCH,
    Action,
    Batch,
    BatchState,
    Operation,
    OperationAttempt,
    State,
    sending_lease,
)
from operations.review_marks import ReviewMark
from read_model.models import IndexedAgentDelegation

OPERATION, BATCH, MARK = "operation", "batch", "mark"

# A review mark is listed under the action its verdict names.
MARK_ACTION_PREFIX = "mark_"
MARK_ACTIONS = [
    (MARK_ACTION_PREFIX + ReviewMark.Verdict.REVIEWED, "Mark reviewed"),
    (MARK_ACTION_PREFIX + ReviewMark.Verdict.FLAGGED, "Flag"),
    (MARK_ACTION_PREFIX + ReviewMark.Verdict.UNDONE, "Undo mark"),
]
ACTION_CHOICES = [*Action.choices, *MARK_ACTIONS]
ACTION_LABELS = dict(ACTION_CHOICES)

# The states a batch has that no single write has, and the one state of every review mark.
BATCH_ONLY_STATES = (BatchState.PAUSED, BatchState.DONE)
RECORDED = "recorded"
STATE_CHOICES = [
    *State.choices,
    (BatchState.PAUSED.value, "Paused (batches)"),
    (BatchState.DONE.value, "Done (batches)"),
    (RECORDED, "Recorded (review marks)"),
]
STATE_LABELS = {
    **dict(State.choices),
    **dict(BatchState.choices),
    RECORDED: "Recorded",
}

# The form's sort keys and the union's columns they order by.
SORT_COLUMNS = {
    "created_at": "at",
    "actor": "actor_name",
    "action": "entry_action",
    "state": "entry_state",
    "attempts": "entry_attempts",
    "key": "entry_key",
}
DEFAULT_ORDER = ("-at", "-entry_id", "kind")
EXPORT_CHUNK = 500
COLUMNS = (
    "kind",
    "entry_id",
    "at",
    "actor_name",
    "entry_action",
    "entry_state",
    "entry_attempts",
    "entry_key",
)


def start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# Each kind's rows, filtered by the form's cleaned data (None: that kind has no such rows).


def _common(rows: QuerySet, data: dict) -> QuerySet:
    if data.get("actor"):
        rows = rows.filter(actor=data["actor"])
    if data.get("since"):
        rows = rows.filter(created_at__gte=start_of(data["since"]))
    if data.get("until"):
        rows = rows.filter(created_at__lt=start_of(data["until"]) + timedelta(days=1))
    return rows


def single_writes(data: dict) -> QuerySet[Operation] | None:
    action, state, query = data.get("action"), data.get("state"), _query(data)
    if action and action not in Action.values:
        return None
    if state and state not in State.values:
        return None
    rows = _common(Operation.objects.filter(batch__isnull=True), data)
    if action:
        rows = rows.filter(action=action)
    if state:
        rows = rows.filter(state=state)
    if query:
        rows = rows.filter(search_text__icontains=query)
    return rows


def batches(data: dict) -> QuerySet[Batch] | None:
    action, state, query = data.get("action"), data.get("state"), _query(data)
    if action and action not in Action.values:
        return None
    if state == RECORDED:
        return None
    rows = _common(Batch.objects.all(), data)
    if action:
        rows = rows.filter(action=action)
    if state:
        has_part = Operation.objects.filter(batch=OuterRef("pk"), state=state)
        rows = rows.filter(Q(state=state) | Exists(has_part))
    if query:
        holds = Operation.objects.filter(batch=OuterRef("pk"), search_text__icontains=query)
        rows = rows.filter(Q(key__icontains=query) | Exists(holds))
    return rows


def marks(data: dict) -> QuerySet[ReviewMark] | None:
    action, state, query = data.get("action"), data.get("state"), _query(data)
    if action and not action.startswith(MARK_ACTION_PREFIX):
        return None
    if state and state != RECORDED:
        return None
    rows = _common(ReviewMark.objects.all(), data)
    if action:
        rows = rows.filter(verdict=action.removeprefix(MARK_ACTION_PREFIX))
    if query:
        named = IndexedAgentDelegation.objects.filter(
            agent_delegation_id=OuterRef("delegation_id")
        ).filter(Q(agent_name__icontains=query) | Q(customer_name__icontains=query))
        rows = rows.filter(
            Q(delegation_id__icontains=query)
            | Q(customer_party_id__icontains=query)
            | Q(agent_id__icontains=query)
            | Q(comment__icontains=query)
            | Exists(named)
        )
    return rows


def _query(data: dict) -> str:
    return (data.get("q") or "").strip()


# The union's columns, the same names and order for each kind.


def _attempts_of_operation():
    counted = (
        OperationAttempt.objects.filter(operation=OuterRef("pk"))
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _attempts_of_batch():
    counted = (
        OperationAttempt.objects.filter(operation__batch=OuterRef("pk"))
        .order_by()
        .values("operation__batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _columns(rows: QuerySet, kind: str, *, action, state, attempts, key) -> QuerySet:
    return (
        rows.order_by()
        .annotate(
            kind=Value(kind, output_field=CharField()),
            entry_id=F("pk"),
            at=F("created_at"),
            actor_name=F("actor__username"),
            entry_action=action,
            entry_state=state,
            entry_attempts=attempts,
            entry_key=key,
        )
        .values(*COLUMNS)
    )


def _parts(data: dict, *, counted: bool) -> list[QuerySet]:
    """Each kind's rows as the union's columns. Attempts are counted in the union only to sort
    by them; a page counts its own rows' attempts otherwise."""
    no_count = Value(None, output_field=IntegerField())
    parts = []
    # Writes sent alone and batches carry the same columns of their own.
    for select, kind, attempts in (
        (single_writes, OPERATION, _attempts_of_operation),
        (batches, BATCH, _attempts_of_batch),
    ):
        rows = select(data)
        if rows is not None:
            parts.append(
                _columns(
                    rows,
                    kind,
                    action=F("action"),
                    state=F("state"),
                    attempts=attempts() if counted else no_count,
                    key=F("key"),
                )
            )
    rows = marks(data)
    if rows is not None:
        parts.append(
            _columns(
                rows,
                MARK,
                action=Concat(Value(MARK_ACTION_PREFIX), F("verdict"), output_field=CharField()),
                state=Value(RECORDED, output_field=CharField()),
                attempts=Value(0, output_field=IntegerField()) if counted else no_count,
                key=Value(None, output_field=UUIDField()),
            )
        )
    return parts


def _union(parts: list[QuerySet]) -> QuerySet:
    if not parts:
        return Operation.objects.none()
    first, *others = parts
    return first.union(*others, all=True) if others else first


def _order(sort: str) -> tuple[str, ...]:
    if not sort:
        return DEFAULT_ORDER
    direction = "-" if sort.startswith("-") else ""
    column = SORT_COLUMNS[sort.removeprefix("-")]
    return (f"{direction}{column}", f"{direction}entry_id", "kind")


class Entries:
    """The log's entries for the form's cleaned data: `count()` and slices of Entry, as the
    local-table component (tables/local.py) reads them."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.sort = data.get("sort") or ""

    def count(self) -> int:
        ids = [part.values("entry_id") for part in _parts(self.data, counted=False)]
        return _union(ids).count() if ids else 0

    def rows(self) -> QuerySet:
        """The union's rows (dicts of COLUMNS), ordered."""
        parts = _parts(self.data, counted=self.sort.removeprefix("-") == "attempts")
        if not parts:
            return Operation.objects.none()
        return _union(parts).order_by(*_order(self.sort))

    def __getitem__(self, window: slice) -> list[Entry]:
        return load(list(self.rows()[window]))

    def __iter__(self) -> Iterator[Entry]:
        """Every entry (the export): one read of the union, its objects loaded a chunk at a
        time, so an entry recorded meanwhile neither repeats a line nor pushes one out."""
        for rows in batched(self.rows().iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
            yield from load(list(rows))


@dataclass(frozen=True)
class BatchTotals:
    parts: int = 0
    recipients: int = 0
    invited: int = 0
    refused: int = 0
    # Parts that succeeded (a revoke batch's pairs revoked) or were refused.
    succeeded_parts: int = 0
    failed_parts: int = 0
    # Unknown outcome, left `sending` by a process that died, or not sent (see
    # Operation.needs_attention).
    attention_parts: int = 0

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention_parts or self.failed_parts)


@dataclass
class Entry:
    kind: str
    id: int
    at: datetime
    action: str
    state: str
    key: uuid.UUID | None
    attempts: int | None = None
    operation: Operation | None = None
    batch: Batch | None = None
    totals: BatchTotals | None = None
    mark: ReviewMark | None = None
    # The delegation a mark is about, from the local copy (names), if it holds it.
    delegation: IndexedAgentDelegation | None = None

    @property
    def pk(self) -> str:
        """Unique on a page whatever the kind (the table's row id)."""
        return f"{self.kind}-{self.id}"

    @property
    def subject(self) -> Any:
        return self.operation or self.batch or self.mark

    @property
    def actor(self):
        return self.subject.actor

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def needs_attention(self) -> bool:
        if self.operation is not None:
            return self.operation.needs_attention
        return bool(self.totals and self.totals.needs_attention)

    @property
    def url(self) -> str:
        """Where the entry is read in full."""
        if self.kind == OPERATION:
            return reverse("operation-detail", args=[self.id])
        if self.kind == BATCH:
            return reverse("batch-detail", args=[self.key])
        return reverse("delegation-detail", args=[self.mark.delegation_id])


def load(rows: list[dict]) -> list[Entry]:
    """Entries for the union's rows: one query per kind, one aggregate for the batches' totals,
    one for the marks' delegations, whatever the number of rows."""
    ids: dict[str, list[int]] = {OPERATION: [], BATCH: [], MARK: []}
    for row in rows:
        ids[row["kind"]].append(row["entry_id"])
    operations = (
        Operation.objects.select_related("actor").annotate(attempt_count=Count("attempts"))
    ).in_bulk(ids[OPERATION])
    found_batches = Batch.objects.select_related("actor").in_bulk(ids[BATCH])
    totals = batch_totals(ids[BATCH])
    batch_attempts = (
        dict(
            OperationAttempt.objects.filter(operation__batch_id__in=ids[BATCH])
            .order_by()
            .values_list("operation__batch_id")
            .annotate(n=Count("pk"))
        )
        if ids[BATCH]
        else {}
    )
    found_marks = ReviewMark.objects.select_related("actor").in_bulk(ids[MARK])
    named = {}
    if found_marks:
        named = IndexedAgentDelegation.objects.in_bulk(
            {mark.delegation_id for mark in found_marks.values()},
            field_name="agent_delegation_id",
        )
    entries = []
    for row in rows:
        kind, pk = row["kind"], row["entry_id"]
        entry = Entry(
            kind=kind,
            id=pk,
            at=row["at"],
            action=row["entry_action"],
            state=row["entry_state"],
            key=_uuid(row["entry_key"]),
        )
        if kind == OPERATION:
            entry.operation = operations[pk]
            entry.attempts = entry.operation.attempt_count
        elif kind == BATCH:
            entry.batch = found_batches[pk]
            entry.totals = totals.get(pk, BatchTotals())
            entry.attempts = batch_attempts.get(pk, 0)
        else:
            entry.mark = found_marks[pk]
            entry.delegation = named.get(entry.mark.delegation_id)
        entries.append(entry)
    return entries


def _uuid(value) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def batch_totals(batch_ids: list[int], now: datetime | None = None) -> dict[int, BatchTotals]:
    """Each batch's totals over its parts, in one aggregate for all of them."""
    if not batch_ids:
        return {}
    now = now or timezone.now()
    stale = now - sending_lease()
    # A part still pending in a batch the workers are sending waits its turn; elsewhere a part
    # pending after an attempt, or for longer than the lease, was not sent (Operation.not_sent).
    not_sent = (
        Q(state=State.PENDING)
        & ~Q(batch__state__in=ACTIVE_BATCH)
        & (Q(first_sent_at__isnull=False) | Q(created_at__lt=stale))
    )
    attention = Q(state=State.UNKNOWN) | Q(state=State.SENDING, sending_since__lt=stale) | not_sent
    rows = (
        Operation.objects.filter(batch_id__in=batch_ids)
        .order_by()
        .values("batch_id")
        .annotate(
            parts=Count("pk"),
            recipients=Sum("recipient_count"),
            invited=Sum("created_count"),
            refused=Sum("recipient_count", filter=Q(state=State.FAILED)),
            succeeded_parts=Count("pk", filter=Q(state=State.SUCCEEDED)),
            failed_parts=Count("pk", filter=Q(state=State.FAILED)),
            attention_parts=Count("pk", filter=attention),
        )
    )
    return {
        row.pop("batch_id"): BatchTotals(**{name: value or 0 for name, value in row.items()})
        for row in rows
    }
