"""One pace for every sender of a batch, on every worker and host: Natural limits each
credential with a token bucket, and all the workers send with the one credential.

    wait_turn()     before each part: take the next free moment (1 / rate after the last one
                    taken, never before a 429's Retry-After) and sleep until it; senders that
                    fell behind (busy, or none asked) catch up with part of the bucket at once,
                    as Natural's bucket refilled meanwhile
    observe(info)   after each attempt: learn the rate from X-RateLimit-Limit, and on a 429
                    stop everyone until its Retry-After

The state is one database row (natural.models.Pace), taken with a row lock, so the pace holds
across processes and hosts whichever task backend runs them. Without a known rate and without a
429 the senders go as fast as Natural answers.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from natural.models import Pace

NAME = "natural"
# Pages read with the same credential: leave them a little of the bucket.
HEADROOM = 0.98
# Turns missed while no sender was ready may be caught up at once, up to this share of the
# bucket (Natural refilled it meanwhile); the rest is left to pages and to timing jitter.
BURST_SHARE = 0.5
# A 429 without Retry-After stops the senders this long.
DEFAULT_BACK_OFF = 1.0

sleep = time.sleep


def _row() -> Pace:
    pace, _ = Pace.objects.get_or_create(name=NAME)
    return pace


def rate() -> float | None:
    """Requests per second the senders keep to, or None (as fast as Natural answers)."""
    learned = Pace.objects.filter(name=NAME).values_list("rate", flat=True).first()
    return _kept_to(learned)


def _kept_to(learned: float | None) -> float | None:
    configured = settings.NATURAL_API_RATE_LIMIT
    if configured:
        return configured
    return learned * HEADROOM if learned else None


def wait_turn() -> float:
    """Sleep until this sender's turn; returns the seconds waited."""
    now = timezone.now()
    row = Pace.objects.filter(name=NAME).values_list("rate", "paused_until").first()
    learned, paused = row or (None, None)
    per_second = _kept_to(learned)
    if per_second is None:
        start = max(now, paused) if paused else now
    else:
        # The earliest a turn may start: this many missed turns ago, never before a pause ends.
        earliest = now - timedelta(seconds=max(per_second * BURST_SHARE - 1, 0) / per_second)
        with transaction.atomic():
            pace = Pace.objects.select_for_update().filter(name=NAME).first() or _row()
            start = max(earliest, pace.next_at or earliest, pace.paused_until or earliest)
            pace.next_at = start + timedelta(seconds=1 / per_second)
            pace.save(update_fields=["next_at"])
    wait = (start - now).total_seconds()
    if wait > 0:
        sleep(wait)
    return max(wait, 0.0)


_known_rate: dict[str, float | None] = {}


def observe(info) -> None:
    """What one attempt's answer says about the pace (natural.client.AttemptInfo)."""
    if info.rate_limit and _known_rate.get(NAME) != info.rate_limit:
        _row()
        Pace.objects.filter(name=NAME).update(rate=float(info.rate_limit))
        _known_rate[NAME] = info.rate_limit
    if info.status == 429:
        back_off(info.retry_after if info.retry_after is not None else DEFAULT_BACK_OFF)


def back_off(seconds: float) -> None:
    """Nobody sends for `seconds` (a later pause already set stays)."""
    until = timezone.now() + timedelta(seconds=seconds)
    _row()
    with transaction.atomic():
        pace = Pace.objects.select_for_update().get(name=NAME)
        if pace.paused_until is None or pace.paused_until < until:
            pace.paused_until = until
            pace.save(update_fields=["paused_until"])


def forget() -> None:
    """Start over (tests, and a credential that changed)."""
    _known_rate.clear()
    Pace.objects.filter(name=NAME).delete()
