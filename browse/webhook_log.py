"""The Webhooks tab: Natural's deliveries and their outcome, and how far behind Natural the
read model is (webhook lag when webhooks run, the scheduled passes' age either way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.http import QueryDict
from django.utils import timezone

from natural import webhooks
from natural.models import WebhookDelivery
from read_model.models import SyncRun

SHOWN = 100
LAG_WINDOW = timedelta(hours=1)
State = WebhookDelivery.State


@dataclass(frozen=True)
class PassAge:
    label: str
    finished_at: datetime | None


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of `values` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def lag_seconds(since: datetime) -> list[float]:
    """Seconds from each event's `createdAt` to its sync, for the events processed since."""
    rows = WebhookDelivery.objects.filter(
        state=State.PROCESSED, processed_at__gte=since, event_created_at__isnull=False
    ).values_list("event_created_at", "processed_at")
    return [max(0.0, (done - created).total_seconds()) for created, done in rows]


def pass_ages() -> list[PassAge]:
    complete = SyncRun.objects.filter(state=SyncRun.State.COMPLETE)
    ages = []
    for resource, label in SyncRun.Resource.choices:
        for mode, what in (
            (SyncRun.Mode.QUICK, "quick pass"),
            (SyncRun.Mode.FULL, "full pass"),
        ):
            last = (
                complete.filter(resource=resource, mode=mode)
                .order_by("-finished_at")
                .values_list("finished_at", flat=True)
                .first()
            )
            ages.append(PassAge(f"{label.capitalize()}: {what}", last))
    last_check = (
        complete.filter(mode=SyncRun.Mode.CHECK)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    ages.append(PassAge("Agent delegations: revocation check", last_check))
    return ages


def context(params: QueryDict) -> dict:
    now = timezone.now()
    state = params.get("state", "")
    if state not in State.values:
        state = ""
    deliveries = WebhookDelivery.objects.all()
    if state:
        deliveries = deliveries.filter(state=state)
    day = WebhookDelivery.objects.filter(received_at__gte=now - timedelta(days=1))
    tally = dict(day.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    lags = lag_seconds(now - LAG_WINDOW)
    last_processed = (
        WebhookDelivery.objects.filter(state=State.PROCESSED)
        .order_by("-processed_at")
        .values_list("processed_at", flat=True)
        .first()
    )
    return {
        "enabled": webhooks.is_enabled(),
        "deliveries": list(deliveries[:SHOWN]),
        "shown": SHOWN,
        "state": state,
        "states": State.choices,
        "tally": [(label, tally.get(value, 0)) for value, label in State.choices],
        "lag_p50": percentile(lags, 0.5),
        "lag_p95": percentile(lags, 0.95),
        "lag_count": len(lags),
        "last_processed": last_processed,
        "passes": pass_ages(),
    }
