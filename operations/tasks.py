"""The operations' tasks: batches are sent by the workers, never in a web request."""

from __future__ import annotations

from django.tasks import task

from operations import batches
from operations.models import Batch, BatchState


@task
def send_batch(batch_id: int) -> int:
    """One sender's turn on a batch; it queues its next turn while the batch has work left."""
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or batch.state != BatchState.SENDING:
        return 0
    sent = batches.send_some(batch)
    batch.refresh_from_db()
    if sent and batch.state == BatchState.SENDING and batches.has_work(batch):
        send_batch.enqueue(batch_id)
    return sent


@task
def watch_batches() -> list[int]:
    """The schedule's watch: batches whose senders stopped get senders again."""
    return batches.watch()
