"""A batch on the workers: sent part by part, paced, paused, resumed, canceled, watched.

    start(batch)       the batch is `sending`: BATCH_SENDERS sender tasks are queued
    send_some(batch)   a sender's turn (the send_batch task): take the next part,
                       keep the shared pace (natural/pace.py), send it with the engine, and so
                       on for at most SLICE_SECONDS; then the task queues its own next turn, so
                       other tasks (the passes) get a worker in between
    pause / resume / cancel    what the batch page offers; cancel marks every part not sent
                       yet `canceled` (a part on the wire finishes as it would)
    watch()            batches whose senders stopped (a worker killed, a task lost) get senders
                       again once the sending lease has passed; parts a dead sender left
                       `sending` are then sent again with the same key and the same bytes
    progress(batch)    what the batch page shows: counts, rate, time left, attention

Nothing here holds a transaction across a request to Natural: the engine's claim and its
states are the same as for one write.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.tasks import task
from django.utils import timezone

from natural import pace
from operations import catalog, engine
from operations.models import (
    ACTIVE_BATCH,
    Action,
    Batch,
    BatchState,
    Operation,
    State,
    sending_lease,
)

logger = logging.getLogger(__name__)

SLICE_SECONDS = 20.0
# A sender stamps its batch's heartbeat after a part at most this often (the sending lease,
# far longer, is what the watch waits for).
HEARTBEAT_SECONDS = 1.0
# An unknown part is sent again with its key this many times by the workers; after that it
# waits for an admin (reconcile, or retry with the same key) on the batch page.
MAX_ROUNDS = 3
# The rate shown is measured over this window.
RATE_WINDOW = timedelta(seconds=30)


def invite_parts(agent_id: str, chunk_bodies) -> list[engine.Part]:
    """The parts of a batch invitation: one request per chunk of recipients, its exact bytes
    already made (`chunk_bodies` pairs each chunk with its body)."""
    invite = catalog.declared(Action.INVITE_CUSTOMERS)
    return [
        engine.Part(
            method=invite.method,
            path=invite.path(agent_id),
            body=body,
            idempotent=invite.idempotent,
            target={
                "agent_id": agent_id,
                "recipients": [{"type": r.type, "value": r.value} for r in chunk],
            },
        )
        for chunk, body in chunk_bodies
    ]


def start(batch: Batch) -> Batch:
    for _ in range(max(1, settings.BATCH_SENDERS)):
        send_batch.enqueue(batch.pk)
    return batch


@task
def send_batch(batch_id: int) -> int:
    """One sender's turn on a batch; it queues its next turn while the batch has work left."""
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or batch.state != BatchState.SENDING:
        return 0
    sent = send_some(batch)
    batch.refresh_from_db()
    if sent and batch.state == BatchState.SENDING and has_work(batch):
        send_batch.enqueue(batch_id)
    return sent


@task
def watch_batches() -> list[int]:
    """The schedule's watch: batches whose senders stopped get senders again."""
    return watch()


def send_some(batch: Batch, *, seconds: float = SLICE_SECONDS) -> int:
    """Send parts of the batch for up to `seconds`; returns how many this turn sent."""
    deadline = time.monotonic() + seconds
    sent = 0
    beaten = 0.0
    while time.monotonic() < deadline:
        operation = next_part(batch)
        if operation is None:
            break
        sent += 1
        if time.monotonic() - beaten >= HEARTBEAT_SECONDS:
            Batch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
            beaten = time.monotonic()
    finish_if_done(batch)
    return sent


def next_part(batch: Batch) -> Operation | None:
    """Claim and send the next part nobody holds: pending ones in order, then (same key) one a
    dead sender left `sending`, then an unknown one not yet sent MAX_ROUNDS times. None once
    there is none, or the batch is no longer `sending` (paused, canceled).

    One turn of the shared pace per part sent: the turn is taken first and the candidates read
    after it, so a claim lost to another sender costs a database round trip, not a turn of
    Natural's rate limit."""
    pace.wait_turn()
    for candidate in _candidates(batch):
        sent = engine.claim_and_send(candidate, observe=pace.observe)
        if sent is not None:
            return sent
    return None


# What deciding to claim a part needs: its bytes are read only once it is claimed.
CLAIM_FIELDS = ("id", "batch_id", "state", "idempotent", "created_at", "first_sent_at")


def _candidates(batch: Batch):
    # Read with the batch's state, in the same query: a paused batch offers no part.
    parts = (
        batch.operations.filter(batch__state=BatchState.SENDING)
        .order_by("chunk_index")
        .only(*CLAIM_FIELDS)
    )
    yield from parts.filter(state=State.PENDING)[:8]
    stale = timezone.now() - sending_lease()
    yield from parts.filter(state=State.SENDING, sending_since__lt=stale)[:4]
    for operation in parts.filter(state=State.UNKNOWN)[:20]:
        rounds = operation.attempts.values("round").distinct().count()
        if rounds < MAX_ROUNDS:
            yield operation


def has_work(batch: Batch) -> bool:
    """Parts a sender could still take."""
    stale = timezone.now() - sending_lease()
    return batch.operations.filter(
        Q(state=State.PENDING)
        | Q(state=State.SENDING, sending_since__lt=stale)
        | Q(state=State.UNKNOWN)
    ).exists()


