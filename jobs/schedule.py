"""The periodic work, scheduled by the workers themselves: no cron line is needed.

Every worker runs `tick()` every few seconds. For each job it inserts the row for the current
period (jobs.models.PeriodicSlot); the database's unique constraint lets exactly one insert
through per period, whatever the number of workers and hosts, and only that worker enqueues
the job. The passes keep their own guard too: a list never syncs twice at once.

    quick_pass     every QUICK_PASS_SECONDS (60): the newest pages of each list
    full_pass      every FULL_PASS_SECONDS (900): each list to its end
    check_revocations  every REVOCATION_CHECK_MINUTES (4): the active delegations walked to the
                   end, so a revocation shows within 5 minutes even without webhooks
    watch_batches  every WATCH_SECONDS: batches whose senders stopped get senders again
    prune_task_results  hourly: the database queue forgets tasks finished over a day ago

`PERIODIC_PASSES=false` turns the passes and the revocation check off (for operators who keep
cron); the batch watch always runs.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone

from jobs import tasks as job_tasks
from jobs.models import PeriodicSlot
from operations import batches
from read_model import tasks as read_model_tasks
from read_model.models import SyncRun

logger = logging.getLogger(__name__)

WATCH_SECONDS = 10
TICK_SECONDS = 2.0
KEEP_SLOTS_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    enqueue: Callable[[], object]
    enabled: bool = True


def jobs() -> list[Periodic]:
    passes = settings.PERIODIC_PASSES
    return [
        Periodic(
            "quick_pass",
            settings.QUICK_PASS_SECONDS,
            lambda: read_model_tasks.sync_all.enqueue(SyncRun.Mode.QUICK),
            passes,
        ),
        Periodic(
            "full_pass",
            settings.FULL_PASS_SECONDS,
            lambda: read_model_tasks.sync_all.enqueue(SyncRun.Mode.FULL),
            passes,
        ),
        Periodic(
            "check_revocations",
            read_model_tasks.REVOCATION_CHECK_MINUTES * 60,
            lambda: read_model_tasks.check_revocations.enqueue("schedule"),
            passes,
        ),
        Periodic("watch_batches", WATCH_SECONDS, batches.watch_batches.enqueue),
        Periodic("prune_task_results", 60 * 60, job_tasks.prune_task_results.enqueue),
    ]


def period_start(now: datetime, every_seconds: int) -> datetime:
    """The start of the period `now` falls in (periods count from the Unix epoch)."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % every_seconds, tz=UTC)


def tick(*, worker: str = "", now: datetime | None = None) -> list[str]:
    """Enqueue each enabled job whose current period nobody took yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        if not job.enabled or job.every_seconds <= 0:
            continue
        try:
            with transaction.atomic():
                PeriodicSlot.objects.create(
                    name=job.name,
                    starts_at=period_start(now, job.every_seconds),
                    taken_by=worker[:100],
                )
        except IntegrityError:
            continue  # another worker has this period
        job.enqueue()
        enqueued.append(job.name)
    if enqueued:
        PeriodicSlot.objects.filter(starts_at__lt=now - KEEP_SLOTS_FOR).delete()
        logger.info("schedule: enqueued %s", ", ".join(enqueued))
    return enqueued


class Scheduler(threading.Thread):
    """The worker's schedule, in a daemon thread beside its task loop."""

    def __init__(self, worker: str) -> None:
        super().__init__(name="schedule", daemon=True)
        self.worker = worker
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    tick(worker=self.worker)
                except Exception:
                    logger.exception("schedule: tick failed; trying again")
                # A little jitter, so workers started together do not all knock at once.
                self.stopping.wait(TICK_SECONDS + random.uniform(0, TICK_SECONDS / 2))
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
