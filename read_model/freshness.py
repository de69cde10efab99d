"""How fresh the read model is: what the search page, the overview card and the refresh button
show for customers, and the stamp every read-model answer carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from read_model.models import SyncRun
from read_model.sync import STALE_AFTER


@dataclass(frozen=True)
class Freshness:
    last_complete_sync_at: datetime | None
    age: timedelta | None
    is_stale: bool
    running: SyncRun | None
    # Customers the last complete pass saw (cheaper than counting the index on every page).
    indexed: int | None = None
    # The latest pass, when it failed or was interrupted after the last complete one.
    unfinished: SyncRun | None = None

    @property
    def max_age_minutes(self) -> int:
        return int(settings.CUSTOMER_INDEX_MAX_AGE.total_seconds() // 60)


def status(now: datetime | None = None, *, resource: str = SyncRun.Resource.CUSTOMERS) -> Freshness:
    """The freshness of the resource's full passes: the last complete one and what runs now."""
    now = now or timezone.now()
    full = SyncRun.objects.filter(resource=resource, mode=SyncRun.Mode.FULL)
    complete = full.filter(state=SyncRun.State.COMPLETE).order_by("-finished_at").first()
    latest = full.order_by("-pk").first()
    running = latest if latest and latest.is_running else None
    if running and running.heartbeat_at < now - STALE_AFTER:
        running = None  # dead: the next refresh takes it over
    unfinished = None
    if latest and latest.state in (SyncRun.State.FAILED, SyncRun.State.INTERRUPTED):
        unfinished = latest
    finished_at = complete.finished_at if complete else None
    age = now - finished_at if finished_at else None
    return Freshness(
        last_complete_sync_at=finished_at,
        age=age,
        is_stale=age is None or age > settings.CUSTOMER_INDEX_MAX_AGE,
        running=running,
        indexed=complete.seen if complete else None,
        unfinished=unfinished,
    )