def finish_if_done(batch: Batch) -> None:
    """`done` once no part is waiting, on the wire, or unknown with rounds left."""
    open_parts = batch.operations.filter(state__in=(State.PENDING, State.SENDING)).exists()
    if open_parts:
        return
    unknown = batch.operations.filter(state=State.UNKNOWN)
    if any(op.attempts.values("round").distinct().count() < MAX_ROUNDS for op in unknown[:20]):
        return
    Batch.objects.filter(pk=batch.pk, state=BatchState.SENDING).update(
        state=BatchState.DONE, finished_at=timezone.now()
    )


def pause(batch: Batch) -> bool:
    return bool(
        Batch.objects.filter(pk=batch.pk, state=BatchState.SENDING).update(state=BatchState.PAUSED)
    )


def resume(batch: Batch) -> bool:
    resumed = Batch.objects.filter(pk=batch.pk, state__in=ACTIVE_BATCH).update(
        state=BatchState.SENDING, heartbeat_at=timezone.now()
    )
    if resumed:
        start(batch)
    return bool(resumed)


def send_again(batch: Batch) -> bool:
    """A finished batch whose parts an admin made pending again (or that has unknown parts
    left): its senders start once more."""
    if batch.state in (BatchState.SENDING, BatchState.PAUSED):
        start(batch)
        return True
    Batch.objects.filter(pk=batch.pk).update(state=BatchState.SENDING, finished_at=None)
    start(batch)
    return True


def cancel(batch: Batch) -> int:
    """Cancel every part not sent yet; returns how many. A part on the wire finishes."""
    Batch.objects.filter(pk=batch.pk, state__in=ACTIVE_BATCH).update(
        state=BatchState.CANCELED, finished_at=timezone.now()
    )
    return batch.operations.filter(state=State.PENDING).update(
        state=State.CANCELED,
        finished_at=timezone.now(),
        result={"message": "Canceled before it was sent: nothing of this part left."},
    )


def watch(now: datetime | None = None) -> list[int]:
    """Batches `sending` with work left and no sender's stamp within the lease: senders again."""
    now = now or timezone.now()
    quiet = now - sending_lease()
    restarted = []
    stalled = Batch.objects.filter(state=BatchState.SENDING).filter(
        Q(heartbeat_at__lt=quiet) | Q(heartbeat_at__isnull=True, created_at__lt=quiet)
    )
    for batch in stalled:
        if has_work(batch):
            Batch.objects.filter(pk=batch.pk).update(heartbeat_at=now)
            start(batch)
            restarted.append(batch.pk)
        else:
            finish_if_done(batch)
    if restarted:
        logger.warning("batches %s had lost their senders; sending again", restarted)
    return restarted


@dataclass(frozen=True)
class Progress:
    parts: int
    recipients: int
    sent: int  # recipients in parts Natural answered (invited or refused)
    invited: int
    refused: int
    canceled: int
    remaining: int
    unknown_parts: int
    stuck_parts: int
    not_sent_parts: int
    failed_parts: int
    pending_parts: int
    sending_parts: int
    per_second: float | None  # recipients per second over the last RATE_WINDOW
    seconds_left: float | None

    @property
    def percent(self) -> int:
        if not self.recipients:
            return 100
        return int(100 * (self.recipients - self.remaining) / self.recipients)

    @property
    def needs_attention(self) -> bool:
        return bool(self.unknown_parts or self.stuck_parts or self.failed_parts)


def progress(batch: Batch, now: datetime | None = None) -> Progress:
    """The batch's counts in two queries, whatever its size."""
    now = now or timezone.now()
    stale = now - sending_lease()
    rows = {
        row["state"]: row
        for row in batch.operations.values("state").annotate(
            parts=Count("id"), recipients=Sum("recipient_count"), created=Sum("created_count")
        )
    }

    def count(state, field="parts"):
        return (rows.get(state) or {}).get(field) or 0

    stuck = batch.operations.filter(state=State.SENDING, sending_since__lt=stale).count()
    recent = batch.operations.filter(
        finished_at__gte=now - RATE_WINDOW, state__in=(State.SUCCEEDED, State.FAILED)
    ).aggregate(recipients=Sum("recipient_count"), first=Count("id"))
    recipients = sum(count(state, "recipients") for state in rows)
    done = count(State.SUCCEEDED, "recipients") + count(State.FAILED, "recipients")
    remaining = (
        count(State.PENDING, "recipients")
        + count(State.SENDING, "recipients")
        + count(State.UNKNOWN, "recipients")
    )
    per_second = None
    seconds_left = None
    if recent["recipients"]:
        window = min(RATE_WINDOW, now - (batch.created_at or now)).total_seconds() or 1.0
        per_second = recent["recipients"] / max(window, 1.0)
        if remaining and batch.state == BatchState.SENDING:
            seconds_left = remaining / per_second
    return Progress(
        parts=sum(count(state) for state in rows),
        recipients=recipients,
        sent=done,
        invited=count(State.SUCCEEDED, "created"),
        refused=count(State.FAILED, "recipients"),
        canceled=count(State.CANCELED, "recipients"),
        remaining=remaining,
        unknown_parts=count(State.UNKNOWN),
        stuck_parts=stuck,
        not_sent_parts=batch.operations.filter(
            state=State.PENDING, first_sent_at__isnull=False
        ).count(),
        failed_parts=count(State.FAILED),
        pending_parts=count(State.PENDING),
        sending_parts=count(State.SENDING) - stuck,
        per_second=per_second,
        seconds_left=seconds_left,
    )
