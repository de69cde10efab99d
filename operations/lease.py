"""A sender's claim on a `sending` operation, kept alive while its request is on the wire.

The claim is the `sending_since` stamp the sender wrote when it claimed the row. A timer
thread writes a new stamp every third of the sending lease while the request (its retries and
their Retry-After waits included) is in flight, and the batch's heartbeat with it, so a slow
Natural never makes a live sender look dead to the watch, reconcile or the other senders.

Each renewal is one conditional UPDATE: the row must still be `sending` with the very stamp
this sender wrote last. A row another process settled, or took over once the lease had run out,
is never written again, and the timer stops. A sender that dies takes its timer with it, so its
part expires after the lease as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.utils import timezone

from operations.models import Batch, BatchState, Operation, State, sending_lease

logger = logging.getLogger(__name__)

# Renewals per lease: two may fail (a busy database) before the lease runs out.
RENEWALS_PER_LEASE = 3


class Lease:
    """The claim one sender holds on one operation."""

    def __init__(self, operation: Operation) -> None:
        self.operation_id = operation.pk
        self.batch_id = operation.batch_id
        self.stamp = operation.sending_since
        self.held = operation.state == State.SENDING and self.stamp is not None
        self._lock = threading.Lock()

    def renew(self) -> bool:
        """A new stamp while the claim is still this sender's; False once it is not."""
        with self._lock:
            if not self.held:
                return False
            now = timezone.now()
            renewed = Operation.objects.filter(
                pk=self.operation_id, state=State.SENDING, sending_since=self.stamp
            ).update(sending_since=now)
            if renewed:
                self.stamp = now
            else:
                self.held = False
        if renewed and self.batch_id is not None:
            Batch.objects.filter(pk=self.batch_id, state=BatchState.SENDING).update(
                heartbeat_at=now
            )
        return bool(renewed)


class _Renewer(threading.Thread):
    def __init__(self, lease: Lease, every: float) -> None:
        super().__init__(name=f"lease-{lease.operation_id}", daemon=True)
        self.lease = lease
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    if not self.lease.renew():
                        return
                except Exception:
                    logger.exception(
                        "could not renew the lease of operation %s; trying again",
                        self.lease.operation_id,
                    )
        finally:
            # Only a timer that fired opened a connection (connections are per thread).
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


@contextmanager
def kept(lease: Lease, every: float | None = None) -> Iterator[Lease]:
    """Renew `lease` from a timer thread until the block ends, however it ends."""
    every = every or sending_lease().total_seconds() / RENEWALS_PER_LEASE
    renewer = _Renewer(lease, every)
    renewer.start()
    try:
        yield lease
    finally:
        renewer.stop()
